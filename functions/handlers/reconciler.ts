/** Scheduled Lambda: finish follow-ups (next hops, notifications) a crash left undone. */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { reconcileOutbox } from "../usecases/reconcile.js";

const runtime = await buildRuntime(loadConfig(process.env));

export const handler = async () => reconcileOutbox(runtime.deps, runtime.config.OUTBOX_GRACE_SECONDS);
