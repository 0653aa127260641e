/**
 * Deadline policies for hop requests: when the answer clock starts and when the answer is due.
 *
 * Rules [design; the legal texts set the principle, these are our exact readings]:
 *
 * `us-24h` (47 CFR 64.1200(n)(1): answer within 24 hours, held over outside business hours)
 * - Clock start: a request received during business hours of a business day starts the clock at
 *   once; any other request counts as received at `nextBusinessOpening` (today's opening if it
 *   came before opening on a business day, else the next business day's opening).
 * - Due: clock start + 24 hours of elapsed time (a DST change in between moves the wall-clock
 *   time, not the duration). If that instant falls on a non-business day (weekend, holiday,
 *   closed date), what is left of the 24 hours is held over: the due time moves to the same local
 *   time of day on the next business day.
 *   Examples (New York): Friday 18:00 -> clock Monday 08:00 -> due Tuesday 08:00; Friday 15:00
 *   before a Monday holiday -> due Tuesday 15:00; New Year's Day -> clock at the next business
 *   day's opening.
 *
 * `ca-2bd` (CRTC: answer within 2 business days, capped requests per provider per week)
 * - Clock start as for `us-24h`, on the Canadian calendar.
 * - Due: two business days after clock start, at the same local time of day (`addBusinessDays`).
 * - Cap: at most `weeklyCapPerProvider` requests to one provider per local calendar week
 *   (Monday 00:00 to the next Monday 00:00 in the calendar's zone). A request over the cap waits
 *   for the next week window (`capDecision`).
 *
 * `fixed`: the clock starts on receipt and the answer is due `durationSeconds` later, whatever
 * the day; for tests, demos and bilateral agreements.
 *
 * `heldOver` is true whenever a calendar rule moved the clock start or the due time; `reason`
 * then says which rule and why.
 */
import { z } from "zod";
import {
  addBusinessDays,
  businessCalendarSchema,
  CA_DEFAULT_CALENDAR,
  closedReason,
  isWithinBusinessHours,
  nextBusinessDay,
  nextBusinessOpening,
  sameTimeOfDayOn,
  US_DEFAULT_CALENDAR,
  type BusinessCalendar,
} from "./calendar.js";
import { DeadlineError } from "./errors.js";
import { addDays, weekdayOf } from "./local-date.js";
import { fromZoned, toZoned } from "./zoned-time.js";

import { DEADLINE_POLICY_NAMES, type DeadlinePolicyName } from "./names.js";

export { DEADLINE_POLICY_NAMES, type DeadlinePolicyName };

export const DEFAULT_WEEKLY_CAP_PER_PROVIDER = 10;
export const DEFAULT_FIXED_DURATION_SECONDS = 86_400;

export const deadlinePolicySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("us-24h"), calendar: businessCalendarSchema }),
  z.object({
    kind: z.literal("ca-2bd"),
    calendar: businessCalendarSchema,
    weeklyCapPerProvider: z.number().int().positive(),
  }),
  z.object({ kind: z.literal("fixed"), durationSeconds: z.number().int().positive() }),
]);

export type DeadlinePolicy = z.infer<typeof deadlinePolicySchema>;
export type DeadlinePolicyOf<N extends DeadlinePolicyName> = Extract<DeadlinePolicy, { kind: N }>;

export interface DeadlinePolicyOverrides {
  /** Merged field by field over the policy's default calendar (`us-24h`, `ca-2bd` only). */
  calendar?: Partial<BusinessCalendar>;
  /** `ca-2bd` only. */
  weeklyCapPerProvider?: number;
  /** `fixed` only. */
  durationSeconds?: number;
}

/**
 * The named policy with its defaults, adjusted by `overrides` and validated. An override that does
 * not apply to the named policy is rejected rather than silently ignored.
 */
