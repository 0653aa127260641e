/**
 * dynalite writes an item and its index entries as separate LevelDB writes (the old entries
 * deleted, the new ones put, then the item), so a process killed between them leaves an index out
 * of step with the table: an item missing from an index (the reconciler would never find its
 * marker again) or an entry left by a write that never completed. DynamoDB itself has no such
 * gap. Before anything reads the indexes, each one is compared with the table and mended through
 * the API; the table is the truth, and a write cut short counts as one that did not happen:
 *
 * - an item whose entry is missing or differs is written again as it is;
 * - an entry no item stands behind is taken out by writing the item once with that entry's keys
 *   and once more as it is (an item that does not exist is written and then deleted).
 *
 * An entry holds what its index projects, as the table was created (a data folder made before the
 * indexes' projections were narrowed keeps whole items in them), so an item is compared with its
 * entry through that projection.
 *
 * It reads the whole table: meant for the embedded stack's own start, never for a request.
 */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/dynamo/keys.js";

type Item = Record<string, unknown>;

export async function mendIndexes(db: DynamoDBDocumentClient, tableName: string): Promise<{ rewritten: number; removed: number }> {
  const items = new Map((await scanAll(db, tableName)).map((i) => [keyOf(i), i]));
  const projections = await projectionsOf(db, tableName);
  const rewrite = new Set<string>();
  const stale: Array<{ entry: Item; index: (typeof TABLE.indexes)[keyof typeof TABLE.indexes] }> = [];
  for (const index of Object.values(TABLE.indexes)) {
    const indexed = new Set<string>();
    for (const entry of await scanAll(db, tableName, index.name)) {
      const key = keyOf(entry);
      const item = items.get(key);
      if (item && item[index.partitionKey] === entry[index.partitionKey] && item[index.sortKey] === entry[index.sortKey]) {
        indexed.add(key);
        if (canonical(projected(item, index, projections.get(index.name))) !== canonical(entry)) rewrite.add(key);
      } else {
        stale.push({ entry, index });
      }
    }
    for (const [key, item] of items) {
      if (item[index.partitionKey] !== undefined && item[index.sortKey] !== undefined && !indexed.has(key)) rewrite.add(key);
    }
  }
  for (const { entry, index } of stale) {
    const key = keyOf(entry);
    const item = items.get(key);
    // Written with the stale entry's keys, the item owns that entry; written again, it drops it.
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...(item ?? entry), [index.partitionKey]: entry[index.partitionKey], [index.sortKey]: entry[index.sortKey] },
      }),
    );
    if (item) rewrite.add(key);
    else
      await db.send(
        new DeleteCommand({ TableName: tableName, Key: { [TABLE.partitionKey]: entry[TABLE.partitionKey], [TABLE.sortKey]: entry[TABLE.sortKey] } }),
      );
  }
  for (const key of rewrite) await db.send(new PutCommand({ TableName: tableName, Item: items.get(key) }));
  return { rewritten: rewrite.size, removed: stale.length };
}

async function scanAll(db: DynamoDBDocumentClient, tableName: string, indexName?: string): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ...(indexName && { IndexName: indexName }), ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

type Projection = { type: "ALL" } | { type: "some"; attributes: string[] };

/** Each index's projection as the table has it. */
async function projectionsOf(db: DynamoDBDocumentClient, tableName: string): Promise<Map<string, Projection>> {
  const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
  return new Map(
    (Table?.GlobalSecondaryIndexes ?? []).map((i) => [
      i.IndexName!,
      i.Projection?.ProjectionType === "ALL" ? { type: "ALL" } : { type: "some", attributes: i.Projection?.NonKeyAttributes ?? [] },
    ]),
  );
}

/** The item as its entry in `index` holds it. */
function projected(item: Item, index: { partitionKey: string; sortKey: string }, projection: Projection | undefined): Item {
  if (!projection || projection.type === "ALL") return item;
  const names = [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey, ...projection.attributes];
  return Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
}

function keyOf(item: Item): string {
  return `${String(item[TABLE.partitionKey])}\u0000${String(item[TABLE.sortKey])}`;
}

/** A stable text of an item, sets and maps in sorted order, to tell an index copy from its item. */
function canonical(value: unknown): string {
  if (value instanceof Set) return `set(${[...value].map(canonical).sort().join(",")})`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value instanceof Uint8Array) return `bin(${Buffer.from(value).toString("base64")})`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Item)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
