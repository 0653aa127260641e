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
const OPTIONAL_FIELDS = ["kind", "inquiry", "deadline", "answer", "answeredAt", "answeredBy", "late", "amendments", "remindersSent", "overdueAt", "escalatedAt", "deferredUntil", "deferredReason"] as const;

/**
 * What the provider asked sees of its hop request: the call, who named it, its own answer (and
 * which of its keys or persons gave it) and the clock; not the provider on either side of the
 * rest of the chain.
 */
export type HopRequestView = Pick<Hop, (typeof REQUIRED_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number]>;

export function hopRequestView(hop: Hop): HopRequestView {
  const view: Record<string, unknown> = {};
  for (const field of [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]) if (hop[field] !== undefined) view[field] = hop[field];
  return view as HopRequestView;
}
