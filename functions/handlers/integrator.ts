/**
 * The log integrator: sequences pending entries, extends the tree and signs checkpoints. Run by
 * the table's stream right after entries are written, and every minute for whatever a failed
 * run left; reserved concurrency 1 keeps it to one at a time (more would be safe, only wasteful).
 */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { integratePending } from "../usecases/log-integrate.js";
import { runDeadline, type LambdaContext } from "./run-deadline.js";

const runtime = await buildRuntime(loadConfig(process.env));

export const handler = async (_event: unknown, context?: LambdaContext) => {
  const deadline = runDeadline(runtime.deps.clock.now().getTime(), context);
  const { size, sequenced } = await integratePending(runtime.deps.transparencyLog, { deadline });
  return { size, sequenced };
};
