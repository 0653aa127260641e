/**
 * Background work of the embedded hub, standing in for what AWS triggers and schedules: the SQS
 * poller in place of the event source mapping, timers in place of the EventBridge schedules, and
 * a log integrator woken by each append in place of the table stream that triggers it on AWS.
 * Each calls the same function its Lambda calls.
 */
import type { SQSEvent } from "aws-lambda";
import { processDeliveryBatch } from "../handlers/delivery-batch.js";
import type { Runtime } from "../platform/container.js";
import { recoverDeliveries } from "../usecases/deliveries.js";
import { integratePending } from "../usecases/log-integrate.js";
import { recoverFanOuts } from "../usecases/event-outbox.js";
import { reconcileOutbox } from "../usecases/reconcile.js";
import { sweepDeadlines } from "../usecases/sweep.js";
import type { Emulators } from "./emulators.js";
import { startSqsPoller } from "./sqs-poller.js";

export interface BackgroundWork {
  stop(): Promise<void>;
}

export function startBackgroundWork(runtime: Runtime, emulators: Emulators, opts: { intervalMs: number }): BackgroundWork {
  const { deps, config } = runtime;
  const onError = (err: unknown) => deps.log.error("background task failed", { error: String(err) });
  const deliver = (event: SQSEvent) => processDeliveryBatch(deps, event);
  // Two lanes, as on AWS: the slow one has its own poller, so its attempts never hold up the other's.
  const visibilityTimeoutMs = emulators.visibilityTimeoutSeconds * 1000;
  const poller = startSqsPoller(runtime.sqs, emulators.deliveryQueueUrl, deliver, { onError, visibilityTimeoutMs });
  const slowPoller = startSqsPoller(runtime.sqs, emulators.slowDeliveryQueueUrl, deliver, { onError, visibilityTimeoutMs, concurrency: 1 });
  // Each lane's poller is woken when a message sent to it can be received.
  deps.queue.onSent = (sent) => {
    for (const { lane, delaySeconds } of sent) (lane === "slow" ? slowPoller : poller).wake(delaySeconds * 1000);
  };
  const reconciler = every(
    opts.intervalMs,
    async () => {
      await reconcileOutbox(deps, config.OUTBOX_GRACE_SECONDS);
      await recoverFanOuts(deps, config.DELIVERY_RECOVERY_GRACE_SECONDS);
      await recoverDeliveries(deps);
      await deps.tracebacks.refileUnlisted(100);
    },
    onError,
  );
  const sweeper = every(opts.intervalMs, () => sweepDeadlines(deps), onError);
  // Woken by every append, so an entry is integrated within one run of its write. The run waits
  // 200 ms after the first append, about what the table stream's polling adds on AWS: the entries
  // of a hop's exchanges and the decisions they lead to then make one batch, instead of one run
  // (a dozen reads and writes) each.
  const integrator = every(opts.intervalMs, () => integratePending(deps.transparencyLog), onError, { settleMs: INTEGRATOR_SETTLE_MS });
  deps.transparencyLog.onAppended = integrator.wake;
  return { stop: async () => void (await Promise.all([reconciler.stop(), sweeper.stop(), integrator.stop(), poller.stop(), slowPoller.stop()])) };
}

/**
 * The embedded queue lives in memory, so a restart loses what it held: before the hub takes new
 * work, it is refilled from the table. Nothing of the previous process still runs (the data
 * folder admits one process), so there is no grace to wait: every event not yet fanned out is
 * enqueued again and every follow-up still marked is finished now. Delivery retries come back
 * through the reconciler as their time comes, and claims of the dead process once their lease ends.
 */
export async function resumeAfterRestart(runtime: Runtime): Promise<void> {
  const { deps } = runtime;
  // Events first: the follow-ups finished next hand over the events they record themselves.
  await recoverFanOuts(deps, 0, 1000);
  for (let round = 0; round < 100; round++) {
    const { found, finished } = await reconcileOutbox(deps, 0);
    if (finished === 0 || found < 100) break;
  }
}

/** How long the integrator lets appends gather after the first one before it runs, ms. */
export const INTEGRATOR_SETTLE_MS = 200;

/**
 * Runs `task` repeatedly, never overlapping itself, until stopped. `wake` runs it now instead
 * of at the next interval, or right after the current run when one is under way; with
 * `settleMs`, that many ms later, so that wakes close together make one run.
 */
export function every(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (err: unknown) => void,
  opts: { settleMs?: number } = {},
): { stop(): Promise<void>; wake(): void } {
  let stopped = false;
  let busy = false;
  let again = false;
  let settling = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    clearTimeout(timer);
    settling = false;
    busy = true;
    again = false;
    running = task()
      .catch(onError)
      .finally(() => {
        busy = false;
        if (stopped) return;
        if (again) wakeUp();
        else timer = setTimeout(tick, intervalMs);
      });
  };
  const wakeUp = () => {
    if (!opts.settleMs) return tick();
    if (settling || stopped) return;
    settling = true;
    clearTimeout(timer);
    timer = setTimeout(tick, opts.settleMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    wake: () => {
      if (busy) again = true;
      else wakeUp();
    },
  };
}
