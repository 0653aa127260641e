/**
 * The reconciler finishes follow-ups that a crash interrupted: every item still carrying an
 * outbox marker older than a grace period (long enough for the inline follow-up to have
 * finished) has its follow-up run again. Follow-ups are idempotent, so racing the inline one is safe.
 */
import { followUpHop, followUpTraceback, type FollowUpDeps } from "./followup.js";

export interface ReconcileResult {
  found: number;
  finished: number;
  failed: number;
}

export async function reconcileOutbox(deps: FollowUpDeps & { clock: { now(): Date } }, graceSeconds: number, limit = 100): Promise<ReconcileResult> {
  const before = new Date(deps.clock.now().getTime() - graceSeconds * 1000).toISOString();
  const pending = await deps.tracebacks.pendingOutbox(before, limit);
  let finished = 0;
  let failed = 0;
  for (const item of pending) {
    try {
      if (item.ref.seq === undefined) await followUpTraceback(deps, item.ref.tracebackId, item.marker);
      else await followUpHop(deps, item.ref.tracebackId, item.ref.seq, item.marker);
      finished++;
    } catch (err) {
      failed++;
      deps.log.error("outbox follow-up failed", { ...item.ref, error: String(err) });
    }
  }
  return { found: pending.length, finished, failed };
}
