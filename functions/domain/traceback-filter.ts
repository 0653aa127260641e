/**
 * Finding tracebacks: the filters an analyst lists them by, and the facets a traceback is filed
 * under so that each filter is answered by reading one index partition rather than every
 * traceback. Pure: the store decides where facets live; this decides what they are and which
 * one narrows a query most.
 */
import { z } from "zod";
import { OUTCOMES, type Outcome } from "./answer.js";
import { TRACEBACK_STATUSES, type Traceback, type TracebackStatus } from "./traceback.js";
import { findingKindsOf, type FindingKind } from "./intel/record.js";
import { FINDING_KINDS } from "./intel/intel.js";

/** What tracebacks are listed by, each filter within its bounds: the contract's list query is built from it. */
export const tracebackFilterSchema = z.object({
  status: z.enum(TRACEBACK_STATUSES).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  /** Created at or after (ISO 8601, UTC). */
  createdFrom: z.string().optional(),
  /** Created before (ISO 8601, UTC). */
  createdTo: z.string().optional(),
  /** In the form the traceback looks the call up by (`call.callingNumber`). */
  callingNumber: z.string().min(1).max(64).optional(),
  /** E.164. */
  calledNumber: z.string().min(1).max(32).optional(),
  /** A registered provider on the path. */
  providerId: z.string().min(1).max(64).optional(),
  campaign: z.string().min(1).max(200).optional(),
  /** Only tracebacks whose current hop request is past its due time, unanswered. */
  overdue: z.boolean().optional(),
  /** Only tracebacks with a finding of this kind: of the call or its signatures from creation on, of the RMD once ended. */
  hasFinding: z.enum(FINDING_KINDS).optional(),
});
export type TracebackFilter = z.infer<typeof tracebackFilterSchema>;

/** Whose tracebacks: everybody's (the consortium) or one initiator's. */
export interface TracebackScope {
  initiatorId?: string;
}

/**
 * What a traceback is filed under. Facets of what never changes (numbers, campaign) are written
 * once; those of its state (status, outcome, providers on the path, overdue) move with it.
 */
export type Facet =
  | { kind: "calling"; value: string }
  | { kind: "called"; value: string }
  | { kind: "campaign"; value: string }
  | { kind: "provider"; value: string }
  | { kind: "status"; value: TracebackStatus }
  | { kind: "outcome"; value: Outcome }
  | { kind: "overdue" }
  | { kind: "finding"; value: FindingKind };

/** Facets whose partitions take a share of all tracebacks, spread over shards by the store. */
export const BROAD_FACETS: ReadonlySet<Facet["kind"]> = new Set(["status", "outcome", "overdue", "finding"]);

export function facetsOf(tb: Traceback): Facet[] {
  return [
    { kind: "calling", value: tb.call.callingNumber },
    { kind: "called", value: tb.call.calledNumber },
    ...(tb.campaign !== undefined ? [{ kind: "campaign" as const, value: tb.campaign }] : []),
    ...[...new Set(tb.path)].map((value) => ({ kind: "provider" as const, value })),
    { kind: "status", value: tb.status },
    ...(tb.result ? [{ kind: "outcome" as const, value: tb.result.outcome }] : []),
    ...(tb.overdue && tb.status !== "completed" ? [{ kind: "overdue" as const }] : []),
    ...findingKindsOf(tb).map((value) => ({ kind: "finding" as const, value })),
  ];
}

export const facetId = (f: Facet): string => ("value" in f ? `${f.kind}#${f.value}` : f.kind);

/**
 * The partition that narrows the query most: a number, a provider or a campaign names few
 * tracebacks; an initiator's own are fewer than a status or an outcome shared by everybody's.
 * `undefined` means the scope's own listing (an initiator's, or everybody's).
 */
export function drivingFacet(filter: TracebackFilter, scope: TracebackScope): Facet | undefined {
  if (filter.callingNumber !== undefined) return { kind: "calling", value: filter.callingNumber };
  if (filter.calledNumber !== undefined) return { kind: "called", value: filter.calledNumber };
  if (filter.providerId !== undefined) return { kind: "provider", value: filter.providerId };
  if (filter.campaign !== undefined) return { kind: "campaign", value: filter.campaign };
  if (filter.overdue) return { kind: "overdue" };
  if (filter.hasFinding !== undefined) return { kind: "finding", value: filter.hasFinding };
  if (scope.initiatorId !== undefined) return undefined;
  if (filter.outcome !== undefined) return { kind: "outcome", value: filter.outcome };
  if (filter.status !== undefined) return { kind: "status", value: filter.status };
  return undefined;
}

/** Whether the traceback, as it stands, is one the query asks for. */
export function matchesFilter(tb: Traceback, filter: TracebackFilter, scope: TracebackScope): boolean {
  if (scope.initiatorId !== undefined && tb.initiatorId !== scope.initiatorId) return false;
  if (filter.createdFrom !== undefined && tb.createdAt < filter.createdFrom) return false;
  if (filter.createdTo !== undefined && tb.createdAt >= filter.createdTo) return false;
  const facets = new Set(facetsOf(tb).map(facetId));
  const wanted: Facet[] = [
    ...(filter.callingNumber !== undefined ? [{ kind: "calling" as const, value: filter.callingNumber }] : []),
    ...(filter.calledNumber !== undefined ? [{ kind: "called" as const, value: filter.calledNumber }] : []),
    ...(filter.providerId !== undefined ? [{ kind: "provider" as const, value: filter.providerId }] : []),
    ...(filter.campaign !== undefined ? [{ kind: "campaign" as const, value: filter.campaign }] : []),
    ...(filter.status !== undefined ? [{ kind: "status" as const, value: filter.status }] : []),
    ...(filter.outcome !== undefined ? [{ kind: "outcome" as const, value: filter.outcome }] : []),
    ...(filter.overdue ? [{ kind: "overdue" as const }] : []),
    ...(filter.hasFinding !== undefined ? [{ kind: "finding" as const, value: filter.hasFinding }] : []),
  ];
  return wanted.every((f) => facets.has(facetId(f)));
}
