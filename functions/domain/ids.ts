/**
 * Identifiers. Random ids are ULIDs (sortable by creation); derived ids are deterministic so that
 * a retried step writes the same item twice instead of two items.
 */
export interface IdGenerator {
  /** A new sortable unique id (a ULID) for the given prefix, e.g. `tb_01J...`. */
  next(prefix: IdPrefix): string;
  /** The same id for the same time and seed: what a retry of a request names as its first attempt did. */
  derived(prefix: IdPrefix, at: number, seed: string): string;
}

export type IdPrefix = "tb" | "acc" | "evt" | "ep" | "req" | "rmd" | "cmp";

const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const HOP_ID = new RegExp(`^hop_(${ULID})_(\\d{1,3})$`);
const TRACEBACK_ID = new RegExp(`^tb_${ULID}$`);

/**
 * Signer inquiries live beside the hops of their traceback with sequence numbers from here on,
 * so the chain (1..899) and the inquiries never collide and share one id scheme.
 */
export const INQUIRY_SEQ_BASE = 901;

export function isInquirySeq(seq: number): boolean {
  return seq >= INQUIRY_SEQ_BASE;
}

/** The hop id of hop `seq` (1 = the terminating provider) of a traceback. */
export function hopIdOf(tracebackId: string, seq: number): string {
  return `hop_${tracebackId.slice(3)}_${seq}`;
}

export function parseHopId(hopId: string): { tracebackId: string; seq: number } | undefined {
  const m = HOP_ID.exec(hopId);
  if (!m) return undefined;
  const seq = Number(m[2]);
  return seq >= 1 ? { tracebackId: `tb_${m[1]}`, seq } : undefined;
}

export function isTracebackId(id: string): boolean {
  return TRACEBACK_ID.test(id);
}

/** Ids of events derived from a state change: the same change always yields the same event id. */
export function derivedEventId(subjectId: string, type: string): string {
  return `evt_${subjectId}.${type}`;
}
