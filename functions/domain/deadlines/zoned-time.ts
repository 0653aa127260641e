/**
 * Conversions between an instant and wall-clock time in an IANA time zone, using only `Intl`.
 *
 * `toZoned` is exact: it asks the runtime's time zone database what the clock on the wall shows.
 * `fromZoned` has to pick an instant for a wall-clock time, which is not always one-to-one:
 * - in a DST gap (e.g. 02:30 on the spring-forward day in New York) the wall time never happens;
 *   we return the first instant that does exist after it, i.e. the moment of the transition
 *   (03:00 local, the instant the clocks jump). A deadline meant for a missing time thus falls
 *   as early as the clocks allow, never an hour late.
 * - in an overlap (e.g. 01:30 on the fall-back day) the wall time happens twice; we take the
 *   earlier instant (still on daylight time), so a deadline never silently grows by an hour.
 * Sub-second precision is not kept on the wall-clock side; instants are handled to the millisecond.
 */
import { DeadlineError } from "./errors.js";
import { isValidLocalDate, weekdayOf } from "./local-date.js";

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        calendar: "gregory",
        numberingSystem: "latn",
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch (cause) {
      throw new DeadlineError("invalid_time_zone", `unknown time zone: ${timeZone}`, { cause });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows `timeZone` as an IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function toZoned(instant: Date, timeZone: string): ZonedParts {
  const time = instant.getTime();
  if (!Number.isFinite(time)) throw new DeadlineError("invalid_argument", "invalid date");
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  // Years before 1 CE come back as era years ("1 BC" is year 0 in ISO numbering).
  const year = fields.era === "BC" || fields.era === "B" ? 1 - yearOfEra : yearOfEra;
  const date = { year, month: Number(fields.month), day: Number(fields.day) };
  return {
    ...date,
    hour: Number(fields.hour),
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: weekdayOf(date),
  };
}

function wallClockMs(parts: LocalDateTime): number {
  const utc = new Date(0);
  utc.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  utc.setUTCHours(parts.hour, parts.minute, parts.second ?? 0, 0);
  return utc.getTime();
}

/** Offset of the zone from UTC at `time`, in milliseconds (wall clock minus UTC). */
function offsetAt(time: number, timeZone: string): number {
  const wholeSecond = Math.floor(time / 1000) * 1000;
  return wallClockMs(toZoned(new Date(wholeSecond), timeZone)) - wholeSecond;
}

function validateLocal(parts: LocalDateTime): void {
  const second = parts.second ?? 0;
  const ok =
    isValidLocalDate(parts) &&
    Number.isInteger(parts.hour) &&
    Number.isInteger(parts.minute) &&
    Number.isInteger(second) &&
    parts.hour >= 0 &&
    parts.hour <= 23 &&
    parts.minute >= 0 &&
    parts.minute <= 59 &&
    second >= 0 &&
    second <= 59;
  if (!ok) throw new DeadlineError("invalid_local_time", `not a valid local date-time: ${JSON.stringify(parts)}`);
}

const DAY_MS = 86_400_000;

export function fromZoned(parts: LocalDateTime, timeZone: string): Date {
  validateLocal(parts);
  formatterFor(timeZone);
  const wall = wallClockMs(parts);
  // Offsets a day either side bracket any single transition near this wall time.
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - offsetBefore, wall - offsetAfter])].filter((time) => wall === time + offsetAt(time, timeZone)).sort((a, b) => a - b);
  const earliest = candidates[0];
  if (earliest !== undefined) return new Date(earliest);

  if (offsetAfter > offsetBefore) {
    // In the gap: the transition lies in (wall - offsetAfter, wall - offsetBefore]; find the
    // first instant already on the new offset.
    let low = wall - offsetAfter;
    let high = wall - offsetBefore;
    while (high - low > 1) {
      const middle = low + Math.floor((high - low) / 2);
      if (offsetAt(middle, timeZone) === offsetAfter) high = middle;
      else low = middle;
    }
    return new Date(high);
  }
  throw new DeadlineError("invalid_local_time", `cannot resolve local time ${JSON.stringify(parts)} in ${timeZone}`);
}
