/**
 * Scheduled Lambda: finish follow-ups (next hops, notifications) a crash left undone, and
 * re-enqueue events not yet fanned out and webhook retries whose queue message was lost.
 */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { recoverDeliveries } from "../usecases/deliveries.js";
import { recoverFanOuts } from "../usecases/event-outbox.js";
import { reconcileOutbox } from "../usecases/reconcile.js";

const runtime = await buildRuntime(loadConfig(process.env));

export const handler = async () => ({
  outbox: await reconcileOutbox(runtime.deps, runtime.config.OUTBOX_GRACE_SECONDS),
  requeuedEvents: await recoverFanOuts(runtime.deps, runtime.config.DELIVERY_RECOVERY_GRACE_SECONDS),
  requeuedDeliveries: await recoverDeliveries(runtime.deps),
});
