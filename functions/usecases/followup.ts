/**
 * The follow-up of a state transition: writing the derived items (the next hop, the traceback's
 * new state) and publishing the events. It runs right after the transition and again from the
 * reconciler for any transition whose outbox marker is still set, so every step is idempotent:
 * derived items have deterministic ids, and the traceback only moves forward from the hop it is on.
 */
import { hopRequestCancelled, hopRequestCreated, tracebackCompleted, type HubEvent } from "../domain/events.js";
import { applyDecision, decideAnswer, firstHopOf, type Traceback } from "../domain/traceback.js";
import { ConflictError } from "../domain/errors.js";
import type { CoreDeps, Stored } from "./ports.js";
import { keys } from "../adapters/dynamo/keys.js";

export type FollowUpDeps = Pick<CoreDeps, "tracebacks" | "events" | "deadlines" | "log">;

/** A new outbox marker: sorts by time, unique per transition. */
export function outboxMarker(now: Date, id: string): string {
  return `${now.toISOString()}#${id}`;
}

/**
 * The follow-up of a traceback's own transitions: its creation (hop 1 and its notification) and
 * its closing by a person (cancel the open hop, tell the initiator and the provider).
 */
export async function followUpTraceback(deps: FollowUpDeps, tracebackId: string, marker: string): Promise<void> {
  const stored = await deps.tracebacks.getTraceback(tracebackId, true);
  if (!stored) return;
  const tb = stored.value;
  const events: HubEvent[] = [];
  if (tb.result?.outcome === "closed") {
    const current = await deps.tracebacks.getHop(tracebackId, tb.hopCount, true);
    const hop = current?.value;
    if (hop && (hop.status === "open" || hop.status === "awaiting_registration")) {
      await deps.tracebacks.replaceHop({ ...hop, status: "cancelled" }, { version: current.version, status: hop.status }).catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
    if (hop?.providerId && hop.status !== "answered") events.push(hopRequestCancelled(hop, tb.result.decidedAt));
    events.push(tracebackCompleted(tb));
  } else if (tb.hopCount === 1) {
    const first = firstHopOf(tb, deps.deadlines(tb.deadlinePolicy));
    await deps.tracebacks.putNewHop(first);
    events.push(hopRequestCreated(first));
  }
  await deps.events.publish(events);
  await deps.tracebacks.clearOutbox(keys.traceback(tracebackId), marker);
}

/** The follow-up of a hop's transition (answered, activated after registration, cancelled). */
export async function followUpHop(deps: FollowUpDeps, tracebackId: string, seq: number, marker: string): Promise<void> {
  const hopStored = await deps.tracebacks.getHop(tracebackId, seq, true);
  if (!hopStored) return;
  const hop = hopStored.value;
  const events: HubEvent[] = [];
  const after = await advanceTraceback(deps, tracebackId, async (tb) => {
    // Only the hop the traceback stands on can move it; anything else was applied already.
    if (tb.status === "completed" || tb.hopCount !== hop.seq) return undefined;
    if (hop.status === "open") {
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
      await deps.tracebacks.putNewHop(decision.nextHop);
      if (decision.nextHop.status === "open") events.push(hopRequestCreated(decision.nextHop));
    }
    return applyDecision(tb, decision);
  });
  if (hop.status === "open") events.push(hopRequestCreated(hop));
  if (hop.status === "cancelled" && hop.providerId) events.push(hopRequestCancelled(hop, hop.createdAt));
  if (after?.status === "completed") events.push(tracebackCompleted(after));
  await deps.events.publish(events);
  await deps.tracebacks.clearOutbox(keys.hop(tracebackId, seq), marker);
}

/**
 * Moves the traceback forward with optimistic locking, re-reading on a lost race. Returns the
 * traceback as it stands afterwards, whether this call or an earlier run changed it.
 */
async function advanceTraceback(
  deps: FollowUpDeps,
  tracebackId: string,
  decide: (tb: Traceback) => Promise<Traceback | undefined>,
): Promise<Traceback | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored: Stored<Traceback> | undefined = await deps.tracebacks.getTraceback(tracebackId, true);
    if (!stored) return undefined;
    const next = await decide(stored.value);
    if (!next) return stored.value;
    if (await deps.tracebacks.replaceTraceback(next, stored.version)) return next;
  }
  throw new Error(`traceback ${tracebackId} kept changing under the follow-up`);
}
