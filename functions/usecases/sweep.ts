/**
 * The deadline sweeper: reminders before the due time, overdue at it, escalation after the
 * grace. It reads hops through the schedule index (ordered by the next action's time, never a
 * scan), applies each action with a conditional write (an answer arriving at the same moment
 * wins or loses cleanly), and runs the same follow-up as every other transition. Safe to run
 * concurrently with itself: two sweepers racing for one hop produce one write.
 */
import { applySweep, sweepAction } from "../domain/deadlines/sweep.js";
import { ConflictError } from "../domain/errors.js";
import type { Hop } from "../domain/traceback.js";
import { finishPendingFollowUp, followUpHop, outboxMarker, withinWeeklyCap } from "./followup.js";
import type { CoreDeps } from "./ports.js";

export interface SweepResult {
  due: number;
  acted: number;
}

export async function sweepDeadlines(deps: CoreDeps, limit = 100): Promise<SweepResult> {
  const now = deps.clock.now();
  const due = await deps.tracebacks.hopsDueForSweep(now.toISOString(), limit);
  let acted = 0;
  for (const ref of due) {
    const stored = await deps.tracebacks.getHop(ref.tracebackId, ref.seq, true);
    if (!stored) continue;
    const action = sweepAction(stored.value, now);
    if (!action) continue;
    try {
      await finishPendingFollowUp(deps, stored);
      const marker = outboxMarker(now, stored.value.id);
      if (action.kind === "open_deferred") {
        const opened = await openDeferred(deps, stored.value, now);
        await deps.tracebacks.replaceHop(opened, { version: stored.version, status: "deferred" }, opened.status === "open" ? marker : undefined);
        if (opened.status !== "open") continue;
      } else {
        await deps.tracebacks.replaceHop(applySweep(stored.value, action, now), { version: stored.version, status: "open" }, marker);
      }
      acted++;
      await followUpHop(deps, ref.tracebackId, ref.seq, marker).catch((err) =>
        deps.log.warn("hop follow-up deferred to the reconciler", { hopId: stored.value.id, error: String(err) }),
      );
    } catch (err) {
      // An answer or another sweeper changed the hop first: its state is the one that counts.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return { due: due.length, acted };
}

/** A deferred hop in its new week: open with a fresh deadline if the week has room, else deferred again. */
async function openDeferred(deps: CoreDeps, hop: Hop, now: Date): Promise<Hop> {
  const tb = await deps.tracebacks.getTraceback(hop.tracebackId, true);
  if (!tb) return hop;
  const { deferredUntil: _u, deferredReason: _r, ...rest } = hop;
  const candidate: Hop = { ...rest, status: "open", deadline: deps.deadlines(tb.value.deadlinePolicy)(now) };
  return withinWeeklyCap(deps, tb.value, candidate, now);
}
