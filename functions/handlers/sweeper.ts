/** Scheduled Lambda: deadline reminders, overdue marking and escalation of silent providers. */
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { sweepDeadlines } from "../usecases/sweep.js";

const runtime = await buildRuntime(loadConfig(process.env));

export const handler = () => sweepDeadlines(runtime.deps);
