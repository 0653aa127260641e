/**
 * The deadline sweeper: reminders before the due time, overdue at it, escalation after the
 * grace. It reads hops through the schedule index (ordered by the next action's time, never a
 * scan), applies each action with a conditional write (an answer arriving at the same moment
 * wins or loses cleanly), and runs the same follow-up as every other transition. Safe to run
 * concurrently with itself: two sweepers racing for one hop produce one write.
 */
import { applySweep, sweepAction } from "../domain/deadlines/sweep.js";
import { ConflictError } from "../domain/errors.js";
import { mapLimit } from "../domain/map-limit.js";
import type { Hop } from "../domain/traceback.js";
import { finishPendingFollowUp, followUpHop, outboxMarker, withinWeeklyCap } from "./followup.js";
import type { CoreDeps } from "./ports.js";

export interface SweepResult {
  due: number;
  acted: number;
}

/** Hops swept at once: each is a few dependent calls, and hops do not depend on each other. */
const SWEEP_CONCURRENCY = 16;

export async function sweepDeadlines(deps: CoreDeps, limit = 100): Promise<SweepResult> {
  const now = deps.clock.now();
  const due = await deps.tracebacks.hopsDueForSweep(now.toISOString(), limit);
  let acted = 0;
  await mapLimit(due, SWEEP_CONCURRENCY, async (ref) => {
    const stored = await deps.tracebacks.getHop(ref.tracebackId, ref.seq, true);
    if (!stored) return;
    const action = sweepAction(stored.value, now);
    if (!action) return;
    try {
      await finishPendingFollowUp(deps, stored);
      const marker = outboxMarker(now, stored.value.id);
      if (action.kind === "open_deferred") {
        const opened = await openDeferred(deps, stored.value, now);
        await deps.tracebacks.replaceHop(opened, { version: stored.version, status: "deferred" }, opened.status === "open" ? marker : undefined);
        if (opened.status !== "open") return;
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
  });
  return { due: due.length, acted };
}

/**
 * Sweeps page after page until a page is not full, nothing in it could be acted on (what is left
 * is not yet actionable), or `deadline` (epoch ms) has passed: one scheduled run keeps up with
 * any backlog its time allows instead of a fixed page a minute.
 */
export async function sweepUntilDone(deps: CoreDeps, opts: { deadline: number; limit?: number }): Promise<SweepResult & { pages: number }> {
  const limit = opts.limit ?? 100;
  const total = { due: 0, acted: 0, pages: 0 };
  for (;;) {
    const page = await sweepDeadlines(deps, limit);
    total.due += page.due;
    total.acted += page.acted;
    total.pages++;
    if (page.due < limit || page.acted === 0 || deps.clock.now().getTime() >= opts.deadline) return total;
  }
}

/** A deferred hop in its new week: open with a fresh deadline if the week has room, else deferred again. */
async function openDeferred(deps: CoreDeps, hop: Hop, now: Date): Promise<Hop> {
  const tb = await deps.tracebacks.getTraceback(hop.tracebackId, true);
  if (!tb) return hop;
  const { deferredUntil: _u, deferredReason: _r, ...rest } = hop;
  const candidate: Hop = { ...rest, status: "open", deadline: deps.deadlines(tb.value.deadlinePolicy)(now) };
  return withinWeeklyCap(deps, tb.value, candidate, now);
}
