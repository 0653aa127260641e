/**
 * Corrections to an answer already given. Each is kept on its own, beside the original answer
 * (which never changes), and the number and size of them are bounded: what a hop request keeps
 * must not grow without end, nor past what one stored item can hold.
 */
import type { HopAnswer } from "./answer-schema.js";
import { ConflictError, RuleViolationError } from "./errors.js";
import type { Amendment, Hop } from "./traceback.js";

export const MAX_AMENDMENTS_PER_HOP = 10;
/** The amendment as JSON (answer and reason), in UTF-8 bytes. */
export const MAX_AMENDMENT_BYTES = 16_384;

/** The next amendment of `hop`, or the reason there can be none. */
export function nextAmendment(hop: Hop, answer: HopAnswer, reason: string, at: Date, by: Amendment["amendedBy"]): Amendment {
  const count = hop.amendments?.length ?? 0;
  if (count >= MAX_AMENDMENTS_PER_HOP) {
    throw new ConflictError("too_many_amendments", `hop request ${hop.id} has ${count} amendments, the most it can take`);
  }
  const bytes = new TextEncoder().encode(JSON.stringify({ answer, reason })).byteLength;
  if (bytes > MAX_AMENDMENT_BYTES) {
    throw new RuleViolationError("amendment_too_large", `an amendment takes at most ${MAX_AMENDMENT_BYTES} bytes as JSON; this one takes ${bytes}`, "");
  }
  return { number: count + 1, answer, reason, amendedAt: at.toISOString(), amendedBy: by };
}
