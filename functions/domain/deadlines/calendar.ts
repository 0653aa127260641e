/**
 * Business calendars: which local days are working days and when the working day opens and closes.
 *
 * A day is a business day when its weekday is listed, it is not a holiday of the configured set
 * (neither the holiday's own date nor its observed substitute, see holidays.ts) and it is not one
 * of the `extraClosedDates`. Business hours run from `opensAt` (inclusive) to `closesAt`
 * (exclusive), local time. Wall-clock times that do not exist or exist twice because of daylight
 * saving are resolved as in zoned-time.ts.
 */
import { z } from "zod";
import { DeadlineError } from "./errors.js";
import { canadaFederalHolidays, usFederalHolidays, type HolidayDate } from "./holidays.js";
import { addDays, formatLocalDate, isLocalDateString, isTimeOfDayString, parseTimeOfDay, toLocalDate, weekdayOf, type LocalDate } from "./local-date.js";
import { fromZoned, isValidTimeZone, toZoned } from "./zoned-time.js";

export const HOLIDAY_SETS = ["us-federal", "ca-federal", "none"] as const;
export type HolidaySet = (typeof HOLIDAY_SETS)[number];

export const businessCalendarSchema = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, { message: "unknown IANA time zone" }),
    businessDays: z
      .array(z.number().int().min(0).max(6))
      .min(1)
      .refine((days) => new Set(days).size === days.length, { message: "business days must be unique" }),
    opensAt: z.string().refine(isTimeOfDayString, { message: "expected HH:MM (24-hour)" }),
    closesAt: z.string().refine(isTimeOfDayString, { message: "expected HH:MM (24-hour)" }),
    holidays: z.enum(HOLIDAY_SETS),
    extraClosedDates: z.array(z.string().refine(isLocalDateString, { message: "expected a calendar date YYYY-MM-DD" })).optional(),
  })
  .refine((calendar) => calendar.opensAt < calendar.closesAt, {
    message: "opensAt must be earlier than closesAt",
    path: ["closesAt"],
  });

export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

function frozenCalendar(calendar: BusinessCalendar): BusinessCalendar {
  Object.freeze(calendar.businessDays);
  if (calendar.extraClosedDates) Object.freeze(calendar.extraClosedDates);
  return Object.freeze(calendar);
}

export const US_DEFAULT_CALENDAR: BusinessCalendar = frozenCalendar({
  timeZone: "America/New_York",
  businessDays: [1, 2, 3, 4, 5],
  opensAt: "08:00",
  closesAt: "17:00",
  holidays: "us-federal",
});

export const CA_DEFAULT_CALENDAR: BusinessCalendar = frozenCalendar({
  timeZone: "America/Toronto",
  businessDays: [1, 2, 3, 4, 5],
  opensAt: "08:00",
  closesAt: "17:00",
  holidays: "ca-federal",
});

const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Search horizon for the next business day; a real calendar finds one within days. */
const MAX_SEARCH_DAYS = 3660;

const holidayIndex = new Map<string, Map<string, HolidayDate>>();

function holidaysOfYear(set: HolidaySet, year: number): Map<string, HolidayDate> {
  const key = `${set}:${year}`;
  let index = holidayIndex.get(key);
  if (!index) {
    const list = set === "us-federal" ? usFederalHolidays(year) : set === "ca-federal" ? canadaFederalHolidays(year) : [];
    index = new Map();
    for (const holiday of list) if (!index.has(holiday.date)) index.set(holiday.date, holiday);
    holidayIndex.set(key, index);
  }
  return index;
}

/** The holiday closing `localDate`, if any; looks at neighbouring years for observed days. */
export function holidayOn(localDate: LocalDate | string, calendar: BusinessCalendar): HolidayDate | undefined {
  const date = toLocalDate(localDate);
  const text = formatLocalDate(date);
  for (const year of [date.year, date.year + 1, date.year - 1]) {
    const holiday = holidaysOfYear(calendar.holidays, year).get(text);
    if (holiday) return holiday;
  }
  return undefined;
}

