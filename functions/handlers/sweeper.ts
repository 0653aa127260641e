/**
 * Scheduled Lambda: deadline reminders, overdue marking and escalation of silent providers. A run
 * sweeps page after page until the backlog is done or 10 s before its timeout.
 */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { sweepUntilDone } from "../usecases/sweep.js";
import { runDeadline, type LambdaContext } from "./run-deadline.js";

const runtime = await buildRuntime(loadConfig(process.env));

export const handler = async (_event: unknown, context?: LambdaContext) => {
  const deadline = runDeadline(runtime.deps.clock.now().getTime(), context);
  const { due, acted } = await sweepUntilDone(runtime.deps, { deadline });
  return { due, acted };
};
