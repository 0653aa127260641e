/** Helpers shared by the stores: item (de)serialisation, opaque cursors, paged queries. */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { InvalidCursorError } from "../../domain/errors.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { batchGetAll } from "./batch-get.js";
import { TABLE, type ItemKey } from "./keys.js";

const KEY_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.ttlAttribute,
  "entity",
  // A hop's pointer to its answer's evidence item: the store puts the evidence back in its place.
  "evidenceId",
  ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** The domain object stored in an item, without the table's own key and index attributes. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(k)) out[k] = v;
  return out as T;
}

/**
 * Cursors are the LastEvaluatedKey, encoded. Clients only ever hold them sealed (see
 * crypto/cursor-seal.ts); here a cursor must still have the exact key shape of the Query it
 * continues (the table key plus the index key, non-empty strings, inside the key condition), so
 * that nothing malformed ever reaches DynamoDB as an ExclusiveStartKey.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

interface CursorShape {
  attributes: string[];
  partitionAttr: string;
  partitionValue: string;
  sortAttr: string;
  sortKeyFits: (sortKey: string) => boolean;
}

/** The object a cursor encodes; InvalidCursorError when it encodes none. */
export function parseCursor(cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("the cursor is not one this API issued");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InvalidCursorError("the cursor is not one this API issued");
  return parsed as Record<string, unknown>;
}

export function decodeCursor(cursor: string | undefined, shape: CursorShape): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const key = parseCursor(cursor);
  const names = Object.keys(key);
  const exact = names.length === shape.attributes.length && shape.attributes.every((a) => typeof key[a] === "string" && key[a] !== "");
  if (!exact || key[shape.partitionAttr] !== shape.partitionValue || !shape.sortKeyFits(key[shape.sortAttr] as string)) {
    throw new InvalidCursorError("the cursor does not belong to this listing");
  }
  return key as Record<string, string>;
}

/** One page of a Query on an index partition, newest first unless `ascending`. */
export async function queryPage<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  index: { name: string; partitionKey: string; sortKey: string } | undefined,
  partitionValue: string,
  page: PageRequest,
  opts: { ascending?: boolean; sortKeyBetween?: [string, string]; sortKeyPrefix?: string } = {},
): Promise<Page<T>> {
  const pkAttr = index?.partitionKey ?? TABLE.partitionKey;
  const skAttr = index?.sortKey ?? TABLE.sortKey;
  const names: Record<string, string> = { "#pk": pkAttr };
  const values: Record<string, unknown> = { ":pk": partitionValue };
  let condition = "#pk = :pk";
  if (opts.sortKeyBetween) {
    names["#sk"] = skAttr;
    values[":lo"] = opts.sortKeyBetween[0];
    values[":hi"] = opts.sortKeyBetween[1];
    condition += " AND #sk BETWEEN :lo AND :hi";
  } else if (opts.sortKeyPrefix) {
    names["#sk"] = skAttr;
    values[":prefix"] = opts.sortKeyPrefix;
    condition += " AND begins_with(#sk, :prefix)";
  }
  const between = opts.sortKeyBetween;
  const shape: CursorShape = {
    attributes: [...new Set([TABLE.partitionKey, TABLE.sortKey, pkAttr, skAttr])],
    partitionAttr: pkAttr,
    partitionValue,
    sortAttr: skAttr,
    sortKeyFits: (sk) => (between ? sk >= between[0] && sk <= between[1] : opts.sortKeyPrefix ? sk.startsWith(opts.sortKeyPrefix) : true),
  };
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: opts.ascending ?? false,
    Limit: page.limit,
    ExclusiveStartKey: decodeCursor(page.cursor, shape),
    ...(index && { IndexName: index.name }),
  };
  const out = await db.send(new QueryCommand(input));
  const items = (out.Items ?? []).map((i) => stripKeys<T>(i));
  const nextCursor = encodeCursor(out.LastEvaluatedKey);
  return { items, ...(nextCursor && { nextCursor }) };
}

/** Every item a Query matches, page after page (for partitions read whole, such as a chain). */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, ...(start && { ExclusiveStartKey: start }) }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of a paged listing, page after page, stopping once `max` items are in. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>, max = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    out.push(...next.items);
    cursor = next.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** Writes an item unless one with its key exists; a retry of the same write is told "exists". */
export async function putNew(db: DynamoDBDocumentClient, tableName: string, item: Record<string, unknown>): Promise<"created" | "exists"> {
  const created = await conditionally(db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" })));
  return created ? "created" : "exists";
}

export type ConditionalUpdate = Pick<UpdateCommandInput, "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">;

/** One conditional update of one item: false when its condition does not hold. */
export function updateIf(db: DynamoDBDocumentClient, tableName: string, key: ItemKey, update: ConditionalUpdate): Promise<boolean> {
  return conditionally(db.send(new UpdateCommand({ TableName: tableName, Key: key, ...update })));
}

/**
 * Awaits a conditional write (put, update or delete): false when its condition did not hold, so
 * that losing a race reads as an answer and every other failure still throws.
 */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

/**
 * Takes an item off the outbox index: only if it still carries `marker` (a newer transition's
 * marker stays), or, without one, whatever it carries. False when the item was not there or
 * carried another marker.
 */
export function clearMarker(db: DynamoDBDocumentClient, tableName: string, key: ItemKey, marker?: string): Promise<boolean> {
  return conditionally(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: "REMOVE gsi4pk, gsi4sk",
        ...(marker ? { ConditionExpression: "gsi4sk = :m", ExpressionAttributeValues: { ":m": marker } } : { ConditionExpression: "attribute_exists(pk)" }),
      }),
    ),
  );
}

/**
 * Items of a sharded sparse index whose sort key is below `before` (a time, since those sort
 * keys start with one), from every shard at once.
 */
export async function dueAcrossShards(
  db: DynamoDBDocumentClient,
  tableName: string,
  index: { name: string; partitionKey: string; sortKey: string },
  shards: string[],
  before: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const results = await Promise.all(
    shards.map((shard) =>
      db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          KeyConditionExpression: "#p = :p AND #s < :b",
          ExpressionAttributeNames: { "#p": index.partitionKey, "#s": index.sortKey },
          ExpressionAttributeValues: { ":p": shard, ":b": before },
          Limit: limit,
        }),
      ),
    ),
  );
  return results.flatMap((r) => r.Items ?? []);
}

/**
 * The whole items behind `dueAcrossShards`, for work that needs more than its index projects:
 * found through the index, read from the table, and kept only while the item itself is still
 * due (the index may lag a write that took it out).
 */
export async function dueItemsAcrossShards(...query: Parameters<typeof dueAcrossShards>): Promise<Record<string, unknown>[]> {
  const [db, tableName, index, shards, before] = query;
  const found = await dueAcrossShards(...query);
  if (found.length === 0) return [];
  const items = await batchGetAll(
    db,
    tableName,
    found.map((i) => ({ pk: String(i[TABLE.partitionKey]), sk: String(i[TABLE.sortKey]) })),
    true,
  );
  return items.filter(
    (i) => typeof i[index.partitionKey] === "string" && shards.includes(i[index.partitionKey] as string) && String(i[index.sortKey]) < before,
  );
}
