/**
 * Forms read from the contract's zod schemas: which fields a shape has, which are required,
 * their length limits and choices, and the contract's own verdict on what was entered. Nothing
 * about a field's rules is restated here.
 */
import type { z } from "zod";

type Schema = z.ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
}

const defOf = (s: Schema) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema inside optional, nullable and default wrappers. */
export function unwrap(s: Schema): Schema {
  let current = s;
  for (let d = defOf(current); (d.type === "optional" || d.type === "nullable" || d.type === "default") && d.innerType; d = defOf(current))
    current = d.innerType;
  return current;
}

export const kindOf = (s: Schema) => defOf(unwrap(s)).type;

export function shapeOf(s: Schema): Record<string, Schema> {
  const shape = defOf(unwrap(s)).shape;
  if (!shape) throw new Error("not an object schema");
  return shape;
}

export function optionsOf(s: Schema): Schema[] {
  return defOf(unwrap(s)).options ?? [];
}

export const isRequired = (s: Schema) => !s.safeParse(undefined).success;

export function maxLengthOf(s: Schema): number | undefined {
  const max = (unwrap(s) as unknown as { maxLength?: number | null }).maxLength;
  return typeof max === "number" ? max : undefined;
}

export function formatOf(s: Schema): string | undefined {
  return (unwrap(s) as unknown as { format?: string | null }).format ?? undefined;
}

export function choicesOf(s: Schema): string[] | undefined {
  return kindOf(s) === "enum" ? ((unwrap(s) as unknown as { options: string[] }).options ?? undefined) : undefined;
}

export function literalOf(s: Schema): string {
  return (unwrap(s) as unknown as { value: string }).value;
}

/** The schema at a dotted path through objects (`customer.name`). */
export function schemaAt(root: Schema, path: string): Schema | undefined {
  let s: Schema | undefined = root;
  for (const part of path.split(".")) {
    if (!s || kindOf(s) !== "object") return undefined;
    s = shapeOf(s)[part];
  }
  return s;
}

export type FieldErrors = Record<string, string>;

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  maximum?: number | bigint;
  errors?: Issue[][];
}

function wording(issue: Issue): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return "Required";
  if (issue.code === "too_big" && typeof issue.maximum === "number") return `At most ${issue.maximum} characters`;
  return issue.message;
}

/** The contract's verdict as messages by dotted path ("" for the whole value). */
export function errorsOf(error: { issues: Issue[] } | undefined): FieldErrors {
  const errors: FieldErrors = {};
  const add = (issue: Issue, prefix: PropertyKey[]) => {
    const path = [...prefix, ...issue.path].map(String).join(".");
    // A union tells each alternative's complaints; the one with the fewest is the likely intent.
    if (issue.code === "invalid_union" && issue.errors?.length) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      for (const inner of closest) add(inner, [...prefix, ...issue.path]);
      return;
    }
    errors[path] ??= wording(issue);
  };
  for (const issue of error?.issues ?? []) add(issue, []);
  return errors;
}

/** Sets `value` at a dotted path, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/** A `datetime-local` value as an RFC 3339 time with this browser's offset. */
export function localToOffsetTime(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const seconds = value.length === 16 ? ":00" : "";
  return `${value}${seconds}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
