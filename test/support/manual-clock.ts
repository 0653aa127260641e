import type { Clock } from "../../functions/domain/clock.js";

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  realDelayMs(_clockMs: number): number {
    return 0;
  }
  set(instant: Date): void {
    this.current = new Date(instant);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
