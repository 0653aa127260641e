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
  status: Hop["status"];
  call: Hop["call"];
  namedBy: Hop["namedBy"];
  createdAt: string;
  deadline?: Hop["deadline"];
  answer?: Hop["answer"];
  answeredAt?: string;
  late?: boolean;
}

export function hopRequestView(hop: Hop): HopRequestView {
  const { id, tracebackId, seq, status, call, namedBy, createdAt, deadline, answer, answeredAt, late } = hop;
  return {
    id, tracebackId, seq, status, call, namedBy, createdAt,
    ...(deadline && { deadline }),
    ...(answer && { answer }),
    ...(answeredAt && { answeredAt }),
    ...(late !== undefined && { late }),
  };
}