export function defaultPolicy<N extends DeadlinePolicyName>(name: N, overrides: DeadlinePolicyOverrides = {}): DeadlinePolicyOf<N> {
  const applies: Record<DeadlinePolicyName, (keyof DeadlinePolicyOverrides)[]> = {
    "us-24h": ["calendar"],
    "ca-2bd": ["calendar", "weeklyCapPerProvider"],
    fixed: ["durationSeconds"],
  };
  const allowed = applies[name];
  if (!allowed) throw new DeadlineError("invalid_policy", `unknown deadline policy: ${String(name)}`);
  const misplaced = (Object.keys(overrides) as (keyof DeadlinePolicyOverrides)[]).filter((key) => overrides[key] !== undefined && !allowed.includes(key));
  if (misplaced.length > 0) {
    throw new DeadlineError("invalid_policy", `override(s) ${misplaced.join(", ")} do not apply to policy ${name}`);
  }
  const candidate =
    name === "us-24h"
      ? { kind: name, calendar: { ...US_DEFAULT_CALENDAR, ...overrides.calendar } }
      : name === "ca-2bd"
        ? {
            kind: name,
            calendar: { ...CA_DEFAULT_CALENDAR, ...overrides.calendar },
            weeklyCapPerProvider: overrides.weeklyCapPerProvider ?? DEFAULT_WEEKLY_CAP_PER_PROVIDER,
          }
        : { kind: name, durationSeconds: overrides.durationSeconds ?? DEFAULT_FIXED_DURATION_SECONDS };
  const parsed = deadlinePolicySchema.safeParse(candidate);
  if (!parsed.success) {
    throw new DeadlineError("invalid_policy", `invalid ${name} policy: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data as DeadlinePolicyOf<N>;
}

export interface Deadline {
  clockStartsAt: Date;
  dueAt: Date;
  heldOver: boolean;
  reason?: string;
}

const HOUR_MS = 3_600_000;

function clockStart(receivedAt: Date, calendar: BusinessCalendar): { at: Date; reason?: string } {
  if (isWithinBusinessHours(receivedAt, calendar)) return { at: new Date(receivedAt.getTime()) };
  const local = toZoned(receivedAt, calendar.timeZone);
  const closed = closedReason(local, calendar);
  const why = closed ?? `received outside business hours (${calendar.opensAt}-${calendar.closesAt} ${calendar.timeZone})`;
  return { at: nextBusinessOpening(receivedAt, calendar), reason: `${why}; clock starts at the next business opening` };
}

function withReasons(clockStartsAt: Date, dueAt: Date, reasons: (string | undefined)[]): Deadline {
  const given = reasons.filter((reason): reason is string => reason !== undefined);
  return given.length === 0 ? { clockStartsAt, dueAt, heldOver: false } : { clockStartsAt, dueAt, heldOver: true, reason: given.join("; ") };
}

export function computeDeadline(policy: DeadlinePolicy, receivedAt: Date): Deadline {
  if (!Number.isFinite(receivedAt.getTime())) throw new DeadlineError("invalid_argument", "receivedAt is not a valid date");
  switch (policy.kind) {
    case "fixed":
      return {
        clockStartsAt: new Date(receivedAt.getTime()),
        dueAt: new Date(receivedAt.getTime() + policy.durationSeconds * 1000),
        heldOver: false,
      };
    case "us-24h": {
      const { calendar } = policy;
      const start = clockStart(receivedAt, calendar);
      const elapsedDue = new Date(start.at.getTime() + 24 * HOUR_MS);
      const dueLocal = toZoned(elapsedDue, calendar.timeZone);
      const dueClosed = closedReason(dueLocal, calendar);
      if (dueClosed === undefined) return withReasons(start.at, elapsedDue, [start.reason]);
      const dueAt = sameTimeOfDayOn(elapsedDue, nextBusinessDay(dueLocal, calendar), calendar.timeZone);
      return withReasons(start.at, dueAt, [start.reason, `24 hours end on a non-business day (${dueClosed}); held over to the next business day`]);
    }
    case "ca-2bd": {
      const { calendar } = policy;
      const start = clockStart(receivedAt, calendar);
      return withReasons(start.at, addBusinessDays(start.at, 2, calendar), [start.reason]);
    }
  }
}

/**
 * Reminder instants `secondsBeforeDue` before `dueAt`, ascending and without duplicates; those
 * not strictly after `clockStartsAt` are dropped (no reminder before the clock runs).
 */
export function reminderTimes(clockStartsAt: Date, dueAt: Date, secondsBeforeDue: number[]): Date[] {
  for (const seconds of secondsBeforeDue) {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new DeadlineError("invalid_argument", `reminder offsets must be non-negative seconds, got ${seconds}`);
    }
  }
  const start = clockStartsAt.getTime();
  const times = new Set(secondsBeforeDue.map((seconds) => dueAt.getTime() - seconds * 1000));
  return [...times]
    .filter((time) => time > start)
    .sort((a, b) => a - b)
    .map((time) => new Date(time));
}

/** The local calendar week holding `instant`: Monday 00:00 to the next Monday 00:00, in the calendar's zone. */
export function weekWindow(instant: Date, calendar: BusinessCalendar): { start: Date; end: Date } {
  const local = toZoned(instant, calendar.timeZone);
  const monday = addDays(local, -((weekdayOf(local) + 6) % 7));
  const nextMonday = addDays(monday, 7);
  const midnight = { hour: 0, minute: 0, second: 0 };
  return {
    start: fromZoned({ ...monday, ...midnight }, calendar.timeZone),
    end: fromZoned({ ...nextMonday, ...midnight }, calendar.timeZone),
  };
}

export type CapDecision = { allowed: true } | { allowed: false; waitUntil: Date; reason: string };

/**
 * Whether one more request may go to a provider that has already received `requestsThisWeek`
 * requests in the week window holding `now`. Only `ca-2bd` has a cap.
 */
export function capDecision(policy: DeadlinePolicy, requestsThisWeek: number, now: Date): CapDecision {
  if (!Number.isInteger(requestsThisWeek) || requestsThisWeek < 0) {
    throw new DeadlineError("invalid_argument", `requestsThisWeek must be a non-negative integer, got ${requestsThisWeek}`);
  }
  if (policy.kind !== "ca-2bd" || requestsThisWeek < policy.weeklyCapPerProvider) return { allowed: true };
  const { end } = weekWindow(now, policy.calendar);
  return {
    allowed: false,
    waitUntil: end,
    reason: `weekly cap of ${policy.weeklyCapPerProvider} requests per provider reached (${requestsThisWeek} this week); next window opens ${end.toISOString()}`,
  };
}
