/**
 * The reconciler finishes follow-ups that a crash interrupted: every item still carrying an
 * outbox marker older than a grace period (long enough for the inline follow-up to have
 * finished) has its follow-up run again, and every provider still marked from its registration
 * has the hops waiting for it opened. Both are idempotent, so racing the inline run is safe.
 */
import { finishActivation } from "./accounts.js";
import { followUpHop, followUpTraceback, type FollowUpDeps } from "./followup.js";

export interface ReconcileResult {
  found: number;
  finished: number;
  failed: number;
}

export async function reconcileOutbox(deps: FollowUpDeps, graceSeconds: number, limit = 100): Promise<ReconcileResult> {
  const before = new Date(deps.clock.now().getTime() - graceSeconds * 1000).toISOString();
  const [pending, activations] = await Promise.all([deps.tracebacks.pendingOutbox(before, limit), deps.accounts.pendingActivations(before, limit)]);
  const work = [
    ...pending.map((item) => ({
      fields: item.ref,
      run: () =>
        item.ref.seq === undefined
          ? followUpTraceback(deps, item.ref.tracebackId, item.marker)
          : followUpHop(deps, item.ref.tracebackId, item.ref.seq, item.marker),
    })),
    ...activations.map((a) => ({ fields: { accountId: a.accountId }, run: () => finishActivation(deps, a.accountId, a.marker) })),
  ];
  let finished = 0;
  let failed = 0;
  for (const item of work) {
    try {
      await item.run();
      finished++;
    } catch (err) {
      failed++;
      deps.log.error("outbox follow-up failed", { ...item.fields, error: String(err) });
    }
  }
  return { found: work.length, finished, failed };
}
