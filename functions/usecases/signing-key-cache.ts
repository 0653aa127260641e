/**
 * Signing keys as the signature check reads them: from memory, per instance, for at most
 * `maxAgeMs` (30 s), since a key is written once and changes only when it is revoked. That age
 * is the bound on how long a key revoked or registered through another instance can be seen as
 * it was; a change made through this instance is forgotten at once (`forget`, called by the
 * account store after its write), so a single process, the embedded hub, never accepts a key
 * after the response that revoked it. A key that is not there is remembered far more briefly
 * (`absentMs`), and a key registered here forgets that at once too. See docs/adr/0010.
 */
import type { SigningKeyRecord } from "../domain/account.js";
import type { Clock } from "../domain/clock.js";

export interface SigningKeyCacheOptions {
  /** Reads a key as stored now (a strongly consistent read: the cache stands for it for `maxAgeMs`). */
  load: (keyId: string) => Promise<SigningKeyRecord | undefined>;
  clock: Clock;
  maxAgeMs?: number;
  absentMs?: number;
  maxEntries?: number;
}

/** The longest a key revoked elsewhere can still sign on an instance. */
export const KEY_CACHE_MAX_AGE_MS = 30_000;
const ABSENT_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  record: SigningKeyRecord | undefined;
  readAt: number;
}

export class SigningKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<SigningKeyRecord | undefined>>();
  /** Moves on every `forget`: a read that began before it must not be kept. */
  private generation = 0;
  private readonly maxAgeMs: number;
  private readonly absentMs: number;
  private readonly maxEntries: number;

  constructor(private readonly opts: SigningKeyCacheOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? KEY_CACHE_MAX_AGE_MS;
    this.absentMs = opts.absentMs ?? ABSENT_MS;
    this.maxEntries = opts.maxEntries ?? MAX_ENTRIES;
  }

  async get(keyId: string): Promise<SigningKeyRecord | undefined> {
    const now = this.opts.clock.now().getTime();
    const entry = this.entries.get(keyId);
    if (entry && this.fresh(entry, now)) {
      // Least recently used last: the first entry is the one to drop when full.
      this.entries.delete(keyId);
      this.entries.set(keyId, entry);
      return entry.record;
    }
    this.entries.delete(keyId);
    const pending = this.loading.get(keyId);
    if (pending) return pending;
    const generation = this.generation;
    const load = this.opts.load(keyId).then(
      (record) => {
        if (this.loading.get(keyId) === load) this.loading.delete(keyId);
        if (generation === this.generation) this.remember(keyId, { record, readAt: now });
        return record;
      },
      (err: unknown) => {
        if (this.loading.get(keyId) === load) this.loading.delete(keyId);
        throw err;
      },
    );
    this.loading.set(keyId, load);
    return load;
  }

  /** The key was changed (revoked, registered) by this instance: the next request reads it anew. */
  forget(keyId: string): void {
    this.generation++;
    this.entries.delete(keyId);
    this.loading.delete(keyId);
  }

  /** A clock set back makes an entry stale too, rather than young again. */
  private fresh(entry: Entry, now: number): boolean {
    const age = now - entry.readAt;
    return age >= 0 && age < (entry.record ? this.maxAgeMs : this.absentMs);
  }

  private remember(keyId: string, entry: Entry): void {
    this.entries.set(keyId, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
