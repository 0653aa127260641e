/**
 * Delay before each delivery attempt, in seconds. Attempt n (1-based) waits
 * schedule[n - 1] after the previous failure; the first entry is the initial
 * attempt. Front-loaded so that most retries land well inside the 24-hour
 * answer clock, while a receiver that is down overnight still gets a late try.
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200];

export const DEFAULT_JITTER = 0.2;

/** SQS caps DelaySeconds at 15 minutes. */
export const SQS_MAX_DELAY_SECONDS = 900;

export interface NextAttemptInput {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  failedAt: Date;
  /** From the receiver's Retry-After; a floor, never shortened by jitter. */
  retryAfterSeconds?: number;
  /** Uniform in [0, 1]. */
  random: () => number;
  /** Fraction of the delay by which the wait may vary either way. */
  jitter?: number;
}

/**
 * When the next attempt is due, or undefined once the schedule is exhausted.
 * Jitter spreads retries of many events that failed together (one endpoint
 * outage) so they do not arrive at the recovering receiver in a single burst.
 */
export function nextAttemptAt(input: NextAttemptInput): Date | undefined {
  if (!Number.isInteger(input.attempt) || input.attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, got ${input.attempt}`);
  }
  const base = RETRY_SCHEDULE_SECONDS[input.attempt];
  if (base === undefined) return undefined;

  const jitter = Math.min(Math.max(input.jitter ?? DEFAULT_JITTER, 0), 1);
  const r = Math.min(Math.max(input.random(), 0), 1);
  const jittered = base * (1 + jitter * (2 * r - 1));
  const floor = Math.max(0, input.retryAfterSeconds ?? 0);
  const delayMs = Math.round(Math.max(jittered, floor) * 1000);
  return new Date(input.failedAt.getTime() + delayMs);
}

/**
 * How long to delay the queue message that carries an attempt due at
 * `notBefore`. Waits longer than SQS allows are covered by re-enqueueing in
 * hops of at most {@link SQS_MAX_DELAY_SECONDS}; `final` tells the consumer
 * whether this hop reaches the due time or must be delayed again.
 */
export function sqsDelayFor(notBefore: Date, now: Date): { delaySeconds: number; final: boolean } {
  const remaining = Math.max(0, Math.ceil((notBefore.getTime() - now.getTime()) / 1000));
  if (remaining <= SQS_MAX_DELAY_SECONDS) return { delaySeconds: remaining, final: true };
  return { delaySeconds: SQS_MAX_DELAY_SECONDS, final: false };
}
