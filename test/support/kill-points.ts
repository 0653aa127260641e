/**
 * Where a test that kills a process between two of its store calls kills it, when trying every
 * call costs too much (on the emulators one try is some hundred round trips): before the first
 * call, before the last, and before `between` calls spread evenly between them. `shift` (0..1)
 * moves the spread, so that several scenarios together cut their runs at different places.
 * HOPTRACE_KILL_POINTS=every asks such a test to try every call instead (some minutes).
 */
export const everyKillPointAsked = (): boolean => process.env.HOPTRACE_KILL_POINTS === "every";

export function spreadKillPoints(total: number, between: number, shift = 0.5): number[] {
  const middle = Array.from({ length: between }, (_, j) => Math.floor((total * (j + shift)) / between));
  return [...new Set([0, ...middle, total - 1])];
}
