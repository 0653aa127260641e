/** The bench's billing model: table and index write units from an item's old and new images. */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { writeUnits, type IndexDefinition, type Item } from "./write-units.js";

const { itemSize } = createRequire(import.meta.url)("dynalite/db/index.js") as { itemSize: (item: Item) => number };
const TABLE_KEYS = ["pk", "sk"];
const index = (name: string, projection: IndexDefinition["Projection"]): IndexDefinition => ({
  IndexName: name,
  KeySchema: [{ AttributeName: `${name}pk` }, { AttributeName: `${name}sk` }],
  Projection: projection,
});
const ALL = index("a", { ProjectionType: "ALL" });
const KEYS = index("k", { ProjectionType: "KEYS_ONLY" });
const S = (s: string) => ({ S: s });
const big = S("x".repeat(3000));
const item = (extra: Item): Item => ({ pk: S("P"), sk: S("S"), ...extra });

describe("write units", () => {
  it("bills the table by the larger image, one unit per started KB", () => {
    expect(writeUnits(itemSize, TABLE_KEYS, [], null, item({ body: S("x") })).table).toBe(1);
    expect(writeUnits(itemSize, TABLE_KEYS, [], null, item({ body: big })).table).toBe(3);
    expect(writeUnits(itemSize, TABLE_KEYS, [], item({ body: big }), item({})).table).toBe(3);
  });

  it("leaves a sparse index alone when the item is not in it", () => {
    expect(writeUnits(itemSize, TABLE_KEYS, [ALL], null, item({ body: big })).byIndex).toEqual({});
  });

  it("bills an ALL index the whole item, a KEYS_ONLY index the keys only", () => {
    const written = item({ apk: S("A"), ask: S("1"), kpk: S("K"), ksk: S("1"), body: big });
    expect(writeUnits(itemSize, TABLE_KEYS, [ALL, KEYS], null, written).byIndex).toEqual({ a: 3, k: 1 });
  });

  it("bills an INCLUDE index the keys and the named attributes", () => {
    const include = index("i", { ProjectionType: "INCLUDE", NonKeyAttributes: ["body"] });
    const small = index("j", { ProjectionType: "INCLUDE", NonKeyAttributes: ["status"] });
    const written = item({ ipk: S("I"), isk: S("1"), jpk: S("J"), jsk: S("1"), body: big, status: S("open") });
    expect(writeUnits(itemSize, TABLE_KEYS, [include, small], null, written).byIndex).toEqual({ i: 3, j: 1 });
  });

  it("costs an index nothing when nothing it projects changed", () => {
    const before = item({ kpk: S("K"), ksk: S("1"), body: S("old") });
    const after = item({ body: S("new"), ksk: S("1"), kpk: S("K") });
    expect(writeUnits(itemSize, TABLE_KEYS, [KEYS, ALL], before, after).byIndex).toEqual({});
  });

  it("bills a delete and a put when the index key changes, a delete when the item leaves", () => {
    const before = item({ apk: S("A"), ask: S("1") });
    expect(writeUnits(itemSize, TABLE_KEYS, [ALL], before, item({ apk: S("A"), ask: S("2") })).byIndex).toEqual({ a: 2 });
    expect(writeUnits(itemSize, TABLE_KEYS, [ALL], before, item({})).byIndex).toEqual({ a: 1 });
    expect(writeUnits(itemSize, TABLE_KEYS, [ALL], before, null).byIndex).toEqual({ a: 1 });
  });
});
