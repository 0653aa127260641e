/**
 * The signatures of reads this instance has accepted, each kept in memory until the time window
 * would refuse it anyway (its `expires` plus the allowed skew), so a read is refused as a replay
 * without a write to storage. Memory is bounded: when `maxEntries` live signatures are held, the
 * next ones are recorded in the durable store instead, and until the last of those has expired
 * every signature not found here is checked there too, so a full cache lets no replay through.
 * What this does not refuse, a read replayed to another instance, is weighed in docs/adr/0010.
 */
import type { RequestStore } from "../../usecases/request-ports.js";

export const MAX_RECENT_SIGNATURES = 100_000;

export class RecentSignatures {
  /** Signature hash -> the last second at which it could still be accepted. */
  private readonly seen = new Map<string, number>();
  /** Until this second, some signatures are recorded only in the durable store. */
  private durableUntil = 0;

  constructor(
    private readonly durable: Pick<RequestStore, "firstSighting">,
    private readonly maxEntries = MAX_RECENT_SIGNATURES,
  ) {}

  /** True the first time a signature is seen; false for a replay while its window lasts. */
  async firstSighting(signatureHash: string, acceptableUntilSeconds: number, nowSeconds: number): Promise<boolean> {
    const until = this.seen.get(signatureHash);
    if (until !== undefined && until >= nowSeconds) return false;
    // Checked and recorded before any await: two copies arriving together cannot both pass.
    this.prune(nowSeconds);
    if (this.seen.size < this.maxEntries) {
      this.seen.set(signatureHash, acceptableUntilSeconds);
      if (nowSeconds > this.durableUntil) return true;
    } else {
      this.durableUntil = Math.max(this.durableUntil, acceptableUntilSeconds);
    }
    return this.durable.firstSighting(signatureHash, acceptableUntilSeconds, nowSeconds);
  }

  /** How many signatures are held. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Drops expired signatures from the oldest end (insertion order is nearly expiry order) and,
   * when that leaves the cache full, from anywhere.
   */
  private prune(nowSeconds: number): void {
    for (const [hash, until] of this.seen) {
      if (until >= nowSeconds) break;
      this.seen.delete(hash);
    }
    if (this.seen.size < this.maxEntries) return;
    for (const [hash, until] of this.seen) if (until < nowSeconds) this.seen.delete(hash);
  }
}
