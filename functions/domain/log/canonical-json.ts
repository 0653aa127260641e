/**
 * RFC 8785 JSON Canonicalization for the values statements are made of: object members sorted
 * by UTF-16 code units, no insignificant whitespace, strings and numbers serialised as
 * ECMAScript does (which is how RFC 8785 defines them). Anyone can recompute the bytes, in any
 * language with a JCS library, from the JSON a bundle carries.
 */
export class NotCanonicalisableError extends Error {
  readonly code = "not_canonicalisable";
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new NotCanonicalisableError("a number in a statement is finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new NotCanonicalisableError(`a ${typeof value} has no JSON form`);
}
