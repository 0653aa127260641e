/** BatchWriteItem and BatchGetItem in chunks, a few requests in flight, retrying what DynamoDB leaves unprocessed. */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../../domain/map-limit.js";
import type { ItemKey } from "./keys.js";

const BATCH = 25;
const GET_BATCH = 100;
const IN_FLIGHT = 8;
const MAX_ROUNDS = 8;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: ItemKey } };

export async function putAll(db: DynamoDBDocumentClient, table: string, items: Array<Record<string, unknown>>): Promise<void> {
  await writeAll(
    db,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}

export async function deleteAll(db: DynamoDBDocumentClient, table: string, keys: ItemKey[]): Promise<void> {
  await writeAll(
    db,
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}

async function writeAll(db: DynamoDBDocumentClient, table: string, requests: WriteRequest[]): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH) chunks.push(requests.slice(i, i + BATCH));
  await mapLimit(chunks, IN_FLIGHT, (chunk) => writeChunk(db, table, chunk));
}

async function writeChunk(db: DynamoDBDocumentClient, table: string, chunk: WriteRequest[]): Promise<void> {
  let pending = chunk;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${MAX_ROUNDS} rounds`);
    if (round > 0) await pause(round);
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
  }
}

/** The items at `keys` that exist, in no particular order. */
export async function getAll(db: DynamoDBDocumentClient, table: string, keys: ItemKey[]): Promise<Array<Record<string, unknown>>> {
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < keys.length; i += GET_BATCH) chunks.push(keys.slice(i, i + GET_BATCH));
  return (await mapLimit(chunks, IN_FLIGHT, (chunk) => getChunk(db, table, chunk))).flat();
}

async function getChunk(db: DynamoDBDocumentClient, table: string, chunk: ItemKey[]): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let pending = chunk;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`DynamoDB left ${pending.length} reads unprocessed after ${MAX_ROUNDS} rounds`);
    if (round > 0) await pause(round);
    const out = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
    items.push(...(out.Responses?.[table] ?? []));
    pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as ItemKey[];
  }
  return items;
}

const pause = (round: number) => new Promise((r) => setTimeout(r, 50 * 2 ** round));
