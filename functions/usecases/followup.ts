/**
 * The follow-up of a state transition: writing the derived items (the next hop, the traceback's
 * new state) and publishing the events. It runs right after the transition and again from the
 * reconciler for any transition whose outbox marker is still set, so every step is idempotent:
 * derived items have deterministic ids, events have deterministic ids, and the traceback only
 * moves forward from the hop it stands on. The publisher records every event before this clears
 * the marker, so from then on the event, not the marker, guarantees its delivery. The hub's
 * decisions go to the transparency log the same way (log-decisions.ts), before the marker is
 * cleared, and so does an answer whose request died before logging it.
 */
import { hopRequestCancelled, hopRequestCreated, hopRequestOverdue, hopRequestReminder, tracebackCompleted, type HubEvent } from "../domain/events.js";
import { ConflictError } from "../domain/errors.js";
import type { Account } from "../domain/account.js";
import { assignRegisteredProvider, decideAnswer, firstHopOf, nextStep, signerInquiriesOf, type Hop, type Traceback } from "../domain/traceback.js";
import { isInquirySeq } from "../domain/ids.js";
import { findingsAt, hopDecision, hopPlaced, outcomeOf, rmdFindingsAt } from "../domain/log/decisions.js";
import { recordFindings } from "./findings.js";
import { logDecision } from "./log-decisions.js";
import { logReceiptEntry } from "./log-exchange.js";
import { withCompletionRecord } from "./completion.js";
import { assignToCampaign } from "./campaigns.js";
import { recordRoles } from "./offenders.js";
import type { CoreDeps, KycRecord, OutboxRef, Stored, StoredHop } from "./ports.js";

export type FollowUpDeps = Pick<
  CoreDeps,
  "tracebacks" | "accounts" | "events" | "deadlines" | "log" | "evidence" | "clock" | "transparencyLog" | "rmd" | "campaigns" | "intel" | "ids"
>;

/** A new outbox marker: sorts by time, unique per transition. */
export function outboxMarker(now: Date, id: string): string {
  return `${now.toISOString()}#${id}`;
}

/**
 * The follow-up of a traceback's own transitions: its creation (hop 1, the signer inquiries and
 * their notifications), its closing by a person (cancel the open hop), and its reopening with a
 * late answer. Each of them first makes sure of what creation made, so a repeat of any one of
 * them after a crash also finishes a creation the crash cut short.
 */
export async function followUpTraceback(deps: FollowUpDeps, tracebackId: string, marker: string): Promise<void> {
  const chain = await deps.tracebacks.getChain(tracebackId);
  if (!chain) return;
  const tb = chain.traceback.value;
  const events = await notifyOpenedHops(
    deps,
    tb,
    chain.hops.map((h) => h.value),
  );
  if (tb.result?.outcome === "closed") {
    const current = await deps.tracebacks.getHop(tracebackId, tb.hopCount, true);
    if (current) await finishPendingFollowUp(deps, current);
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
    await logDecision(deps, outcomeOf(tb));
  } else if (tb.status !== "completed") {
    const current = chain.hops.find((h) => h.value.seq === tb.hopCount);
    // Reopened with a late answer: the answer now moves the traceback on.
    if (current?.value.status === "answered") {
      await deps.events.publish(events);
      return followUpHop(deps, tracebackId, tb.hopCount, marker, { markedItem: { tracebackId } });
    }
  }
  await deps.events.publish(events);
  await assignToCampaign(deps, tb);
  await deps.tracebacks.clearOutbox({ tracebackId }, marker);
}

/**
 * Writes hop 1 and the signer inquiries if they are missing (both derive from the traceback
 * alone), and returns the `hop_request.created` of every hop of the chain that was ever opened.
 * Event ids are derived from the hop, so the ones already sent are not sent again.
 */
async function notifyOpenedHops(deps: FollowUpDeps, tb: Traceback, stored: StoredHop[]): Promise<HubEvent[]> {
  const hops = new Map<number, Hop>(stored.map((h) => [h.seq, h]));
  const policy = deps.deadlines(tb.deadlinePolicy);
  for (const hop of [firstHopOf(tb, policy), ...signerInquiriesOf(tb, policy)]) {
    if (!hops.has(hop.seq)) hops.set(hop.seq, await placeHop(deps, tb, hop));
  }
  return [...hops.values()].filter(wasOpened).map(hopRequestCreated);
}

