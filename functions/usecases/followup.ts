/**
 * The follow-up of a state transition: writing the derived items (the next hop, the traceback's
 * new state) and publishing the events. It runs right after the transition and again from the
 * reconciler for any transition whose outbox marker is still set, so every step is idempotent:
 * derived items have deterministic ids, events have deterministic ids, and the traceback only
 * moves forward from the hop it stands on.
 */
import { hopRequestCancelled, hopRequestCreated, hopRequestOverdue, hopRequestReminder, tracebackCompleted, type HubEvent } from "../domain/events.js";
import { ConflictError } from "../domain/errors.js";
import { applyDecision, decideAnswer, firstHopOf, signerInquiriesOf, type Hop, type Traceback } from "../domain/traceback.js";
import { isInquirySeq } from "../domain/ids.js";
import { recordFindings } from "./findings.js";
import type { CoreDeps, OutboxRef, Stored, StoredHop } from "./ports.js";

export type FollowUpDeps = Pick<CoreDeps, "tracebacks" | "events" | "deadlines" | "log" | "evidence" | "clock">;

/** A new outbox marker: sorts by time, unique per transition. */
export function outboxMarker(now: Date, id: string): string {
  return `${now.toISOString()}#${id}`;
}

/**
 * The follow-up of a traceback's own transitions: its creation (hop 1 and its notification), its
 * closing by a person (cancel the open hop), and its reopening with a late answer.
 */
export async function followUpTraceback(deps: FollowUpDeps, tracebackId: string, marker: string): Promise<void> {
  const stored = await deps.tracebacks.getTraceback(tracebackId, true);
  if (!stored) return;
  const tb = stored.value;
  const events: HubEvent[] = [];
  if (tb.result?.outcome === "closed") {
    const current = await deps.tracebacks.getHop(tracebackId, tb.hopCount, true);
    const hop = current?.value;
    let cancelled = hop?.status === "cancelled";
    if (hop && (hop.status === "open" || hop.status === "awaiting_registration" || hop.status === "deferred")) {
      // An answer that won the race keeps the hop: then there is nothing to cancel.
      cancelled = await deps.tracebacks.replaceHop({ ...hop, status: "cancelled" }, { version: current.version, status: hop.status }).then(
        () => true,
        (err) => {
          if (err instanceof ConflictError) return false;
          throw err;
        },
      );
    }
    if (hop?.providerId && cancelled) events.push(hopRequestCancelled(hop, tb.result.decidedAt));
    events.push(tracebackCompleted(tb));
  } else if (tb.status !== "completed") {
    if (tb.hopCount === 1) {
      await placeHop(deps, tb, firstHopOf(tb, deps.deadlines(tb.deadlinePolicy)));
      for (const inquiry of signerInquiriesOf(tb, deps.deadlines(tb.deadlinePolicy))) {
        const placed = await placeHop(deps, tb, inquiry);
        if (placed.status === "open") events.push(hopRequestCreated(placed));
      }
    }
    const current = await deps.tracebacks.getHop(tracebackId, tb.hopCount, true);
    // Reopened with a late answer: the answer now moves the traceback on.
    if (current?.value.status === "answered") return followUpHop(deps, tracebackId, tb.hopCount, marker, { markedItem: { tracebackId } });
    if (current?.value.status === "open" && tb.hopCount === 1) events.push(hopRequestCreated(current.value));
  }
  await deps.events.publish(events);
  await deps.tracebacks.clearOutbox({ tracebackId }, marker);
}

/**
 * The follow-up of a hop's transition: answered, opened (after registration or a deferral),
 * reminded, overdue, escalated, cancelled.
 */
export async function followUpHop(
  deps: FollowUpDeps,
  tracebackId: string,
  seq: number,
  marker: string,
  opts: {
    markedItem?: OutboxRef;
    /** The hop as just written and the traceback as just read, to save reading them again inline. */
    known?: { hop: StoredHop; traceback: Stored<Traceback> };
  } = {},
): Promise<void> {
  const hop = opts.known?.hop ?? (await deps.tracebacks.getHop(tracebackId, seq, true))?.value;
  if (!hop) return;
  const events: HubEvent[] = [];
  const after = await advanceTraceback(deps, tracebackId, (tb) => nextState(deps, tb, hop, events), opts.known?.traceback);
  events.push(...hopEvents(hop, after));
  if (after?.status === "completed") {
    events.push(tracebackCompleted(after));
    if (after.signatures) await recordFindings(deps, tracebackId);
  }
  await deps.events.publish(events);
  await deps.tracebacks.clearOutbox(opts.markedItem ?? { tracebackId, seq }, marker);
}

