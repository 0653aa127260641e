/**
 * fast-check arbitraries from the contract's JSON Schemas (OpenAPI 3.1): values that match a
 * schema, biased towards its edges and its own examples, and mutations of them that do not.
 */
import fc from "fast-check";

export type Schema = Record<string, any>;

export interface SchemaContext {
  /** The schema a `$ref` into the contract names. */
  resolve(ref: string): Schema;
  /** A value drawn from the running hub (a real id, a usable number) for a property of that name. */
  hint(name: string | undefined): fc.Arbitrary<unknown> | undefined;
}

const MAX_DEPTH = 6;

/** Values valid for `schema` (as far as a schema can tell: ids may still name nothing). */
export function valid(schema: Schema, ctx: SchemaContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return valid(ctx.resolve(schema.$ref), ctx, name, depth);
  const hinted = ctx.hint(name);
  const generated = generate(schema, ctx, depth);
  const examples = schema.example !== undefined ? [fc.constant(schema.example)] : [];
  return hinted
    ? fc.oneof({ weight: 4, arbitrary: hinted }, { weight: 1, arbitrary: generated }, ...examples)
    : examples.length
      ? fc.oneof(generated, ...examples)
      : generated;
}

function generate(schema: Schema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  if (schema.allOf) {
    return fc.tuple(...(schema.allOf as Schema[]).map((s) => valid(s, ctx, undefined, depth))).map((parts) => Object.assign({}, ...parts));
  }
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valid(s, ctx, undefined, depth)));
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case "string":
      return stringFor(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = depth >= MAX_DEPTH ? fc.constant(null) : valid(schema.items ?? {}, ctx, undefined, depth + 1);
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    }
    case "object":
    case undefined: {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      if (depth >= MAX_DEPTH) return fc.constant({});
      const shape = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, valid(s, ctx, key, depth + 1)]));
      return fc.record(shape, { requiredKeys: (schema.required ?? []) as string[] });
    }
    default:
      return fc.constant(null);
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 64;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  switch (schema.format) {
    case "date-time":
      return fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());
    case "email":
      return fc.emailAddress().filter((e) => e.length <= maxLength);
    case "uri":
      return fc.webUrl().filter((u) => u.length <= maxLength);
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, Math.max(minLength, 40)), unit: CHARACTER });
}

/** Mostly printable ASCII, sometimes what breaks naive code: accents, emoji, NUL, quotes, slashes. */
const CHARACTER = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 1, unit: "grapheme-ascii" }) },
  { weight: 1, arbitrary: fc.constantFrom("é", "☃", "💥", "\u0000", "\n", '"', "\\", "/", "%", "\ud800") },
);

/** Values no well-formed request carries: wrong types, extremes, look-alikes of attacks. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e308,
    1e-300,
    2 ** 53 + 2,
    3.5,
    "",
    " ",
    "\u0000",
    "☃💥",
    "<script>",
    [],
    [null],
    {},
    { $ne: 1 },
    "__proto__",
    "NaN",
    "1e9999",
  ),
  fc.double(),
  fc.constantFrom("x".repeat(5_000), "x".repeat(70_000), "\u0001".repeat(12_000), "€".repeat(20_000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 30, unit: "binary" }),
  fc.integer().map((n) => Array.from({ length: 5 }, () => n)),
  fc.integer({ min: 1, max: 200 }).map((n) => JSON.parse("[".repeat(n) + "]".repeat(n))),
);

/** A mutation of a valid value that a strict schema must refuse (or at least survive). */
export function mutated(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== "object") return hostile;
  const keys = Object.keys(value);
  const pick = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant("extra");
  return fc.oneof(
    // A required or optional field dropped.
    pick.map((k) => (Array.isArray(value) ? value.filter((_, i) => String(i) !== k) : omit(value as Record<string, unknown>, k))),
    // A field of the wrong type or size.
    fc.tuple(pick, hostile).map(([k, v]) => ({ ...(value as Record<string, unknown>), [k]: v })),
    // A field mutated further down.
    keys.length > 0
      ? fc
          .tuple(pick)
          .chain(([k]) =>
            mutated((value as Record<string, unknown>)[k]).map((v) =>
              Array.isArray(value) ? Object.assign([...value], { [k]: v }) : { ...(value as object), [k]: v },
            ),
          )
      : hostile,
    // A field the schema does not know.
    fc.tuple(fc.constantFrom("extra", "__proto__", "constructor", "", "type", "id", "status"), hostile).map(([k, v]) => ({ ...(value as object), [k]: v })),
    // Something else altogether.
    hostile,
  );
}

function omit(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}