/** A hop that was ever open has a provider and a deadline; a deferred or awaiting one has not. */
function wasOpened(hop: Hop): boolean {
  return hop.providerId !== undefined && hop.deadline !== undefined;
}

/**
 * A transition about to replace a hop whose earlier follow-up is still marked (a crash cut it
 * short) finishes that follow-up first: the marker it would overwrite is the only trace of it.
 */
export async function finishPendingFollowUp(deps: FollowUpDeps, stored: Stored<StoredHop>): Promise<void> {
  if (stored.outbox) await followUpHop(deps, stored.value.tracebackId, stored.value.seq, stored.outbox);
}

/**
 * The follow-up of a hop's transition: answered, opened (after registration or a deferral),
 * reminded, overdue, escalated, cancelled. Its events derive from the hop and the decision its
 * answer made (kept on the hop), never from whether this run moved the traceback: a
 * repeat after the traceback moved on notifies the same next hop.
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
    /** The answer's log entry is written already (by the request that answered). */
    answerLogged?: boolean;
  } = {},
): Promise<void> {
  const hop = opts.known?.hop ?? (await deps.tracebacks.getHop(tracebackId, seq, true))?.value;
  if (!hop) return;
  // An answer stored by a request that died before logging it: its receipt says what to log.
  if (hop.evidence && !opts.answerLogged) await logReceiptEntry(deps.transparencyLog, hop.evidence.receipt);
  const tb = isInquirySeq(seq) ? opts.known?.traceback : await caughtUp(deps, tracebackId, seq, opts.known?.traceback);
  const events: HubEvent[] = [];
  const placed: { next?: Hop } = {};
  const recorded: { kyc?: KycRecord } = {};
  const after = await advanceTraceback(
    deps,
    tracebackId,
    async (tb) => {
      recorded.kyc = undefined;
      const next = await nextState(deps, tb, hop, events, placed);
      if (next?.status !== "completed" || tb.status === "completed") return next;
      // The end is recorded by the write that makes it, so the record never lags the outcome.
      const { traceback, record } = await withCompletionRecord(deps, next);
      recorded.kyc = record;
      return traceback;
    },
    tb,
  );
  const next = placed.next ?? (after && (await nextHopOf(deps, hop, after)));
  if (next && !placed.next && wasOpened(next)) events.push(hopRequestCreated(next));
  if (next?.status === "awaiting_registration") await openIfRegistered(deps, next);
  events.push(...hopEvents(hop, after));
  await logDecision(deps, hopDecision(hop));
  if (after?.status === "completed" && after.result) {
    events.push(tracebackCompleted(after));
    await logDecision(deps, outcomeOf(after));
    const ended = { ...after, result: after.result };
    if (after.signatures) await logDecision(deps, findingsAt(ended, await recordFindings(deps, tracebackId)));
    // The KYC record is written with the end, and logged with the outcome: a repeat reads it back.
    const kyc = recorded.kyc ?? (await deps.tracebacks.getKycRecord(tracebackId));
    if (kyc) await logDecision(deps, rmdFindingsAt(ended, kyc));
    await assignToCampaign(deps, after);
    await recordRoles(deps, after);
  }
  await deps.events.publish(events);
  await deps.tracebacks.clearOutbox(opts.markedItem ?? { tracebackId, seq }, marker);
}

/**
 * The traceback as the follow-up of chain hop `seq` needs it: standing on that hop or past it.
 * Still on an earlier hop, it waits for that hop's follow-up, which a crash cut short after the
 * next hop was written (and answered already): that one is finished first, else this one would
 * find nothing to move and the chain would stop here.
 */
async function caughtUp(deps: FollowUpDeps, tracebackId: string, seq: number, known?: Stored<Traceback>): Promise<Stored<Traceback> | undefined> {
  const tb = known ?? (await deps.tracebacks.getTraceback(tracebackId, true));
  if (!tb || tb.value.hopCount >= seq) return tb;
  const standing = await deps.tracebacks.getHop(tracebackId, tb.value.hopCount, true);
  if (standing) await finishPendingFollowUp(deps, standing);
  return undefined;
}

/**
 * The next hop an answer made, read back from the table when the traceback had already moved
 * past the answered hop (a crash came between that write and the notification).
 */
async function nextHopOf(deps: FollowUpDeps, hop: StoredHop, tb: Traceback): Promise<Hop | undefined> {
  if (hop.status !== "answered" || isInquirySeq(hop.seq) || tb.hopCount <= hop.seq) return undefined;
  const next = (await deps.tracebacks.getHop(hop.tracebackId, hop.seq + 1, true))?.value;
  return next?.namedBy.hopId === hop.id ? next : undefined;
}

