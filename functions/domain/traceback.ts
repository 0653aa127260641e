/**
 * The traceback state machine. A traceback is a chain of hops; each hop asks one provider who
 * handed it the call. An answer either names the next upstream (a new hop), or ends the chain with
 * an outcome. Everything here is pure: the caller supplies the clock, ids and deadlines, and
 * persists what the functions return with conditional writes.
 */
import { z } from "zod";
import type { E164 } from "./phone.js";
import { OUTCOMES, outcomeOfTerminalAnswer, type Outcome } from "./answer.js";
import { hopAnswerSchema, type HopAnswer } from "./answer-schema.js";
import { signerSchema, type Signer } from "./signer.js";
import { ConflictError } from "./errors.js";
import { hopIdOf, INQUIRY_SEQ_BASE, isInquirySeq } from "./ids.js";
import { findingSchema, type Finding } from "./shaken/finding-schema.js";
import type { TracebackIntel } from "./intel/intel.js";

export interface CallDetails {
  /** What the call is looked up by: `callingNumberE164` when present, otherwise the number as given. */
  callingNumber: string;
  /** Exactly as the initiator gave it: the caller ID of a traced call is often spoofed, even invalid. */
  callingNumberAsGiven: string;
  /** Present when the calling number parses as a possible number. */
  callingNumberE164?: E164;
  calledNumber: E164;
  /** The call time exactly as the initiator gave it, with its offset. */
  callTime: string;
  callTimeUtc: string;
}

export const TRACEBACK_STATUSES = ["open", "waiting_on_provider", "completed"] as const;
export type TracebackStatus = (typeof TRACEBACK_STATUSES)[number];

/** How a traceback ended: the contract's `TracebackResult` is built from it. */
export const tracebackResultSchema = z.object({
  outcome: z.enum(OUTCOMES),
  reason: z.string().optional(),
  /** The hop whose answer (or silence) decided the outcome. */
  hopSeq: z.number().int().optional(),
  decidedAt: z.string(),
  decidedBy: z.string(),
});
export type TracebackResult = z.infer<typeof tracebackResultSchema>;

/**
 * What the STIR/SHAKEN signature of one Identity header of the call says (see signatures.ts): the
 * contract's `SignatureAnalysis` is built from it.
 */
export const signatureAnalysisSchema = z.object({
  identityIndex: z.number().int(),
  signatureValid: z.boolean(),
  chainValid: z.boolean(),
  spc: z.string().optional(),
  signerProviderId: z.string().optional(),
  attest: z.string().optional(),
  origid: z.string().optional(),
  iat: z.number().int().optional(),
  x5u: z.string().optional(),
  certificateSha256: z.string().optional(),
  findings: z.array(findingSchema),
});
export type SignatureAnalysis = z.infer<typeof signatureAnalysisSchema>;

export interface Traceback {
  id: string;
  initiatorId: string;
  status: TracebackStatus;
  call: CallDetails;
  campaign?: string;
  notes?: string;
  mediaUrl?: string;
  /** What the call said, as transcribed: compared with other calls to group them into campaigns. */
  transcript?: string;
  /** Raw SIP Identity headers as captured, kept verbatim as evidence. */
  identityHeaders: string[];
  /** One analysis per Identity header, made when the traceback was created. */
  signatures?: SignatureAnalysis[];
  /** What the call's numbers alone reveal (an invalid or unallocated calling number, neighbor spoofing), found at creation. */
  callFindings?: Finding[];
  deadlinePolicy: string;
  createdAt: string;
  createdBy: string;
  /** The sequence number of the latest hop; the chain is hops 1..hopCount. */
  hopCount: number;
  /** Registered providers on the path in hop order, terminating first. */
  path: string[];
  result?: TracebackResult;
  /** Set while the current hop request is past its due time without an answer. */
  overdue?: { hopSeq: number; since: string };
  /** What its end established, recorded by the follow-up that decided the outcome. */
  intel?: TracebackIntel;
}

export const HOP_STATUSES = ["open", "answered", "awaiting_registration", "deferred", "cancelled"] as const;
export type HopStatus = (typeof HOP_STATUSES)[number];

export interface UnregisteredProvider {
  name: string;
  frn?: string;
  rmdNumber?: string;
  contact?: { name?: string; email?: string; phone?: string };
}

/** When a hop request is due, and what happens before and after: the contract's `Deadline` is built from it. */
export const deadlineSchema = z.object({
  clockStartsAt: z.string(),
  dueAt: z.string(),
  /** When reminders go out, ascending, all before `dueAt`. */
  reminders: z.array(z.string()).optional(),
  /** When silence past the due time ends the traceback as non-responsive. */
  escalateAt: z.string().optional(),
});
export type Deadline = z.infer<typeof deadlineSchema>;

