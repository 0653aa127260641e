/** What the request middleware needs from storage. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body is sealed (it holds a secret). */
  sealed?: boolean;
}

export type IdempotencyRecord =
  | { state: "in_flight"; fingerprint: string; startedAt: number }
  | { state: "done"; fingerprint: string; response: StoredResponse };

/**
 * A claim of the key, or what is stored under it. `firstTriedAt` stays the time of the first
 * attempt when a later one takes over the claim of a crashed one.
 */
export type IdempotencyStart = { kind: "started"; firstTriedAt: number } | { kind: "existing"; record: IdempotencyRecord };

export interface RequestStore {
  firstSighting(signatureHash: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean>;
  startIdempotent(
    principalId: string,
    key: string,
    fingerprint: string,
    nowMs: number,
    retentionSeconds: number,
    leaseSeconds: number,
  ): Promise<IdempotencyStart>;
  completeIdempotent(principalId: string, key: string, fingerprint: string, response: StoredResponse, nowMs: number, retentionSeconds: number): Promise<void>;
  abandonIdempotent(principalId: string, key: string, fingerprint: string): Promise<void>;
}
