/**
 * Background work of the embedded hub, standing in for what AWS schedules and triggers: the
 * reconciler on a timer (EventBridge in the cloud), calling the same functions the Lambdas call.
 */
import type { Runtime } from "../platform/container.js";
import { reconcileOutbox } from "../usecases/reconcile.js";
import type { Emulators } from "./emulators.js";

export interface BackgroundWork {
  stop(): Promise<void>;
}

export function startBackgroundWork(runtime: Runtime, _emulators: Emulators, opts: { intervalMs: number }): BackgroundWork {
  const tasks = [every(opts.intervalMs, () => reconcileOutbox(runtime.deps, runtime.config.OUTBOX_GRACE_SECONDS), runtime)];
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.stop()))) };
}

/** Runs `task` repeatedly, never overlapping itself, until stopped. */
export function every(intervalMs: number, task: () => Promise<unknown>, runtime: Runtime): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = task()
      .catch((err) => runtime.deps.log.error("background task failed", { error: String(err) }))
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
