/**
 * The log integrator: sequences pending entries, extends the tree and signs checkpoints. Run by
 * the table's stream right after entries are written, and every minute for whatever a failed
 * run left; reserved concurrency 1 keeps it to one at a time (more would be safe, only wasteful).
 */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { integratePending } from "../usecases/log-integrate.js";

const runtime = await buildRuntime(loadConfig(process.env));
/** Stop starting runs this long before the function's timeout. */
const MARGIN_MS = 10_000;

export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis(): number }) => {
  const deadline = runtime.deps.clock.now().getTime() + (context ? context.getRemainingTimeInMillis() - MARGIN_MS : 0);
  const { size, sequenced } = await integratePending(runtime.deps.transparencyLog, { deadline });
  return { size, sequenced };
};
