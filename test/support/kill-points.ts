/**
 * Where a test that kills a process between two of its store calls kills it. Trying every call
 * costs too much where one try is some hundred round trips (the emulators); there it kills before
 * the first call, before the last, and before a few calls spread evenly between them, the spread
 * moved from one scenario to the next so that together they cut their runs at different places.
 * HOPTRACE_KILL_POINTS=every asks such a test to try every call instead (some minutes).
 */

/**
 * Before every call ("every"), or before the calls `pick` chooses out of the `total` a run
 * without a kill makes (from 0, before the first call, to total - 1, before the last), for the
 * `nth` of `of` scenarios.
 */
export type KillPoints = "every" | { pick(total: number, place: { nth: number; of: number }): number[] };

/** The first call, the last and `between` calls spread between them; every call if HOPTRACE_KILL_POINTS=every. */
export const spreadKillPoints = (between: number): KillPoints =>
  process.env.HOPTRACE_KILL_POINTS === "every"
    ? "every"
    : {
        pick: (total, { nth, of }) => {
          const shift = (nth + 1) / (of + 1);
          const middle = Array.from({ length: between }, (_, j) => Math.floor((total * (j + shift)) / between));
          return [...new Set([0, ...middle, total - 1])];
        },
      };

/** The calls of a run of `total` calls to kill before, for the `nth` of `of` scenarios. */
export const killPointsOf = (points: KillPoints, total: number, place = { nth: 0, of: 1 }): number[] =>
  points === "every" ? Array.from({ length: total }, (_, i) => i) : points.pick(total, place);
