/**
 * The deadline sweeper: reminders before the due time, overdue at it, escalation after the
 * grace. It reads hops through the schedule index (ordered by the next action's time, never a
 * scan), applies each action with a conditional write (an answer arriving at the same moment
 * wins or loses cleanly), and runs the same follow-up as every other transition. Safe to run
 * concurrently with itself: two sweepers racing for one hop produce one write.
 */
import { applySweep, sweepAction } from "../domain/deadlines/sweep.js";
import { ConflictError } from "../domain/errors.js";
import { followUpHop, outboxMarker } from "./followup.js";
import type { CoreDeps } from "./ports.js";

export interface SweepResult {
  due: number;
  acted: number;
}

export async function sweepDeadlines(deps: CoreDeps & { openDeferred?: OpenDeferred }, limit = 100): Promise<SweepResult> {
  const now = deps.clock.now();
  const due = await deps.tracebacks.hopsDueForSweep(now.toISOString(), limit);
  let acted = 0;
  for (const ref of due) {
    const stored = await deps.tracebacks.getHop(ref.tracebackId, ref.seq, true);
    if (!stored) continue;
    const action = sweepAction(stored.value, now);
    if (!action) continue;
    try {
      if (action.kind === "open_deferred") {
        if (deps.openDeferred && (await deps.openDeferred(stored, now))) acted++;
        continue;
      }
      const marker = outboxMarker(now, stored.value.id);
      await deps.tracebacks.replaceHop(applySweep(stored.value, action, now), { version: stored.version, status: "open" }, marker);
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

/** Opens a deferred hop when its week comes; supplied where a weekly cap applies. */
export type OpenDeferred = (hop: import("./ports.js").Stored<import("./ports.js").StoredHop>, now: Date) => Promise<boolean>;
