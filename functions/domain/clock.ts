/** The only source of "now" in the domain: real in production, controllable in tests and demos. */
export interface Clock {
  now(): Date;
  /**
   * How long to really wait for `clockMs` to pass on this clock. Used where a real timer stands in
   * for clock time (SQS message delays), so an accelerated clock also accelerates retries.
   */
  realDelayMs(clockMs: number): number;
}

export const systemClock: Clock = { now: () => new Date(), realDelayMs: (ms) => ms };

/** A clock that runs `factor` times faster than real time from `start`, for demos and accelerated tests. */
export function acceleratedClock(factor: number, start: Date = new Date(), real: () => number = Date.now): Clock {
  const realStart = real();
  return {
    now: () => new Date(start.getTime() + (real() - realStart) * factor),
    realDelayMs: (ms) => ms / factor,
  };
}
