/**
 * Memory and timeout of each function. Read by both stacks: the delivery queue's visibility
 * timeout is derived from the delivery function's timeout, so they cannot be changed apart.
 */
import type { HandlerName } from "./bundling.js";

export interface FunctionSizing {
  memoryMiB: number;
  timeoutSeconds: number;
  description: string;
}

export const FUNCTION_SIZING: Record<HandlerName, FunctionSizing> = {
  // API Gateway gives up on an integration after 30 s; finishing first lets the function log why.
  api: { memoryMiB: 1024, timeoutSeconds: 25, description: "Hoptrace signed API" },
  // Hands out a page and two files read once into memory: the smallest size, and quick to give up.
  console: { memoryMiB: 256, timeoutSeconds: 10, description: "Hoptrace web console" },
  // A batch of ten webhook attempts, each capped at 10 s by the sender, with room to record results.
  delivery: { memoryMiB: 512, timeoutSeconds: 60, description: "Hoptrace webhook delivery worker" },
  reconciler: { memoryMiB: 512, timeoutSeconds: 60, description: "Hoptrace outbox reconciler" },
  sweeper: { memoryMiB: 512, timeoutSeconds: 60, description: "Hoptrace deadline sweeper" },
  // Hashing and one checkpoint signature per batch; the run stops 10 s before the timeout.
  integrator: { memoryMiB: 512, timeoutSeconds: 60, description: "Hoptrace transparency log integrator" },
};

/**
 * AWS's guidance for an SQS event source: at least six times the function timeout, so a message
 * is not handed out again while a throttled or retried invocation still holds it.
 */
export const DELIVERY_VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_SIZING.delivery.timeoutSeconds;
