/** Seen signatures and idempotency records in memory, with their expiry: the RequestStore contract. */
import type { IdempotencyRecord, IdempotencyStart, RequestStore, StoredResponse } from "../../functions/usecases/request-ports.js";
import { copy } from "./paging.js";

type Held = IdempotencyRecord & { firstTriedAt?: number; expiresAt: number };

export class MemoryRequestStore implements RequestStore {
  private readonly signatures = new Map<string, number>();
  private readonly records = new Map<string, Held>();

  async firstSighting(signatureHash: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean> {
    const seen = this.signatures.get(signatureHash);
    if (seen !== undefined && seen >= nowSeconds) return false;
    this.signatures.set(signatureHash, expiresAtSeconds);
    return true;
  }

  async startIdempotent(
    principalId: string,
    key: string,
    fingerprint: string,
    nowMs: number,
    retentionSeconds: number,
    leaseSeconds: number,
  ): Promise<IdempotencyStart> {
    const id = `${principalId}#${key}`;
    const held = this.records.get(id);
    if (!held || held.expiresAt < Math.floor(nowMs / 1000)) {
      this.records.set(id, { state: "in_flight", fingerprint, startedAt: nowMs, firstTriedAt: nowMs, expiresAt: Math.floor(nowMs / 1000) + retentionSeconds });
      return { kind: "started", firstTriedAt: nowMs };
    }
    if (held.state === "in_flight" && held.fingerprint === fingerprint && held.startedAt < nowMs - leaseSeconds * 1000) {
      const firstTriedAt = held.firstTriedAt ?? held.startedAt;
      this.records.set(id, { ...held, startedAt: nowMs, firstTriedAt });
      return { kind: "started", firstTriedAt };
    }
    const record: IdempotencyRecord =
      held.state === "done"
        ? { state: "done", fingerprint: held.fingerprint, response: copy(held.response) }
        : { state: "in_flight", fingerprint: held.fingerprint, startedAt: held.startedAt };
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
    this.records.set(`${principalId}#${key}`, { state: "done", fingerprint, response: copy(response), expiresAt: Math.floor(nowMs / 1000) + retentionSeconds });
  }

  async abandonIdempotent(principalId: string, key: string, fingerprint: string): Promise<void> {
    const held = this.records.get(`${principalId}#${key}`);
    if (held?.state === "in_flight" && held.fingerprint === fingerprint) this.records.delete(`${principalId}#${key}`);
  }

  /** Drops an idempotency record, as its expiry does, or a crash before it was written. */
  forget(principalId: string, key: string): void {
    this.records.delete(`${principalId}#${key}`);
  }
}