export interface Hop {
  id: string;
  tracebackId: string;
  seq: number;
  /** A signer inquiry asks the provider that signed the call which customer `origid` is. */
  kind?: "signer_inquiry";
  inquiry?: { identityIndex: number; origid?: string; attest?: string; spc?: string };
  /** The provider asked; absent while the named upstream is not registered. */
  providerId?: string;
  pendingProvider?: UnregisteredProvider;
  /** Who named this provider: the initiator for hop 1, otherwise the provider of the previous hop. */
  namedBy: { accountId: string; hopId?: string };
  status: HopStatus;
  /** A copy of the call, so that a provider reads its hop request in one lookup. */
  call: CallDetails;
  createdAt: string;
  deadline?: Deadline;
  answer?: HopAnswer;
  answeredAt?: string;
  answeredBy?: Signer;
  late?: boolean;
  /** What its answer, or its cancellation for a loop, decided (absent on hops kept by earlier versions). */
  decision?: HopDecision;
  /** Corrections by the provider after its answer; the original answer stays as it was. */
  amendments?: Amendment[];
  /** Reminders already sent, overdue marking and escalation, kept by the deadline sweeper. */
  remindersSent?: number;
  overdueAt?: string;
  escalatedAt?: string;
  /** A deferred hop (weekly request cap reached) opens at this time. */
  deferredUntil?: string;
  deferredReason?: string;
}

/** A correction of an answer, kept beside it: the contract's `Amendment` is built from it. */
export const amendmentSchema = z.object({
  /** 1 for the first amendment of a hop request, and so on. */
  number: z.number().int().min(1),
  answer: hopAnswerSchema,
  reason: z.string(),
  amendedAt: z.string(),
  amendedBy: signerSchema,
});
export type Amendment = z.infer<typeof amendmentSchema>;

export type DeadlineFor = (receivedAt: Date) => Deadline;

/**
 * The signer inquiries of a traceback: one per verified signature whose signer is a registered
 * provider, asked in parallel with the chain, never instead of it. Derived from the traceback
 * alone, like hop 1, so the follow-up that writes them can be repeated.
 */
export function signerInquiriesOf(traceback: Traceback, deadlineFor: DeadlineFor): Hop[] {
  return (traceback.signatures ?? [])
    .filter((s) => s.signatureValid && s.chainValid && s.signerProviderId)
    .map((s) => {
      const seq = INQUIRY_SEQ_BASE + s.identityIndex;
      return {
        id: hopIdOf(traceback.id, seq),
        tracebackId: traceback.id,
        seq,
        kind: "signer_inquiry" as const,
        inquiry: {
          identityIndex: s.identityIndex,
          ...(s.origid !== undefined && { origid: s.origid }),
          ...(s.attest !== undefined && { attest: s.attest }),
          ...(s.spc !== undefined && { spc: s.spc }),
        },
        providerId: s.signerProviderId!,
        namedBy: { accountId: traceback.initiatorId },
        status: "open" as const,
        call: traceback.call,
        createdAt: traceback.createdAt,
        deadline: deadlineFor(new Date(traceback.createdAt)),
      };
    });
}

export interface NewTraceback {
  id: string;
  initiatorId: string;
  createdBy: string;
  call: CallDetails;
  campaign?: string;
  notes?: string;
  mediaUrl?: string;
  transcript?: string;
  identityHeaders?: string[];
  signatures?: SignatureAnalysis[];
  callFindings?: Finding[];
  deadlinePolicy: string;
  terminatingProviderId: string;
}

export function startTraceback(input: NewTraceback, now: Date, deadlineFor: DeadlineFor): { traceback: Traceback; firstHop: Hop } {
  const createdAt = now.toISOString();
  const traceback: Traceback = {
    id: input.id,
    initiatorId: input.initiatorId,
    status: "open",
    call: input.call,
    identityHeaders: input.identityHeaders ?? [],
    deadlinePolicy: input.deadlinePolicy,
    createdAt,
    createdBy: input.createdBy,
    hopCount: 1,
    path: [input.terminatingProviderId],
    ...(input.campaign !== undefined && { campaign: input.campaign }),
    ...(input.notes !== undefined && { notes: input.notes }),
    ...(input.mediaUrl !== undefined && { mediaUrl: input.mediaUrl }),
    ...(input.transcript !== undefined && { transcript: input.transcript }),
    ...(input.signatures !== undefined && { signatures: input.signatures }),
    ...(input.callFindings !== undefined && { callFindings: input.callFindings }),
  };
  return { traceback, firstHop: firstHopOf(traceback, deadlineFor) };
}

