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

/** What the provider asked sees of its hop request. */
export interface HopRequestView {
  id: string;
  tracebackId: string;
  seq: number;
  kind?: Hop["kind"];
  inquiry?: Hop["inquiry"];
  status: Hop["status"];
  call: Hop["call"];
  namedBy: Hop["namedBy"];
  createdAt: string;
  deadline?: Hop["deadline"];
  answer?: Hop["answer"];
  answeredAt?: string;
  late?: boolean;
  remindersSent?: number;
  overdueAt?: string;
  escalatedAt?: string;
  deferredUntil?: string;
  deferredReason?: string;
}

const OPTIONAL_FIELDS = ["kind", "inquiry", "deadline", "answer", "answeredAt", "late", "remindersSent", "overdueAt", "escalatedAt", "deferredUntil", "deferredReason"] as const;

export function hopRequestView(hop: Hop): HopRequestView {
  const { id, tracebackId, seq, status, call, namedBy, createdAt } = hop;
  const view: HopRequestView = { id, tracebackId, seq, status, call, namedBy, createdAt };
  for (const field of OPTIONAL_FIELDS) if (hop[field] !== undefined) Object.assign(view, { [field]: hop[field] });
  return view;
}
