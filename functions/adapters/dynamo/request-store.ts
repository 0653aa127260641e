/**
 * Per-request records: seen signatures (replay protection) and idempotency records.
 * Both are single conditional writes with a TTL; DynamoDB's TTL deletes lazily and the emulator
 * never does, so readers treat an expired record as absent.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { conditionally } from "./items.js";
import { keys } from "./keys.js";
import type { IdempotencyRecord, IdempotencyStart, RequestStore, StoredResponse } from "../../usecases/request-ports.js";

export class DynamoRequestStore implements RequestStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** True the first time a signature is seen; false for a replay within its lifetime. */
  async firstSighting(signatureHash: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean> {
    return conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.seenSignature(signatureHash), entity: "signature", expiresAt: expiresAtSeconds },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
          ExpressionAttributeValues: { ":now": nowSeconds },
        }),
      ),
    );
  }

  /**
   * Claims an idempotency key for a request, or returns what is stored under it. An in-flight
   * claim older than `leaseSeconds` (its request crashed) can be taken over; the claim keeps the
   * time of the first attempt, from which a handler derives what that attempt may have written.
   */
  async startIdempotent(
    principalId: string,
    key: string,
    fingerprint: string,
    nowMs: number,
    retentionSeconds: number,
    leaseSeconds: number,
  ): Promise<IdempotencyStart> {
    const itemKey = keys.idempotency(principalId, key);
    const nowSeconds = Math.floor(nowMs / 1000);
    const claimed = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...itemKey,
            entity: "idempotency",
            state: "in_flight",
            fingerprint,
            startedAt: nowMs,
            firstTriedAt: nowMs,
            expiresAt: nowSeconds + retentionSeconds,
          },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
          ExpressionAttributeValues: { ":now": nowSeconds },
        }),
      ),
    );
    if (claimed) return { kind: "started", firstTriedAt: nowMs };
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: itemKey, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return this.startIdempotent(principalId, key, fingerprint, nowMs, retentionSeconds, leaseSeconds);
    if (item.state === "in_flight" && item.fingerprint === fingerprint && Number(item.startedAt) < nowMs - leaseSeconds * 1000) {
      const firstTriedAt = Number(item.firstTriedAt ?? item.startedAt);
      const tookOver = await conditionally(
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: itemKey,
            UpdateExpression: "SET startedAt = :now, firstTriedAt = :first",
            ConditionExpression: "#st = :inflight AND startedAt = :seen",
            ExpressionAttributeNames: { "#st": "state" },
            ExpressionAttributeValues: { ":now": nowMs, ":first": firstTriedAt, ":inflight": "in_flight", ":seen": item.startedAt },
          }),
        ),
      );
      if (tookOver) return { kind: "started", firstTriedAt };
      // Another retry took it over first: it is in flight again.
      return this.startIdempotent(principalId, key, fingerprint, nowMs, retentionSeconds, leaseSeconds);
    }
    const record: IdempotencyRecord =
      item.state === "done"
        ? { state: "done", fingerprint: String(item.fingerprint), response: item.response as StoredResponse }
        : { state: "in_flight", fingerprint: String(item.fingerprint), startedAt: Number(item.startedAt) };
    return { kind: "existing", record };
  }

  async completeIdempotent(
    principalId: string,
    key: string,
    fingerprint: string,
    response: StoredResponse,
    nowMs: number,
    retentionSeconds: number,
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.idempotency(principalId, key),
          entity: "idempotency",
          state: "done",
          fingerprint,
          response,
          expiresAt: Math.floor(nowMs / 1000) + retentionSeconds,
        },
      }),
    );
  }

  /** A request that failed without a stored outcome frees its key so the client can retry. */
  async abandonIdempotent(principalId: string, key: string, fingerprint: string): Promise<void> {
    await conditionally(
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.idempotency(principalId, key),
          ConditionExpression: "#st = :inflight AND fingerprint = :fp",
          ExpressionAttributeNames: { "#st": "state" },
          ExpressionAttributeValues: { ":inflight": "in_flight", ":fp": fingerprint },
        }),
      ),
    );
  }
}