/**
 * Hop 1, asked of the terminating provider. Derived from the traceback alone, so the follow-up
 * that writes it can be repeated after a crash and produce the same item.
 */
export function firstHopOf(traceback: Traceback, deadlineFor: DeadlineFor): Hop {
  return {
    id: hopIdOf(traceback.id, 1),
    tracebackId: traceback.id,
    seq: 1,
    providerId: traceback.path[0]!,
    namedBy: { accountId: traceback.initiatorId },
    status: "open",
    call: traceback.call,
    createdAt: traceback.createdAt,
    deadline: deadlineFor(new Date(traceback.createdAt)),
  };
}

/** The upstream an answer names, after the caller looked it up among registered providers. */
export type ResolvedUpstream = { registered: string } | { unregistered: UnregisteredProvider };

/**
 * What the hub decided when a hop was answered, or cancelled because the provider it was to ask
 * is already on the path. Made once, at that moment, and kept on the hop: its follow-up, however
 * often it runs, applies this decision and never makes it again.
 */
export type HopDecision =
  /** The registered upstream named is asked next. */
  | { kind: "next_hop"; providerId: string }
  /** The upstream named is not registered: the next hop waits for it, as the answer describes it. */
  | { kind: "awaiting_registration" }
  | { kind: "complete"; result: TracebackResult };

/** Who decides what no provider's statement decides (silence, a loop found at a registration). */
const HUB = "hub";

/** How an answer that names no upstream ends the traceback. */
function answerResult(hop: Hop, type: Exclude<HopAnswer["type"], "upstream_identified">, answeredBy: string, at: Date): TracebackResult {
  return { outcome: outcomeOfTerminalAnswer(type), reason: type, hopSeq: hop.seq, decidedAt: at.toISOString(), decidedBy: answeredBy };
}

/** The end of a traceback whose next provider (named, or registered for a waiting hop) is already on its path. */
function loopResult(hop: Hop, providerId: string | undefined, at: string, decidedBy: string): TracebackResult {
  return { outcome: "loop_detected", reason: `provider ${providerId ?? "named"} is already on the path`, hopSeq: hop.seq, decidedAt: at, decidedBy };
}

/** The end of a traceback whose provider let the hop's escalation time pass without an answer. */
function nonResponsiveResult(hop: Hop & { escalatedAt: string }): TracebackResult {
  return {
    outcome: "non_responsive_provider",
    reason: `no answer from ${hop.providerId} by ${hop.deadline?.escalateAt}`,
    hopSeq: hop.seq,
    decidedAt: hop.escalatedAt,
    decidedBy: HUB,
  };
}

/**
 * What an answer to `hop` decides, as of `now`; nothing for a signer inquiry, which runs beside
 * the chain and never moves it. Throws ConflictError when the hop cannot take an answer any more;
 * the caller's conditional write enforces the same rule against races.
 */
export function decideAnswer(
  traceback: Traceback,
  hop: Hop,
  answer: HopAnswer,
  upstream: ResolvedUpstream | undefined,
  answeredBy: string,
  now: Date,
): HopDecision | undefined {
  if (hop.status !== "open") throw new ConflictError("hop_not_open", `hop request ${hop.id} is ${hop.status}`);
  if (traceback.status === "completed" && traceback.result?.outcome === "closed") {
    throw new ConflictError("traceback_closed", `traceback ${traceback.id} was closed`);
  }
  if (isInquirySeq(hop.seq)) return undefined;
  if (answer.type !== "upstream_identified") return { kind: "complete", result: answerResult(hop, answer.type, answeredBy, now) };
  if (!upstream) throw new Error("an upstream_identified answer needs its upstream resolved");
  if (!("registered" in upstream)) return { kind: "awaiting_registration" };
  const named = upstream.registered;
  if (named === hop.providerId || traceback.path.includes(named)) return { kind: "complete", result: loopResult(hop, named, now.toISOString(), answeredBy) };
  return { kind: "next_hop", providerId: named };
}

/** Where a traceback goes from the state of the hop it stands on, and the hop to place next, if any. */
export interface Step {
  traceback: Traceback;
  nextHop?: Hop;
}

/**
 * The traceback's next state from the current state of `hop`, or nothing when the hop's state
 * does not move it (any more). Pure and derived from the two items alone (an answer's decision
 * as its hop keeps it, times as the hop records them), so a follow-up repeated after a crash or
 * run twice at once computes the same step and writes the same next hop.
 */
