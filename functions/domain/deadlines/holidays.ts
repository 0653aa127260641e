/**
 * Public holidays computed from their rules, for any year.
 *
 * Each list holds, for every holiday of `year`, the holiday's own date (`observed: false`) and,
 * when that date falls on a weekend, the weekday that replaces it (`observed: true`, same name).
 * Closing on both is right for a Monday-Friday calendar (the weekend date is closed anyway) and
 * for a calendar that works Saturdays (the holiday itself is then a day off too).
 *
 * An observed date belongs to the list of the holiday's year even when it falls in another year:
 * US New Year's Day of 2028 (a Saturday) is observed on Friday 2027-12-31 and appears in
 * `usFederalHolidays(2028)`. A lookup for one date must therefore also consult the next year's list.
 *
 * Holidays created by law are listed from their first year: Juneteenth (US, 2021) and the
 * National Day for Truth and Reconciliation (Canada, 2021).
 */
import { addDays, daysInMonth, formatLocalDate, weekdayOf, type LocalDate } from "./local-date.js";

export interface HolidayDate {
  date: string;
  name: string;
  observed: boolean;
}

const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;
const SUNDAY = 0;

/** The `nth` (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, weekday: number, nth: number): LocalDate {
  const first = { year, month, day: 1 };
  const offset = (weekday - weekdayOf(first) + 7) % 7;
  return { year, month, day: 1 + offset + (nth - 1) * 7 };
}

function lastWeekday(year: number, month: number, weekday: number): LocalDate {
  const last = { year, month, day: daysInMonth(year, month) };
  return addDays(last, -((weekdayOf(last) - weekday + 7) % 7));
}

/** Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

function entry(date: LocalDate, name: string, observed = false): HolidayDate {
  return { date: formatLocalDate(date), name, observed };
}

/** US rule (5 U.S.C. 6103(b)): Saturday is observed the Friday before, Sunday the Monday after. */
function withUsObserved(date: LocalDate, name: string): HolidayDate[] {
  const weekday = weekdayOf(date);
  if (weekday === SATURDAY) return [entry(date, name), entry(addDays(date, -1), name, true)];
  if (weekday === SUNDAY) return [entry(date, name), entry(addDays(date, 1), name, true)];
  return [entry(date, name)];
}

/** Canadian rule: a holiday on a weekend is observed the following Monday. */
function withCanadaObserved(date: LocalDate, name: string): HolidayDate[] {
  const weekday = weekdayOf(date);
  if (weekday === SATURDAY) return [entry(date, name), entry(addDays(date, 2), name, true)];
  if (weekday === SUNDAY) return [entry(date, name), entry(addDays(date, 1), name, true)];
  return [entry(date, name)];
}

function byDate(a: HolidayDate, b: HolidayDate): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : Number(a.observed) - Number(b.observed);
}

export function usFederalHolidays(year: number): HolidayDate[] {
  const fixed = (month: number, day: number) => ({ year, month, day });
  const holidays: HolidayDate[] = [
    ...withUsObserved(fixed(1, 1), "New Year's Day"),
    entry(nthWeekday(year, 1, MONDAY, 3), "Birthday of Martin Luther King, Jr."),
    entry(nthWeekday(year, 2, MONDAY, 3), "Washington's Birthday"),
    entry(lastWeekday(year, 5, MONDAY), "Memorial Day"),
    ...(year >= 2021 ? withUsObserved(fixed(6, 19), "Juneteenth National Independence Day") : []),
    ...withUsObserved(fixed(7, 4), "Independence Day"),
    entry(nthWeekday(year, 9, MONDAY, 1), "Labor Day"),
    entry(nthWeekday(year, 10, MONDAY, 2), "Columbus Day"),
    ...withUsObserved(fixed(11, 11), "Veterans Day"),
    entry(nthWeekday(year, 11, THURSDAY, 4), "Thanksgiving Day"),
    ...withUsObserved(fixed(12, 25), "Christmas Day"),
  ];
  return holidays.sort(byDate);
}

export function canadaFederalHolidays(year: number): HolidayDate[] {
  const fixed = (month: number, day: number) => ({ year, month, day });
  const christmas = fixed(12, 25);
  const boxingDay = fixed(12, 26);
  const christmasWeekday = weekdayOf(christmas);
  // When Christmas takes the Monday (it fell on Saturday or Sunday), Boxing Day moves to Tuesday.
  const boxingDayEntries =
    christmasWeekday === SATURDAY || christmasWeekday === SUNDAY
      ? [entry(boxingDay, "Boxing Day"), entry(addDays(christmas, christmasWeekday === SATURDAY ? 3 : 2), "Boxing Day", true)]
      : withCanadaObserved(boxingDay, "Boxing Day");
  const easter = easterSunday(year);
  // "The Monday before May 25": the last Monday on or before May 24.
  const victoriaDay = addDays(fixed(5, 24), -((weekdayOf(fixed(5, 24)) - MONDAY + 7) % 7));
  const holidays: HolidayDate[] = [
    ...withCanadaObserved(fixed(1, 1), "New Year's Day"),
    entry(addDays(easter, -2), "Good Friday"),
    entry(victoriaDay, "Victoria Day"),
    ...withCanadaObserved(fixed(7, 1), "Canada Day"),
    entry(nthWeekday(year, 9, MONDAY, 1), "Labour Day"),
    ...(year >= 2021 ? withCanadaObserved(fixed(9, 30), "National Day for Truth and Reconciliation") : []),
    entry(nthWeekday(year, 10, MONDAY, 2), "Thanksgiving"),
    ...withCanadaObserved(fixed(11, 11), "Remembrance Day"),
    ...withCanadaObserved(christmas, "Christmas Day"),
    ...boxingDayEntries,
  ];
  return holidays.sort(byDate);
}