/** Why `localDate` is not a business day, or undefined when it is one. */
export function closedReason(localDate: LocalDate | string, calendar: BusinessCalendar): string | undefined {
  const date = toLocalDate(localDate);
  const text = formatLocalDate(date);
  const weekday = weekdayOf(date);
  if (!calendar.businessDays.includes(weekday)) return `${text} is a ${WEEKDAY_NAMES[weekday]}, not a business day`;
  const holiday = holidayOn(date, calendar);
  if (holiday) return `${text} is a holiday (${holiday.name}${holiday.observed ? ", observed" : ""})`;
  if (calendar.extraClosedDates?.includes(text)) return `${text} is a closed date`;
  return undefined;
}

export function isBusinessDay(localDate: LocalDate | string, calendar: BusinessCalendar): boolean {
  return closedReason(localDate, calendar) === undefined;
}

/** The first business day strictly after `localDate`. */
export function nextBusinessDay(localDate: LocalDate | string, calendar: BusinessCalendar): LocalDate {
  let date = toLocalDate(localDate);
  for (let step = 0; step < MAX_SEARCH_DAYS; step += 1) {
    date = addDays(date, 1);
    if (isBusinessDay(date, calendar)) return date;
  }
  throw new DeadlineError("no_business_day", `no business day within ${MAX_SEARCH_DAYS} days of ${formatLocalDate(toLocalDate(localDate))}`);
}

function secondsOfDay(parts: { hour: number; minute: number; second: number }): number {
  return parts.hour * 3600 + parts.minute * 60 + parts.second;
}

function timeOfDaySeconds(text: string): number {
  const { hour, minute } = parseTimeOfDay(text);
  return hour * 3600 + minute * 60;
}

export function isWithinBusinessHours(instant: Date, calendar: BusinessCalendar): boolean {
  const local = toZoned(instant, calendar.timeZone);
  if (!isBusinessDay(local, calendar)) return false;
  const now = secondsOfDay(local);
  return now >= timeOfDaySeconds(calendar.opensAt) && now < timeOfDaySeconds(calendar.closesAt);
}

/** The opening instant of business day `date` in the calendar's zone. */
export function openingOn(localDate: LocalDate | string, calendar: BusinessCalendar): Date {
  const { hour, minute } = parseTimeOfDay(calendar.opensAt);
  return fromZoned({ ...toLocalDate(localDate), hour, minute, second: 0 }, calendar.timeZone);
}

/**
 * Today's opening when `instant` is on a business day before it opens; otherwise the opening of
 * the next business day (also when `instant` is during or after today's business hours).
 */
export function nextBusinessOpening(instant: Date, calendar: BusinessCalendar): Date {
  const local = toZoned(instant, calendar.timeZone);
  if (isBusinessDay(local, calendar) && secondsOfDay(local) < timeOfDaySeconds(calendar.opensAt)) {
    return openingOn(local, calendar);
  }
  return openingOn(nextBusinessDay(local, calendar), calendar);
}

/**
 * The instant `n` business days after `instant`, at the same local time of day. Days are counted
 * from the day after `instant`'s local date, whether or not that date is itself a business day.
 */
export function addBusinessDays(instant: Date, n: number, calendar: BusinessCalendar): Date {
  if (!Number.isInteger(n) || n < 0) {
    throw new DeadlineError("invalid_argument", `business days to add must be a non-negative integer, got ${n}`);
  }
  if (n === 0) return new Date(instant.getTime());
  const local = toZoned(instant, calendar.timeZone);
  let date: LocalDate = local;
  for (let counted = 0; counted < n; counted += 1) date = nextBusinessDay(date, calendar);
  return sameTimeOfDayOn(instant, date, calendar.timeZone);
}

/** The instant on local `date` showing the same wall-clock time as `instant` (milliseconds kept). */
export function sameTimeOfDayOn(instant: Date, localDate: LocalDate | string, timeZone: string): Date {
  const local = toZoned(instant, timeZone);
  const date = toLocalDate(localDate);
  const resolved = fromZoned({ year: date.year, month: date.month, day: date.day, hour: local.hour, minute: local.minute, second: local.second }, timeZone);
  const milliseconds = ((instant.getTime() % 1000) + 1000) % 1000;
  return new Date(resolved.getTime() + milliseconds);
}
