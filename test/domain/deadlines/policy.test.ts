import { describe, expect, it } from "vitest";
import { CA_DEFAULT_CALENDAR, US_DEFAULT_CALENDAR } from "../../../functions/domain/deadlines/calendar.js";
import { DeadlineError } from "../../../functions/domain/deadlines/errors.js";
import {
  capDecision,
  computeDeadline,
  DEADLINE_POLICY_NAMES,
  deadlinePolicySchema,
  defaultPolicy,
  reminderTimes,
  weekWindow,
} from "../../../functions/domain/deadlines/policy.js";
import { toZoned } from "../../../functions/domain/deadlines/zoned-time.js";

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();
const US = defaultPolicy("us-24h");
const CA = defaultPolicy("ca-2bd");
const wall = (date: Date, zone = "America/New_York") => {
  const p = toZoned(date, zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
};

describe("defaultPolicy and deadlinePolicySchema", () => {
  it("names the three policies", () => {
    expect(DEADLINE_POLICY_NAMES).toEqual(["us-24h", "ca-2bd", "fixed"]);
  });

  it("builds valid defaults", () => {
    expect(US).toEqual({ kind: "us-24h", calendar: US_DEFAULT_CALENDAR });
    expect(CA).toEqual({ kind: "ca-2bd", calendar: CA_DEFAULT_CALENDAR, weeklyCapPerProvider: 10 });
    expect(defaultPolicy("fixed")).toEqual({ kind: "fixed", durationSeconds: 86_400 });
    for (const name of DEADLINE_POLICY_NAMES) expect(deadlinePolicySchema.safeParse(defaultPolicy(name)).success).toBe(true);
  });

  it("applies overrides field by field", () => {
    expect(defaultPolicy("ca-2bd", { weeklyCapPerProvider: 3 }).weeklyCapPerProvider).toBe(3);
    const chicago = defaultPolicy("us-24h", { calendar: { timeZone: "America/Chicago", opensAt: "09:00" } });
    expect(chicago.calendar).toEqual({ ...US_DEFAULT_CALENDAR, timeZone: "America/Chicago", opensAt: "09:00" });
    expect(defaultPolicy("fixed", { durationSeconds: 600 })).toEqual({ kind: "fixed", durationSeconds: 600 });
  });

  it("rejects invalid or misplaced overrides with invalid_policy", () => {
    const invalid = expect.objectContaining({ code: "invalid_policy" });
    expect(() => defaultPolicy("ca-2bd", { weeklyCapPerProvider: 0 })).toThrow(invalid);
    expect(() => defaultPolicy("us-24h", { calendar: { timeZone: "Nowhere/Land" } })).toThrow(invalid);
    expect(() => defaultPolicy("fixed", { durationSeconds: -5 })).toThrow(invalid);
    expect(() => defaultPolicy("us-24h", { weeklyCapPerProvider: 5 })).toThrow(invalid);
    expect(() => defaultPolicy("fixed", { calendar: { opensAt: "09:00" } })).toThrow(DeadlineError);
    expect(() => defaultPolicy("nope" as "fixed")).toThrow(invalid);
  });

  it("parses policies from configuration", () => {
    expect(deadlinePolicySchema.parse({ kind: "fixed", durationSeconds: 30 })).toEqual({ kind: "fixed", durationSeconds: 30 });
    expect(deadlinePolicySchema.safeParse({ kind: "ca-2bd", calendar: CA_DEFAULT_CALENDAR }).success).toBe(false);
    expect(deadlinePolicySchema.safeParse({ kind: "weekly", durationSeconds: 30 }).success).toBe(false);
  });
});

describe("computeDeadline us-24h", () => {
  it("starts the clock at once during business hours and is due 24 hours later", () => {
    const d = computeDeadline(US, at("2026-06-16T14:00:00Z"));
    expect(d).toEqual({ clockStartsAt: at("2026-06-16T14:00:00Z"), dueAt: at("2026-06-17T14:00:00Z"), heldOver: false });
  });

  it("starts a request received before opening at today's opening", () => {
    const d = computeDeadline(US, at("2026-06-16T11:00:00Z"));
    expect(iso(d.clockStartsAt)).toBe("2026-06-16T12:00:00.000Z");
    expect(iso(d.dueAt)).toBe("2026-06-17T12:00:00.000Z");
    expect(d.heldOver).toBe(true);
    expect(d.reason).toContain("outside business hours");
  });

  it("Friday 18:00 New York: clock starts Monday 08:00, due Tuesday 08:00", () => {
    const d = computeDeadline(US, at("2026-06-12T22:00:00Z"));
    expect(wall(d.clockStartsAt)).toBe("2026-06-15 08:00");
    expect(wall(d.dueAt)).toBe("2026-06-16 08:00");
    expect(iso(d.dueAt)).toBe("2026-06-16T12:00:00.000Z");
    expect(d.heldOver).toBe(true);
  });

  it("treats closing time as outside business hours", () => {
    const d = computeDeadline(US, at("2026-06-16T21:00:00Z"));
    expect(wall(d.clockStartsAt)).toBe("2026-06-17 08:00");
  });

  it("Friday 15:00 before Labor Day: due Tuesday 15:00", () => {
    const d = computeDeadline(US, at("2026-09-04T19:00:00Z"));
    expect(iso(d.clockStartsAt)).toBe("2026-09-04T19:00:00.000Z");
    expect(wall(d.dueAt)).toBe("2026-09-08 15:00");
    expect(iso(d.dueAt)).toBe("2026-09-08T19:00:00.000Z");
    expect(d.heldOver).toBe(true);
    expect(d.reason).toContain("non-business day");
  });

  it("holds over a due time landing on the observed holiday itself", () => {
    // Thursday 2026-07-02 10:00 EDT -> 24 h ends Friday July 3 (Independence Day observed) -> Monday 10:00.
    const d = computeDeadline(US, at("2026-07-02T14:00:00Z"));
    expect(wall(d.dueAt)).toBe("2026-07-06 10:00");
    expect(d.reason).toContain("Independence Day");
  });

  it("New Year's Day 2027: clock starts at Monday's opening", () => {
    const d = computeDeadline(US, at("2027-01-01T15:00:00Z"));
    expect(iso(d.clockStartsAt)).toBe("2027-01-04T13:00:00.000Z");
    expect(iso(d.dueAt)).toBe("2027-01-05T13:00:00.000Z");
    expect(d.reason).toContain("New Year's Day");
  });

  it("New Year's Day 2028 falls on Saturday: observed Friday 2027-12-31 is closed", () => {
    const onObserved = computeDeadline(US, at("2027-12-31T15:00:00Z"));
    expect(wall(onObserved.clockStartsAt)).toBe("2028-01-03 08:00");
    expect(wall(onObserved.dueAt)).toBe("2028-01-04 08:00");
    const dayBefore = computeDeadline(US, at("2027-12-30T15:00:00Z"));
    expect(iso(dayBefore.clockStartsAt)).toBe("2027-12-30T15:00:00.000Z");
    expect(wall(dayBefore.dueAt)).toBe("2028-01-03 10:00");
    const onTheDay = computeDeadline(US, at("2028-01-01T15:00:00Z"));
    expect(wall(onTheDay.clockStartsAt)).toBe("2028-01-03 08:00");
  });

  it("Saturday before the spring-forward Sunday: Monday 08:00 EDT, right in UTC", () => {
    const d = computeDeadline(US, at("2026-03-07T17:00:00Z")); // Saturday 12:00 EST
    expect(wall(d.clockStartsAt)).toBe("2026-03-09 08:00");
    expect(iso(d.clockStartsAt)).toBe("2026-03-09T12:00:00.000Z");
    expect(wall(d.dueAt)).toBe("2026-03-10 08:00");
    expect(iso(d.dueAt)).toBe("2026-03-10T12:00:00.000Z");
  });

  it("Saturday before the fall-back Sunday: Monday 08:00 EST, right in UTC", () => {
    const d = computeDeadline(US, at("2026-10-31T16:00:00Z")); // Saturday 12:00 EDT
    expect(wall(d.clockStartsAt)).toBe("2026-11-02 08:00");
    expect(iso(d.clockStartsAt)).toBe("2026-11-02T13:00:00.000Z");
    expect(wall(d.dueAt)).toBe("2026-11-03 08:00");
    expect(iso(d.dueAt)).toBe("2026-11-03T13:00:00.000Z");
  });

  it("a held-over due time keeps the local time of day across DST", () => {
    // Friday 15:00 EST before spring-forward -> Monday 15:00 EDT (19:00Z, not 20:00Z).
    expect(iso(computeDeadline(US, at("2026-03-06T20:00:00Z")).dueAt)).toBe("2026-03-09T19:00:00.000Z");
    // Friday 15:00 EDT before fall-back -> Monday 15:00 EST (20:00Z, not 19:00Z).
    expect(iso(computeDeadline(US, at("2026-10-30T19:00:00Z")).dueAt)).toBe("2026-11-02T20:00:00.000Z");
  });

  it("counts 24 hours of elapsed time when the calendar works through a DST change", () => {
    const everyDay = defaultPolicy("us-24h", { calendar: { businessDays: [0, 1, 2, 3, 4, 5, 6], holidays: "none" } });
    const d = computeDeadline(everyDay, at("2026-03-07T15:00:00Z")); // Saturday 10:00 EST
    expect(iso(d.dueAt)).toBe("2026-03-08T15:00:00.000Z");
    expect(wall(d.dueAt)).toBe("2026-03-08 11:00");
    expect(d.heldOver).toBe(false);
  });

  it("rejects an invalid receivedAt", () => {
    expect(() => computeDeadline(US, new Date(Number.NaN))).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});

describe("computeDeadline ca-2bd", () => {
  const toronto = (date: Date) => wall(date, "America/Toronto");

  it("is due two business days later at the same local time", () => {
    const d = computeDeadline(CA, at("2026-06-10T14:00:00Z")); // Wednesday 10:00 EDT
    expect(d).toEqual({ clockStartsAt: at("2026-06-10T14:00:00Z"), dueAt: at("2026-06-12T14:00:00Z"), heldOver: false });
  });

  it("Friday 18:00: clock Monday 08:00, due Wednesday 08:00", () => {
    const d = computeDeadline(CA, at("2026-06-12T22:00:00Z"));
    expect(toronto(d.clockStartsAt)).toBe("2026-06-15 08:00");
    expect(toronto(d.dueAt)).toBe("2026-06-17 08:00");
    expect(d.heldOver).toBe(true);
  });

  it("skips Good Friday but counts Easter Monday", () => {
    const d = computeDeadline(CA, at("2026-04-02T14:00:00Z")); // Thursday 10:00
    expect(toronto(d.dueAt)).toBe("2026-04-07 10:00");
    const onGoodFriday = computeDeadline(CA, at("2026-04-03T14:00:00Z"));
    expect(toronto(onGoodFriday.clockStartsAt)).toBe("2026-04-06 08:00");
    expect(toronto(onGoodFriday.dueAt)).toBe("2026-04-08 08:00");
    expect(onGoodFriday.reason).toContain("Good Friday");
  });

  it("skips Christmas and Boxing Day observed on Monday (2026)", () => {
    const d = computeDeadline(CA, at("2026-12-24T15:00:00Z")); // Thursday 10:00 EST
    expect(toronto(d.dueAt)).toBe("2026-12-30 10:00");
  });

  it("skips Christmas observed Monday and Boxing Day observed Tuesday (2027), unlike the US", () => {
    const d = computeDeadline(CA, at("2027-12-23T15:00:00Z")); // Thursday 10:00 EST
    // Friday Dec 24 is a Canadian business day; Dec 27 and 28 are closed.
    expect(toronto(d.dueAt)).toBe("2027-12-29 10:00");
  });
});

describe("computeDeadline fixed", () => {
  it("ignores calendars entirely", () => {
    const d = computeDeadline(defaultPolicy("fixed", { durationSeconds: 3600 }), at("2026-12-25T03:00:00Z"));
    expect(d).toEqual({ clockStartsAt: at("2026-12-25T03:00:00Z"), dueAt: at("2026-12-25T04:00:00Z"), heldOver: false });
  });
});

describe("reminderTimes", () => {
  const start = at("2026-06-15T12:00:00Z");
  const due = at("2026-06-16T12:00:00Z");

  it("returns ascending reminders strictly after the clock start, without duplicates", () => {
    expect(reminderTimes(start, due, [3600, 7200, 3600, 86_400, 90_000]).map(iso)).toEqual(["2026-06-16T10:00:00.000Z", "2026-06-16T11:00:00.000Z"]);
    expect(reminderTimes(start, due, [0]).map(iso)).toEqual(["2026-06-16T12:00:00.000Z"]);
    expect(reminderTimes(start, due, [])).toEqual([]);
  });

  it("rejects negative or non-finite offsets", () => {
    expect(() => reminderTimes(start, due, [-1])).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(() => reminderTimes(start, due, [Number.NaN])).toThrow(DeadlineError);
  });
});

describe("weekWindow", () => {
  it("spans local Monday 00:00 to the next Monday 00:00", () => {
    const w = weekWindow(at("2026-06-10T14:00:00Z"), CA_DEFAULT_CALENDAR);
    expect(iso(w.start)).toBe("2026-06-08T04:00:00.000Z");
    expect(iso(w.end)).toBe("2026-06-15T04:00:00.000Z");
  });

  it("puts Sunday night in the week that began the Monday before, and Monday 00:00 in the new week", () => {
    expect(iso(weekWindow(at("2026-06-15T03:59:59Z"), CA_DEFAULT_CALENDAR).start)).toBe("2026-06-08T04:00:00.000Z");
    expect(iso(weekWindow(at("2026-06-15T04:00:00Z"), CA_DEFAULT_CALENDAR).start)).toBe("2026-06-15T04:00:00.000Z");
  });

  it("lasts 169 hours across the fall-back change", () => {
    const w = weekWindow(at("2026-11-01T12:00:00Z"), CA_DEFAULT_CALENDAR);
    expect(iso(w.start)).toBe("2026-10-26T04:00:00.000Z");
    expect(iso(w.end)).toBe("2026-11-02T05:00:00.000Z");
  });
});

describe("capDecision", () => {
  const now = at("2026-06-10T14:00:00Z");

  it("allows requests below the weekly cap", () => {
    expect(capDecision(CA, 0, now)).toEqual({ allowed: true });
    expect(capDecision(CA, 9, now)).toEqual({ allowed: true });
  });

  it("defers a request at the cap to the start of the next week window", () => {
    const decision = capDecision(CA, 10, now);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) {
      expect(iso(decision.waitUntil)).toBe("2026-06-15T04:00:00.000Z");
      expect(decision.reason).toContain("10");
    }
    expect(capDecision(defaultPolicy("ca-2bd", { weeklyCapPerProvider: 3 }), 3, now).allowed).toBe(false);
    expect(capDecision(defaultPolicy("ca-2bd", { weeklyCapPerProvider: 3 }), 2, now).allowed).toBe(true);
  });

  it("has no cap for the US and fixed policies", () => {
    expect(capDecision(US, 1000, now)).toEqual({ allowed: true });
    expect(capDecision(defaultPolicy("fixed"), 1000, now)).toEqual({ allowed: true });
  });

  it("rejects a negative count", () => {
    expect(() => capDecision(CA, -1, now)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});