/**
 * A hop placed to wait for an upstream that registered meanwhile (its registration looked for
 * waiting hops before this one was written) is opened for it now.
 */
async function openIfRegistered(deps: FollowUpDeps, hop: Hop): Promise<void> {
  const named = hop.pendingProvider;
  const id = (named?.frn && (await deps.accounts.accountIdByFrn(named.frn))) || (named?.rmdNumber && (await deps.accounts.accountIdByRmd(named.rmdNumber)));
  const provider = id ? await deps.accounts.getAccount(id) : undefined;
  if (provider?.kind === "provider") await activatePendingHop(deps, provider, hop);
}

/** Opens a hop that waited for an unregistered upstream for the provider now registered; false if it no longer waits. */
export async function activatePendingHop(deps: FollowUpDeps, provider: Account, pending: Hop): Promise<boolean> {
  const [tb, hop] = await Promise.all([
    deps.tracebacks.getTraceback(pending.tracebackId, true),
    deps.tracebacks.getHop(pending.tracebackId, pending.seq, true),
  ]);
  if (!tb || !hop || hop.value.status !== "awaiting_registration") return false;
  const now = deps.clock.now();
  const assignable = assignRegisteredProvider(tb.value, hop.value, provider.id, now, deps.deadlines(tb.value.deadlinePolicy));
  const assigned = await withinWeeklyCap(deps, tb.value, assignable, now);
  const marker = outboxMarker(now, assigned.id);
  try {
    await deps.tracebacks.replaceHop(assigned, { version: hop.version, status: "awaiting_registration" }, marker);
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
  await followUpHop(deps, assigned.tracebackId, assigned.seq, marker).catch((err) =>
    deps.log.warn("hop follow-up deferred to the reconciler", { hopId: assigned.id, error: String(err) }),
  );
  return true;
}

/** What the hop's current state does to the traceback, if it still stands on that hop; the next hop it names is placed. */
async function nextState(deps: FollowUpDeps, tb: Traceback, hop: StoredHop, events: HubEvent[], placed: { next?: Hop }): Promise<Traceback | undefined> {
  // The policy is built only for a step that asks a provider (a calendar's first use loads its zone).
  const step = nextStep(tb, withDecision(tb, hop), (at) => deps.deadlines(tb.deadlinePolicy)(at));
  if (step?.nextHop) {
    placed.next = await placeHop(deps, tb, step.nextHop);
    if (placed.next.status === "open") events.push(hopRequestCreated(placed.next));
  }
  return step?.traceback;
}

/**
 * The hop with its answer's decision. A hop answered by an earlier version keeps only the
 * upstream its answer resolved to: the decision is made from that, as of the answer's own time,
 * as that version's follow-up made it.
 */
function withDecision(tb: Traceback, hop: StoredHop): Hop {
  if (hop.decision || hop.status !== "answered" || !hop.answer || !hop.answeredAt || !hop.answeredBy) return hop;
  if (tb.status === "completed" || tb.hopCount !== hop.seq) return hop;
  const resolved = hop.resolvedUpstream;
  const upstream =
    resolved && "registered" in resolved
      ? { registered: resolved.registered }
      : hop.answer.type === "upstream_identified" && "name" in hop.answer.upstream
        ? { unregistered: hop.answer.upstream }
        : undefined;
  const decision = decideAnswer(tb, { ...hop, status: "open" }, hop.answer, upstream, hop.answeredBy.accountId, new Date(hop.answeredAt));
  return decision ? { ...hop, decision } : hop;
}

/**
 * Writes a new hop request, deferred to the provider's next week when its policy caps requests
 * per provider per week and this week is full. The cap counts hop ids, so a repeat of the same
 * follow-up neither counts twice nor decides differently.
 */
export async function placeHop(deps: FollowUpDeps, tb: Traceback, hop: Hop): Promise<Hop> {
  const placed = hop.status === "open" ? await withinWeeklyCap(deps, tb, hop, new Date(hop.createdAt)) : hop;
  await logDecision(deps, hopPlaced(placed));
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
 * traceback as it stands afterwards, whether this call or an earlier run changed it. A marker
 * the traceback carries (its own follow-up not yet done) stays on it.
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
    if (await deps.tracebacks.replaceTraceback(next, stored, stored.outbox)) return next;
  }
  throw new Error(`traceback ${tracebackId} kept changing under the follow-up`);
}
