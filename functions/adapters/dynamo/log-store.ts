/**
 * The transparency log on DynamoDB (see README "The transparency log"): an item per entry, one
 * per sequenced batch, one per tile, and the head. Only single-item conditional writes, so it
 * runs the same on dynalite. Reads are strongly consistent: a proof is served only for a head
 * that was written after its tiles, and must see them.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { HASH_BYTES } from "../../crypto/merkle/hashing.js";
import type { Tile, TileRef } from "../../crypto/merkle/tiles.js";
import { LogIntegrityError, type LogHead, type LogStore, type SequencedBatch, type StoredEntry } from "../../usecases/log-ports.js";
import { batchGetAll } from "./batch-get.js";
import { conditionally, dueAcrossShards, queryAll } from "./items.js";
import { logKeys, TABLE } from "./keys.js";

/** Sorts after every pending marker (they start with an ISO time). */
const AFTER_ALL = "~";

export class DynamoLogStore implements LogStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly log = "main",
  ) {}

  async putEntry(entry: StoredEntry): Promise<{ created: true } | { created: false; existing: StoredEntry }> {
    const created = await this.putNew({
      ...logKeys.entry(this.log, entry.statementId),
      entity: "log_entry",
      statementId: entry.statementId,
      entry: entry.entry,
      leafHash: entry.leafHash,
      acceptedAt: entry.acceptedAt,
      ...(entry.evidence && { evidence: entry.evidence }),
      gsi4pk: logKeys.pending(this.log, entry.statementId),
      gsi4sk: `${entry.acceptedAt}#${entry.statementId}`,
    });
    if (created) return { created: true };
    const existing = await this.getEntry(entry.statementId);
    if (!existing) throw new LogIntegrityError(`entry ${entry.statementId} exists and cannot be read`);
    return { created: false, existing };
  }

  async getEntry(statementId: string): Promise<StoredEntry | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: logKeys.entry(this.log, statementId), ConsistentRead: true }));
    return out.Item ? toEntry(out.Item) : undefined;
  }

  async getEntries(statementIds: string[]): Promise<StoredEntry[]> {
    const items = await batchGetAll(
      this.db,
      this.table,
      statementIds.map((id) => logKeys.entry(this.log, id)),
      true,
    );
    return items.map(toEntry);
  }

  async entriesOf(subject: string): Promise<StoredEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :entry)",
      ExpressionAttributeValues: { ":pk": logKeys.subjectEntries(this.log, subject), ":entry": "ENTRY#" },
      ConsistentRead: true,
    });
    return items.map(toEntry);
  }

  async pendingEntries(limit: number): Promise<Array<{ statementId: string; acceptedAt: string }>> {
    const items = await dueAcrossShards(this.db, this.table, TABLE.indexes.outbox, logKeys.pendingShards(this.log), AFTER_ALL, limit);
    return items
      .map((i) => ({ statementId: String(i.statementId), acceptedAt: String(i.acceptedAt), marker: String(i.gsi4sk) }))
      .sort((a, b) => (a.marker < b.marker ? -1 : a.marker > b.marker ? 1 : 0))
      .slice(0, limit)
      .map(({ statementId, acceptedAt }) => ({ statementId, acceptedAt }));
  }

  async getBatch(from: number): Promise<SequencedBatch | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: logKeys.batch(this.log, from), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const ids = out.Item.statementIds as string[];
    const hashes = out.Item.leafHashes as Uint8Array;
    if (hashes.byteLength !== ids.length * HASH_BYTES)
      throw new LogIntegrityError(`batch ${from} holds ${ids.length} ids and ${hashes.byteLength} bytes of hashes`);
    return {
      from: Number(out.Item.from),
      sequencedAt: String(out.Item.sequencedAt),
      leaves: ids.map((statementId, i) => ({ statementId, leafHash: hashes.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES) })),
    };
  }

  async putBatch(batch: SequencedBatch): Promise<boolean> {
    const hashes = new Uint8Array(batch.leaves.length * HASH_BYTES);
    batch.leaves.forEach((l, i) => hashes.set(l.leafHash, i * HASH_BYTES));
    return this.putNew({
      ...logKeys.batch(this.log, batch.from),
      entity: "log_batch",
      from: batch.from,
      statementIds: batch.leaves.map((l) => l.statementId),
      leafHashes: hashes,
      sequencedAt: batch.sequencedAt,
    });
  }

  async markSequenced(statementId: string, index: number): Promise<void> {
    const written = await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: logKeys.entry(this.log, statementId),
          UpdateExpression: "SET #index = :index REMOVE gsi4pk, gsi4sk",
          ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(#index) OR #index = :index)",
          ExpressionAttributeNames: { "#index": "index" },
          ExpressionAttributeValues: { ":index": index },
        }),
      ),
    );
    if (!written) throw new LogIntegrityError(`entry ${statementId} is missing or already sequenced at another index than ${index}`);
  }

  async getTiles(refs: TileRef[]): Promise<Tile[]> {
    const items = await batchGetAll(
      this.db,
      this.table,
      refs.map((r) => logKeys.tile(this.log, r.level, r.index)),
      true,
    );
    return items.map((i) => ({ level: Number(i.level), index: Number(i.index), hashes: i.hashes as Uint8Array }));
  }

  async putTiles(tiles: Tile[]): Promise<void> {
    await Promise.all(
      tiles.map((t) =>
        conditionally(
          this.db.send(
            new PutCommand({
              TableName: this.table,
              Item: {
                ...logKeys.tile(this.log, t.level, t.index),
                entity: "log_tile",
                level: t.level,
                index: t.index,
                width: t.hashes.byteLength / HASH_BYTES,
                hashes: t.hashes,
              },
              // A slower integrator finishing an older batch must not cut a tile back.
              ConditionExpression: "attribute_not_exists(pk) OR #width <= :width",
              ExpressionAttributeNames: { "#width": "width" },
              ExpressionAttributeValues: { ":width": t.hashes.byteLength / HASH_BYTES },
            }),
          ),
        ),
      ),
    );
  }

  async getHead(): Promise<LogHead | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: logKeys.head(this.log), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { size: Number(out.Item.size), rootHash: out.Item.rootHash as Uint8Array, checkpoint: String(out.Item.checkpoint) };
  }

  /** Writes an item that must not exist yet; false when it does. */
  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    return conditionally(this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: "attribute_not_exists(pk)" })));
  }

  async advanceHead(head: LogHead): Promise<void> {
    await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...logKeys.head(this.log), entity: "log_head", size: head.size, rootHash: head.rootHash, checkpoint: head.checkpoint },
          ConditionExpression: "attribute_not_exists(pk) OR #size < :size",
          ExpressionAttributeNames: { "#size": "size" },
          ExpressionAttributeValues: { ":size": head.size },
        }),
      ),
    );
  }
}

function toEntry(item: Record<string, unknown>): StoredEntry {
  return {
    statementId: String(item.statementId),
    entry: item.entry as Uint8Array,
    leafHash: item.leafHash as Uint8Array,
    acceptedAt: String(item.acceptedAt),
    ...(item.index !== undefined && { index: Number(item.index) }),
    ...(item.evidence !== undefined && { evidence: item.evidence as Record<string, unknown> }),
  };
}
