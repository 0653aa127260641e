import { DeadlineError } from "./errors.js";

/** A calendar date with no time zone attached. Months are 1-12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidLocalDate(date: LocalDate): boolean {
  return (
    Number.isInteger(date.year) &&
    Number.isInteger(date.month) &&
    Number.isInteger(date.day) &&
    date.month >= 1 &&
    date.month <= 12 &&
    date.day >= 1 &&
    date.day <= daysInMonth(date.year, date.month)
  );
}

export function parseLocalDate(text: string): LocalDate {
  const match = DATE_PATTERN.exec(text);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
  if (!date || !isValidLocalDate(date)) {
    throw new DeadlineError("invalid_argument", `not a calendar date (YYYY-MM-DD): ${text}`);
  }
  return date;
}

export function isLocalDateString(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  return match !== null && isValidLocalDate({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) });
}

export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

export function toLocalDate(value: LocalDate | string): LocalDate {
  return typeof value === "string" ? parseLocalDate(value) : value;
}

/** Calendar arithmetic done in UTC, where every day has 24 hours. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Hour and minute of an "HH:MM" (24-hour) string. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } {
  const match = TIME_PATTERN.exec(text);
  if (!match) throw new DeadlineError("invalid_argument", `not a time of day (HH:MM): ${text}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function isTimeOfDayString(text: string): boolean {
  return TIME_PATTERN.test(text);
}
