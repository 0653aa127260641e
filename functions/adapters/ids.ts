import { createHash } from "node:crypto";
import { monotonicFactory, ulid } from "ulid";
import type { IdGenerator, IdPrefix } from "../domain/ids.js";

/**
 * ULIDs, monotonic within a process so ids made in the same millisecond still sort. A derived
 * one takes its random part from a hash of the seed, so it still sorts by its time.
 */
export function ulidGenerator(now: () => number = Date.now): IdGenerator {
  const next = monotonicFactory();
  return {
    next: (prefix: IdPrefix) => `${prefix}_${next(now())}`,
    derived: (prefix: IdPrefix, at: number, seed: string) => {
      const bytes = createHash("sha256").update(seed).digest();
      let i = 0;
      return `${prefix}_${ulid(at, () => bytes[i++]! / 256)}`;
    },
  };
}
