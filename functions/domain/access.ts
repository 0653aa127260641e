/**
 * Who may see and do what. A provider sees only the hop requests addressed to it, and of those
 * only the call and who named it; the whole chain is for the consortium and the initiator.
 */
import type { Principal } from "./account.js";
import type { Hop, Traceback } from "./traceback.js";

export function canCreateTraceback(p: Principal): boolean {
  return p.kind === "consortium" || p.kind === "initiator";
}

export function canReadTraceback(p: Principal, tb: Pick<Traceback, "initiatorId">): boolean {
  return p.kind === "consortium" || (p.kind === "initiator" && tb.initiatorId === p.accountId);
}

export function isAddressedTo(p: Principal, hop: Pick<Hop, "providerId">): boolean {
  return p.kind === "provider" && hop.providerId === p.accountId;
}

const REQUIRED_FIELDS = ["id", "tracebackId", "seq", "status", "call", "namedBy", "createdAt"] as const;
const OPTIONAL_FIELDS = [
  "kind",
  "inquiry",
  "deadline",
  "answer",
  "answeredAt",
  "answeredBy",
  "late",
  "amendments",
  "remindersSent",
  "overdueAt",
  "escalatedAt",
  "deferredUntil",
  "deferredReason",
] as const;

/**
 * What the provider asked sees of its hop request: the call, who named it, its own answer (and
 * which of its keys or persons gave it) and the clock; not the provider on either side of the
 * rest of the chain.
 */
export type HopRequestView = Pick<Hop, (typeof REQUIRED_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number]>;

export function hopRequestView(hop: Hop): HopRequestView {
  return only(hop, [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]);
}

const CHAIN_HOP_FIELDS = [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS, "providerId", "pendingProvider"] as const;
const TRACEBACK_FIELDS = [
  "id",
  "initiatorId",
  "status",
  "call",
  "campaign",
  "notes",
  "mediaUrl",
  "transcript",
  "identityHeaders",
  "signatures",
  "callFindings",
  "deadlinePolicy",
  "createdAt",
  "createdBy",
  "hopCount",
  "path",
  "result",
  "overdue",
  "intel",
] as const satisfies ReadonlyArray<keyof Traceback>;

/**
 * What the consortium and the traceback's initiator see of a traceback and of each hop in its
 * chain: the members named here, so that whatever else a stored item carries (the evidence kept
 * beside an answer, or a member added later for the hub alone) stays inside until it is named.
 */
export type TracebackView = Pick<Traceback, (typeof TRACEBACK_FIELDS)[number]>;
export type ChainHopView = Pick<Hop, (typeof CHAIN_HOP_FIELDS)[number]>;

export const tracebackView = (tb: Traceback): TracebackView => only(tb, TRACEBACK_FIELDS);
export const chainHopView = (hop: Hop): ChainHopView => only(hop, CHAIN_HOP_FIELDS);

function only<T, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
  const view: Partial<Pick<T, K>> = {};
  for (const field of fields) if (value[field] !== undefined) view[field] = value[field];
  return view as Pick<T, K>;
}
