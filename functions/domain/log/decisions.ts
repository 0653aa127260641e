/**
 * The hub's own decisions about a traceback, as statements of the log: which call of a batch
 * started it, whom it asked and by when (a hop placed, a hop opened to its provider), a hop gone overdue or escalated, the
 * outcome, and the findings filed when the traceback ended (its signatures', and its KYC findings
 * against the RMD as of the call). Each is derived from the state the
 * follow-up that makes it holds, and its id from what it decides, never from when it runs: a
 * follow-up repeated after a crash logs the same statement under the same id, once.
 */
import type { RmdFinding } from "../rmd/findings.js";
import type { SnapshotRef } from "../rmd/standing.js";
import type { Finding } from "../shaken/findings.js";
import type { Deadline, Hop, Traceback, TracebackResult, UnregisteredProvider } from "../traceback.js";
import { statementIdFor } from "./entry.js";

export type Decision =
  | {
      type: "hop_placed";
      tracebackId: string;
      hopId: string;
      seq: number;
      status: Hop["status"];
      namedBy: Hop["namedBy"];
      createdAt: string;
      providerId?: string;
      pendingProvider?: UnregisteredProvider;
      deadline?: Deadline;
      deferredUntil?: string;
    }
  | { type: "hop_opened"; tracebackId: string; hopId: string; providerId: string; deadline: Deadline }
  /**
   * A traceback started by call `index` of a batch: `request` is the statement id of the batch
   * request's log entry (logged under its caller, as it concerns many tracebacks).
   */
  | { type: "batch_created"; tracebackId: string; request: string; index: number; createdAt: string }
  | { type: "hop_overdue" | "hop_escalated"; tracebackId: string; hopId: string; at: string }
  | ({ type: "outcome"; tracebackId: string } & TracebackResult)
  | { type: "findings"; tracebackId: string; outcome: TracebackResult["outcome"]; hopSeq?: number; findings: Finding[] }
  | {
      type: "rmd_findings";
      tracebackId: string;
      outcome: TracebackResult["outcome"];
      hopSeq?: number;
      callTimeUtc: string;
      snapshot?: SnapshotRef;
      findings: RmdFinding[];
    };

type OutcomeDecisionType = "outcome" | "findings" | "rmd_findings";

const HOP_DECISIONS = { hop_placed: "placed", hop_opened: "opened", hop_overdue: "overdue", hop_escalated: "escalated" } as const;
export type HopDecisionType = keyof typeof HOP_DECISIONS;

/** Where a decision about a hop is logged: `<traceback>/<hop>/<what>`. */
export function hopDecisionId(tracebackId: string, hopId: string, type: HopDecisionType): string {
  return statementIdFor(tracebackId, `${hopId}/${HOP_DECISIONS[type]}`);
}

/** Where an outcome, or the findings filed with it, is logged: `<traceback>/<what>/<hop seq>/<outcome>`. */
export function outcomeDecisionId(tracebackId: string, type: OutcomeDecisionType, result: { hopSeq?: number; outcome: string }): string {
  return statementIdFor(tracebackId, `${type}/${result.hopSeq ?? 0}/${result.outcome}`);
}

export function decisionId(d: Decision): string {
  if (d.type === "batch_created") return statementIdFor(d.tracebackId, "created");
  return d.type === "outcome" || d.type === "findings" || d.type === "rmd_findings"
    ? outcomeDecisionId(d.tracebackId, d.type, d)
    : hopDecisionId(d.tracebackId, d.hopId, d.type);
}

/** A new hop as it is written: to whom, named by whom, since when, due when (or why it waits). */
export function hopPlaced(hop: Hop): Decision {
  return {
    type: "hop_placed",
    tracebackId: hop.tracebackId,
    hopId: hop.id,
    seq: hop.seq,
    status: hop.status,
    namedBy: hop.namedBy,
    createdAt: hop.createdAt,
    ...(hop.providerId !== undefined && { providerId: hop.providerId }),
    ...(hop.pendingProvider !== undefined && { pendingProvider: hop.pendingProvider }),
    ...(hop.deadline !== undefined && { deadline: hop.deadline }),
    ...(hop.deferredUntil !== undefined && { deferredUntil: hop.deferredUntil }),
  };
}

/**
 * What the hub decided about an open hop whose transition is followed up: asked of its provider
 * by its deadline (logged once, at the first such follow-up: an opening after a registration, an
 * assignment or a deferral, or a reminder), gone overdue, escalated. An answered or cancelled
 * hop's decision is the outcome's or the next hop's.
 */
export function hopDecision(hop: Hop): Decision | undefined {
  if (hop.status !== "open" || !hop.providerId) return undefined;
  if (hop.escalatedAt) return { type: "hop_escalated", tracebackId: hop.tracebackId, hopId: hop.id, at: hop.escalatedAt };
  if (hop.overdueAt) return { type: "hop_overdue", tracebackId: hop.tracebackId, hopId: hop.id, at: hop.overdueAt };
  return hop.deadline ? { type: "hop_opened", tracebackId: hop.tracebackId, hopId: hop.id, providerId: hop.providerId, deadline: hop.deadline } : undefined;
}

/** How the traceback ended. */
export function outcomeOf(tb: Traceback): Decision | undefined {
  return tb.status === "completed" && tb.result ? { type: "outcome", tracebackId: tb.id, ...tb.result } : undefined;
}

/** The findings filed when the traceback ended with that outcome. */
export function findingsAt(tb: Traceback & { result: TracebackResult }, findings: Finding[]): Decision {
  return { type: "findings", tracebackId: tb.id, outcome: tb.result.outcome, ...(tb.result.hopSeq !== undefined && { hopSeq: tb.result.hopSeq }), findings };
}

/** The KYC findings against the RMD recorded when the traceback ended with that outcome. */
export function rmdFindingsAt(
  tb: Traceback & { result: TracebackResult },
  record: { callTimeUtc: string; snapshot?: SnapshotRef; findings: RmdFinding[] },
): Decision {
  return {
    type: "rmd_findings",
    tracebackId: tb.id,
    outcome: tb.result.outcome,
    ...(tb.result.hopSeq !== undefined && { hopSeq: tb.result.hopSeq }),
    callTimeUtc: record.callTimeUtc,
    ...(record.snapshot && { snapshot: record.snapshot }),
    findings: record.findings,
  };
}
