/** Replayed reads refused from memory, for as long as their window lasts, and never let through when memory is full. */
import { describe, expect, it } from "vitest";
import { RecentSignatures } from "../../../functions/http/middleware/recent-signatures.js";

/** The durable record, as request-store.ts keeps it: a signature once, until it expires. */
function durableStore() {
  const seen = new Map<string, number>();
  let writes = 0;
  return {
    writes: () => writes,
    firstSighting: async (hash: string, until: number, now: number) => {
      writes++;
      const held = seen.get(hash);
      if (held !== undefined && held >= now) return false;
      seen.set(hash, until);
      return true;
    },
  };
}

describe("recent read signatures", () => {
  it("refuses a signature seen before while its window lasts, without a write", async () => {
    const durable = durableStore();
    const recent = new RecentSignatures(durable);
    expect(await recent.firstSighting("s1", 1_360, 1_000)).toBe(true);
    expect(await recent.firstSighting("s1", 1_360, 1_200)).toBe(false);
    expect(await recent.firstSighting("s1", 1_360, 1_360)).toBe(false);
    expect(await recent.firstSighting("s2", 1_360, 1_000)).toBe(true);
    expect(durable.writes()).toBe(0);
  });

  it("refuses the second of two copies that arrive together", async () => {
    const recent = new RecentSignatures(durableStore());
    expect(await Promise.all([recent.firstSighting("s1", 1_060, 1_000), recent.firstSighting("s1", 1_060, 1_000)])).toEqual([true, false]);
  });

  it("lets expired signatures go, the time window refusing them from then on", async () => {
    const recent = new RecentSignatures(durableStore());
    await recent.firstSighting("s1", 1_060, 1_000);
    await recent.firstSighting("s2", 1_100, 1_000);
    await recent.firstSighting("s3", 1_200, 1_090);
    expect(recent.size).toBe(2);
  });

  it("when full, records in the durable store, and checks there until those have expired", async () => {
    const durable = durableStore();
    const recent = new RecentSignatures(durable, 2);
    await recent.firstSighting("a", 1_100, 1_000);
    await recent.firstSighting("b", 1_300, 1_000);
    expect(await recent.firstSighting("c", 1_200, 1_000)).toBe(true);
    expect(durable.writes()).toBe(1);
    // "a" expires and frees a place; "c" is still refused, from the durable store.
    expect(await recent.firstSighting("c", 1_200, 1_150)).toBe(false);
    expect(await recent.firstSighting("b", 1_300, 1_150)).toBe(false);
    expect(await recent.firstSighting("d", 1_250, 1_160)).toBe(true);
    expect(durable.writes()).toBe(3);
    // Past the last durably recorded expiry, memory alone decides again.
    expect(await recent.firstSighting("e", 1_400, 1_251)).toBe(true);
    expect(durable.writes()).toBe(3);
  });
});
