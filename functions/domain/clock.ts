/** The only source of "now" in the domain: real in production, controllable in tests and demos. */
export interface Clock {
  now(): Date;
  /**
   * How long to really wait for `clockMs` to pass on this clock. Used where a real timer stands in
   * for clock time (SQS message delays), so a clock that tests move also moves retries.
   */
  realDelayMs(clockMs: number): number;
}

export const systemClock: Clock = { now: () => new Date(), realDelayMs: (ms) => ms };