/** What the hop's current state does to the traceback, if it still stands on that hop. */
async function nextState(deps: FollowUpDeps, tb: Traceback, hop: StoredHop, events: HubEvent[]): Promise<Traceback | undefined> {
  // Signer inquiries run beside the chain and never move it.
  if (tb.status === "completed" || tb.hopCount !== hop.seq || isInquirySeq(hop.seq)) return undefined;
  if (hop.status === "open") {
    if (hop.escalatedAt) {
      return { ...tb, status: "completed", result: { outcome: "non_responsive_provider", reason: `no answer from ${hop.providerId} by ${hop.deadline?.escalateAt}`, hopSeq: hop.seq, decidedAt: hop.escalatedAt, decidedBy: "hub" } };
    }
    return tb.status === "waiting_on_provider" ? { ...tb, status: "open", path: [...tb.path, hop.providerId!] } : undefined;
  }
  if (hop.status === "cancelled") {
    return { ...tb, status: "completed", result: { outcome: "loop_detected", reason: `provider ${hop.providerId ?? "named"} is already on the path`, hopSeq: hop.seq, decidedAt: hop.createdAt, decidedBy: "hub" } };
  }
  if (hop.status !== "answered" || !hop.answer || !hop.answeredAt || !hop.answeredBy) return undefined;
  const upstream = hop.resolvedUpstream && "registered" in hop.resolvedUpstream
    ? { registered: hop.resolvedUpstream.registered }
    : hop.answer.type === "upstream_identified" && "name" in hop.answer.upstream
      ? { unregistered: hop.answer.upstream }
      : undefined;
  // Decided as of the answer's own time, so a repeat derives exactly the same next hop.
  const decision = decideAnswer(tb, { ...hop, status: "open" }, hop.answer, upstream, hop.answeredBy.accountId, new Date(hop.answeredAt), deps.deadlines(tb.deadlinePolicy));
  if (decision.kind !== "complete") {
    const placed = await placeHop(deps, tb, decision.nextHop);
    if (placed.status === "open") events.push(hopRequestCreated(placed));
  }
  return applyDecision(tb, decision);
}

/**
 * Writes a new hop request, deferred to the provider's next week when its policy caps requests
 * per provider per week and this week is full. The cap counts hop ids, so a repeat of the same
 * follow-up neither counts twice nor decides differently.
 */
export async function placeHop(deps: FollowUpDeps, tb: Traceback, hop: Hop): Promise<Hop> {
  const placed = hop.status === "open" ? await withinWeeklyCap(deps, tb, hop, new Date(hop.createdAt)) : hop;
  await deps.tracebacks.putNewHop(placed);
  return placed;
}

/** The hop as it may be opened at `at`: open if its provider's week has room, else deferred. */
export async function withinWeeklyCap(deps: FollowUpDeps, tb: Traceback, hop: Hop, at: Date): Promise<Hop> {
  const cap = deps.deadlines.weeklyCap?.(tb.deadlinePolicy, at);
  if (!cap || !hop.providerId) return hop;
  const expires = Math.floor(Date.parse(cap.weekEnd) / 1000) + 90 * 86_400;
  if (await deps.tracebacks.reserveWeeklySlot(hop.providerId, cap.weekStart, hop.id, cap.cap, expires)) return hop;
  const { deadline: _d, ...rest } = hop;
  return { ...rest, status: "deferred", deferredUntil: cap.weekEnd, deferredReason: cap.fullReason };
}

/** The notification of the hop's latest state; earlier ones went out with earlier transitions. */
function hopEvents(hop: Hop, tb: Traceback | undefined): HubEvent[] {
  if (hop.status === "cancelled") return hop.providerId ? [hopRequestCancelled(hop, hop.createdAt)] : [];
  if (hop.status !== "open" || hop.escalatedAt) return [];
  if (hop.overdueAt) return tb ? hopRequestOverdue(hop, tb.initiatorId) : [];
  const sent = hop.remindersSent ?? 0;
  return [sent > 0 ? hopRequestReminder(hop, sent - 1) : hopRequestCreated(hop)];
}

/**
 * Moves the traceback forward with optimistic locking, re-reading on a lost race. Returns the
 * traceback as it stands afterwards, whether this call or an earlier run changed it.
 */
async function advanceTraceback(
  deps: FollowUpDeps,
  tracebackId: string,
  decide: (tb: Traceback) => Promise<Traceback | undefined>,
  known?: Stored<Traceback>,
): Promise<Traceback | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = attempt === 0 && known ? known : await deps.tracebacks.getTraceback(tracebackId, true);
    if (!stored) return undefined;
    const next = await decide(stored.value);
    if (!next) return stored.value;
    if (await deps.tracebacks.replaceTraceback(next, stored.version)) return next;
  }
  throw new Error(`traceback ${tracebackId} kept changing under the follow-up`);
}