export function nextStep(traceback: Traceback, hop: Hop, deadlineFor: DeadlineFor): Step | undefined {
  // Signer inquiries run beside the chain and never move it; a hop the chain left moves it no more.
  if (traceback.status === "completed" || traceback.hopCount !== hop.seq || isInquirySeq(hop.seq)) return undefined;
  switch (hop.status) {
    case "open":
      return openStep(traceback, hop);
    case "cancelled":
      // A cancellation that decided nothing was made by an earlier version, only ever for a loop.
      return { traceback: ended(traceback, hop.decision?.kind === "complete" ? hop.decision.result : loopResult(hop, hop.providerId, hop.createdAt, HUB)) };
    case "answered":
      if (!hop.decision || !hop.answeredAt || !hop.answeredBy) return undefined;
      return answeredStep(traceback, hop, hop.decision, { at: hop.answeredAt, by: hop.answeredBy.accountId }, deadlineFor);
    default:
      return undefined;
  }
}

/** An open hop: escalated, it ends the traceback; opened for a registered upstream, the traceback no longer waits; overdue, the traceback shows it. */
function openStep(traceback: Traceback, hop: Hop): Step | undefined {
  if (hop.escalatedAt) return { traceback: ended(traceback, nonResponsiveResult({ ...hop, escalatedAt: hop.escalatedAt })) };
  const opened = traceback.status === "waiting_on_provider" ? { ...traceback, status: "open" as const, path: [...traceback.path, hop.providerId!] } : undefined;
  // The traceback shows that its current hop is overdue, so the overdue ones can be listed.
  if (hop.overdueAt && !traceback.overdue) return { traceback: { ...(opened ?? traceback), overdue: { hopSeq: hop.seq, since: hop.overdueAt } } };
  return opened && { traceback: opened };
}

/** An answered hop: its decision applied, the next hop asked as of the answer's own time; `path` grows only with registered providers. */
function answeredStep(traceback: Traceback, hop: Hop, decision: HopDecision, answered: { at: string; by: string }, deadlineFor: DeadlineFor): Step | undefined {
  if (decision.kind === "complete") return { traceback: ended(traceback, decision.result) };
  const seq = hop.seq + 1;
  const base = {
    id: hopIdOf(traceback.id, seq),
    tracebackId: traceback.id,
    seq,
    namedBy: { accountId: answered.by, hopId: hop.id },
    call: hop.call,
    createdAt: answered.at,
  };
  const current = settled(traceback);
  if (decision.kind === "next_hop") {
    const nextHop: Hop = { ...base, providerId: decision.providerId, status: "open", deadline: deadlineFor(new Date(answered.at)) };
    return { traceback: { ...current, status: "open", hopCount: seq, path: [...current.path, decision.providerId] }, nextHop };
  }
  const named = hop.answer?.type === "upstream_identified" ? hop.answer.upstream : undefined;
  if (!named || !("name" in named)) return undefined;
  return {
    traceback: { ...current, status: "waiting_on_provider", hopCount: seq },
    nextHop: { ...base, pendingProvider: named, status: "awaiting_registration" },
  };
}

/** The traceback ended with `result`. */
function ended(traceback: Traceback, result: TracebackResult): Traceback {
  return { ...settled(traceback), status: "completed", result };
}

/** The traceback without the overdue mark of a hop that was answered, cancelled or escalated. */
function settled(traceback: Traceback): Traceback {
  const { overdue: _overdue, ...rest } = traceback;
  return rest;
}

/**
 * A hop waiting on an unregistered provider becomes an open hop request once that provider is
 * registered. If the new provider is already on the path, the hop is cancelled instead, with the
 * loop it found as its decision: its follow-up ends the traceback with it.
 */
export function assignRegisteredProvider(traceback: Traceback, hop: Hop, providerId: string, now: Date, deadlineFor: DeadlineFor): Hop {
  if (hop.status !== "awaiting_registration") throw new ConflictError("hop_not_awaiting_registration", `hop request ${hop.id} is ${hop.status}`);
  if (traceback.path.includes(providerId)) {
    return { ...hop, status: "cancelled", decision: { kind: "complete", result: loopResult(hop, providerId, now.toISOString(), HUB) } };
  }
  const { pendingProvider: _, ...rest } = hop;
  return { ...rest, providerId, status: "open", deadline: deadlineFor(now) };
}

/** An initiator or the consortium ends a traceback; the open hop, if any, is cancelled. */
export function closeTraceback(traceback: Traceback, reason: string, by: string, now: Date): Traceback {
  if (traceback.status === "completed")
    throw new ConflictError("traceback_completed", `traceback ${traceback.id} already ended as ${traceback.result?.outcome}`);
  return { ...traceback, status: "completed", result: { outcome: "closed", reason, hopSeq: traceback.hopCount, decidedAt: now.toISOString(), decidedBy: by } };
}
