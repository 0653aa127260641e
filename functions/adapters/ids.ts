import { monotonicFactory } from "ulid";
import type { IdGenerator, IdPrefix } from "../domain/ids.js";

/** ULIDs, monotonic within a process so ids made in the same millisecond still sort. */
export function ulidGenerator(now: () => number = Date.now): IdGenerator {
  const next = monotonicFactory();
  return { next: (prefix: IdPrefix) => `${prefix}_${next(now())}` };
}
