/** BatchWriteItem in chunks of 25, a few requests in flight, retrying what DynamoDB leaves unprocessed. */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../../domain/map-limit.js";
import type { ItemKey } from "./keys.js";

const BATCH = 25;
const IN_FLIGHT = 8;
const MAX_ROUNDS = 8;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: ItemKey } };

export async function putAll(db: DynamoDBDocumentClient, table: string, items: Array<Record<string, unknown>>): Promise<void> {
  await writeAll(db, table, items.map((Item) => ({ PutRequest: { Item } })));
}

export async function deleteAll(db: DynamoDBDocumentClient, table: string, keys: ItemKey[]): Promise<void> {
  await writeAll(db, table, keys.map((Key) => ({ DeleteRequest: { Key } })));
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
    if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
  }
}
