/** How long a key change made elsewhere can go unseen, and what a change made here does at once. */
import { describe, expect, it } from "vitest";
import type { SigningKeyRecord } from "../../functions/domain/account.js";
import { ManualClock } from "../support/manual-clock.js";
import { KEY_CACHE_MAX_AGE_MS, SigningKeyCache } from "../../functions/usecases/signing-key-cache.js";

const KEY: SigningKeyRecord = {
  keyId: "kid-1",
  accountId: "acc_1",
  accountKind: "provider",
  publicJwk: { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" },
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
  createdBy: "acc_consortium",
};

/** A table of keys that another instance changes, and the reads this one makes of it. */
function world() {
  const clock = new ManualClock(new Date("2026-06-01T12:00:00Z"));
  const stored = new Map<string, SigningKeyRecord>([[KEY.keyId, KEY]]);
  const reads: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const cache = new SigningKeyCache({
    clock,
    load: async (keyId) => {
      reads.push(keyId);
      const seen = stored.get(keyId);
      if (hold) await new Promise<void>((r) => (release = r));
      return seen;
    },
  });
  const revokeElsewhere = (keyId: string) => stored.set(keyId, { ...stored.get(keyId)!, status: "revoked" });
  return { clock, stored, reads, cache, revokeElsewhere, holdNextRead: () => (hold = true), releaseRead: () => (release?.(), (hold = false)) };
}

describe("the signing key cache", () => {
  it("reads a key once and serves it from memory while it is young", async () => {
    const w = world();
    expect(await w.cache.get(KEY.keyId)).toEqual(KEY);
    w.clock.advance(KEY_CACHE_MAX_AGE_MS - 1);
    expect(await w.cache.get(KEY.keyId)).toEqual(KEY);
    expect(w.reads).toEqual([KEY.keyId]);
  });

  it("sees a revocation made by another instance within 30 s, and not before", async () => {
    const w = world();
    await w.cache.get(KEY.keyId);
    w.revokeElsewhere(KEY.keyId);
    w.clock.advance(29_999);
    expect((await w.cache.get(KEY.keyId))?.status).toBe("active");
    w.clock.advance(1);
    expect((await w.cache.get(KEY.keyId))?.status).toBe("revoked");
    expect(KEY_CACHE_MAX_AGE_MS).toBeLessThanOrEqual(30_000);
  });

  it("forgets a key changed through this instance at once", async () => {
    const w = world();
    await w.cache.get(KEY.keyId);
    w.revokeElsewhere(KEY.keyId);
    w.cache.forget(KEY.keyId);
    expect((await w.cache.get(KEY.keyId))?.status).toBe("revoked");
  });

  it("does not keep a read that was under way when the key was forgotten", async () => {
    const w = world();
    w.holdNextRead();
    const early = w.cache.get(KEY.keyId);
    // The read has seen the key active; the revocation lands and is forgotten before it returns.
    w.revokeElsewhere(KEY.keyId);
    w.cache.forget(KEY.keyId);
    w.releaseRead();
    expect((await early)?.status).toBe("active");
    expect((await w.cache.get(KEY.keyId))?.status).toBe("revoked");
  });

  it("remembers an unknown key for a second only, and a key registered here at once", async () => {
    const w = world();
    expect(await w.cache.get("kid-new")).toBeUndefined();
    w.stored.set("kid-new", { ...KEY, keyId: "kid-new" });
    w.clock.advance(999);
    expect(await w.cache.get("kid-new")).toBeUndefined();
    w.clock.advance(1);
    expect((await w.cache.get("kid-new"))?.keyId).toBe("kid-new");

    expect(await w.cache.get("kid-other")).toBeUndefined();
    w.stored.set("kid-other", { ...KEY, keyId: "kid-other" });
    w.cache.forget("kid-other");
    expect((await w.cache.get("kid-other"))?.keyId).toBe("kid-other");
  });

  it("shares one read between requests that miss together", async () => {
    const w = world();
    await Promise.all([w.cache.get(KEY.keyId), w.cache.get(KEY.keyId), w.cache.get(KEY.keyId)]);
    expect(w.reads).toEqual([KEY.keyId]);
  });

  it("counts a clock set back as stale, not young", async () => {
    const w = world();
    await w.cache.get(KEY.keyId);
    w.clock.advance(-1);
    await w.cache.get(KEY.keyId);
    expect(w.reads).toHaveLength(2);
  });

  it("holds at most its bound, dropping the least recently used key", async () => {
    const clock = new ManualClock(new Date("2026-06-01T12:00:00Z"));
    const reads: string[] = [];
    const cache = new SigningKeyCache({ clock, maxEntries: 2, load: async (keyId) => (reads.push(keyId), { ...KEY, keyId }) });
    await cache.get("a");
    await cache.get("b");
    await cache.get("a");
    await cache.get("c");
    await cache.get("a");
    await cache.get("b");
    expect(reads).toEqual(["a", "b", "c", "b"]);
  });
});
