/** When a scheduled function stops starting work: 10 s before its timeout, or at once when run without a Lambda context. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

const MARGIN_MS = 10_000;

export function runDeadline(nowMs: number, context?: LambdaContext): number {
  return nowMs + (context ? context.getRemainingTimeInMillis() - MARGIN_MS : 0);
}
