/** The only source of "now" in the domain: real in production, controllable in tests and demos. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that runs `factor` times faster than real time from `start`, for demos and accelerated tests. */
export function acceleratedClock(factor: number, start: Date = new Date(), real: () => number = Date.now): Clock {
  const realStart = real();
  return { now: () => new Date(start.getTime() + (real() - realStart) * factor) };
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(instant: Date): void {
    this.current = new Date(instant);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
