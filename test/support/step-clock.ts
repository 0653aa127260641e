/**
 * A clock the test moves, for end-to-end tests of what the hub does at a time (reminders, overdue,
 * escalation, retries, the reconciler's graces): each happens when the test moves the clock past
 * it, however busy the machine is, instead of when enough wall time has gone by on a clock run
 * fast (where a second lost to a shared CPU is a quarter of an hour of the hub's time, enough to
 * expire signatures and leases and to take work still under way for lost).
 */
import { ManualClock } from "./manual-clock.js";

/** The longest real wait the hub is told a later time needs, ms. */
const LONGEST_REAL_WAIT_MS = 1000;

export class StepClock extends ManualClock {
  constructor(start: Date = new Date()) {
    super(start);
  }

  /**
   * A queue message held for a later time comes back within a second to look at the clock again
   * (it moves only when the test moves it), and a span of real time (an attempt's timeout) counts
   * for as much of this clock as of the system's: an attempt under way is taken for over only
   * once the test has moved the clock past the time it may take.
   */
  override realDelayMs(clockMs: number): number {
    return Math.min(clockMs, LONGEST_REAL_WAIT_MS);
  }

  /** Moves the clock to `instant`, unless it is there or later already. */
  advanceTo(instant: Date | string): void {
    const at = new Date(instant);
    if (at.getTime() > this.now().getTime()) this.set(at);
  }
}

/**
 * Polls `read` until it gives a value (anything but undefined or false) and returns it. The
 * timeout is generous: on a loaded machine the outcome comes later, and the test only fails if it
 * never comes.
 */
export async function eventually<T>(read: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
