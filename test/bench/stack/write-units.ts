/**
 * Write units as DynamoDB on-demand bills them, from the old and new image of each item written:
 * the table write (1 unit per started KB of the larger image) and, per global secondary index,
 * a put of the projected item when it is in the index and its projection changed, plus a delete
 * when its index key changed or it left the index. A write that changes nothing an index projects
 * costs that index nothing; an item outside a sparse index costs it nothing.
 */
export type Item = Record<string, unknown>;

export interface IndexDefinition {
  IndexName: string;
  KeySchema: Array<{ AttributeName: string }>;
  Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
}

export interface WriteUnits {
  table: number;
  byIndex: Record<string, number>;
}

const KB = 1024;
/** Attribute order is not meaningful in an item; compared with keys sorted at every level. */
const canonical = (v: unknown): string =>
  v && typeof v === "object" && !Array.isArray(v)
    ? `{${Object.keys(v as object)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Item)[k])}`)
        .join(",")}}`
    : Array.isArray(v)
      ? `[${v.map(canonical).join(",")}]`
      : JSON.stringify(v);
const units = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

export function writeUnits(size: (item: Item) => number, tableKeys: string[], indexes: IndexDefinition[], before: Item | null, after: Item | null): WriteUnits {
  const table = units(Math.max(before ? size(before) : 0, after ? size(after) : 0));
  const byIndex: Record<string, number> = {};
  for (const index of indexes) {
    const keys = index.KeySchema.map((k) => k.AttributeName);
    const projected = (item: Item | null): Item | null => {
      if (!item || !keys.every((k) => item[k] !== undefined && item[k] !== null)) return null;
      if (index.Projection.ProjectionType === "ALL") return item;
      const names = [...new Set([...keys, ...tableKeys, ...(index.Projection.ProjectionType === "INCLUDE" ? (index.Projection.NonKeyAttributes ?? []) : [])])];
      return Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
    };
    const was = projected(before);
    const now = projected(after);
    const sameKey = was && now && keys.every((k) => canonical(was[k]) === canonical(now[k]));
    let u = 0;
    if (now && !(sameKey && canonical(was) === canonical(now))) u += units(size(now));
    if (was && !sameKey) u += units(size(was));
    if (u) byIndex[index.IndexName] = u;
  }
  return { table, byIndex };
}
