/**
 * Background work of the embedded hub, standing in for what AWS triggers and schedules: the SQS
 * poller in place of the event source mapping, and timers in place of the EventBridge schedules.
 * Each calls the same function its Lambda calls.
 */
import { processDeliveryBatch } from "../handlers/delivery-batch.js";
import type { Runtime } from "../platform/container.js";
import { recoverDeliveries } from "../usecases/deliveries.js";
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
  const poller = startSqsPoller(runtime.sqs, emulators.deliveryQueueUrl, (event) => processDeliveryBatch(deps, event), { onError });
  const reconciler = every(opts.intervalMs, async () => {
    await reconcileOutbox(deps, config.OUTBOX_GRACE_SECONDS);
    await recoverDeliveries(deps);
  }, onError);
  const sweeper = every(opts.intervalMs, () => sweepDeadlines(deps), onError);
  return { stop: async () => void (await Promise.all([reconciler.stop(), sweeper.stop(), poller.stop()])) };
}

/** Runs `task` repeatedly, never overlapping itself, until stopped. */
export function every(intervalMs: number, task: () => Promise<unknown>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = task()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
