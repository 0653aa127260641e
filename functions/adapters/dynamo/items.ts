/** Helpers shared by the stores: item (de)serialisation, opaque cursors, paged queries. */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { TABLE, type ItemKey } from "./keys.js";

const KEY_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.ttlAttribute,
  "entity",
  ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** The domain object stored in an item, without the table's own key and index attributes. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(k)) out[k] = v;
  return out as T;
}


export class InvalidCursorError extends Error {
  readonly code = "invalid_cursor";
}

/**
 * Cursors are the LastEvaluatedKey, encoded. They are bound to the partition they were issued for:
 * a cursor from another listing (or edited by hand) is refused rather than passed to DynamoDB.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

export function decodeCursor(cursor: string | undefined, partitionAttr: string, partitionValue: string): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("the cursor is not one this API issued");
  }
  if (
    typeof parsed !== "object" || parsed === null || Array.isArray(parsed) ||
    (parsed as Record<string, unknown>)[partitionAttr] !== partitionValue ||
    !Object.values(parsed).every((v) => typeof v === "string") ||
    Object.keys(parsed).length > 4
  ) {
    throw new InvalidCursorError("the cursor does not belong to this listing");
  }
  return parsed as Record<string, unknown>;
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
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: opts.ascending ?? false,
    Limit: page.limit,
    ExclusiveStartKey: decodeCursor(page.cursor, pkAttr, partitionValue),
    ...(index && { IndexName: index.name }),
  };
  const out = await db.send(new QueryCommand(input));
  const items = (out.Items ?? []).map((i) => stripKeys<T>(i));
  const nextCursor = encodeCursor(out.LastEvaluatedKey);
  return { items, ...(nextCursor && { nextCursor }) };
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
  try {
    await db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
    return "created";
  } catch (err) {
    if (isConditionFailure(err)) return "exists";
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
export async function clearMarker(db: DynamoDBDocumentClient, tableName: string, key: ItemKey, marker?: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: "REMOVE gsi4pk, gsi4sk",
        ...(marker ? { ConditionExpression: "gsi4sk = :m", ExpressionAttributeValues: { ":m": marker } } : { ConditionExpression: "attribute_exists(pk)" }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
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
