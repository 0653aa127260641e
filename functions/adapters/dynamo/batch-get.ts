/** BatchGetItem over any number of keys: chunks of 100, unprocessed keys retried with backoff. */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ItemKey } from "./keys.js";

const CHUNK = 100;
const MAX_ROUNDS = 8;

export async function batchGetAll(db: DynamoDBDocumentClient, table: string, itemKeys: ItemKey[], consistent: boolean): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(itemKeys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < unique.length; i += CHUNK) chunks.push(unique.slice(i, i + CHUNK));
  const results = await Promise.all(chunks.map((chunk) => getChunk(db, table, chunk, consistent)));
  return results.flat();
}

async function getChunk(db: DynamoDBDocumentClient, table: string, chunk: ItemKey[], consistent: boolean): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = chunk.map((k) => ({ pk: k.pk, sk: k.sk }));
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_ROUNDS} rounds`);
    if (round > 0) await new Promise((r) => setTimeout(r, 2 ** round * 10));
    const res = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }));
    out.push(...(res.Responses?.[table] ?? []));
    pending = (res.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
  }
  return out;
}
