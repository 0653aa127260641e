import { describe, expect, it } from "vitest";
import {
  addBusinessDays,
  businessCalendarSchema,
  CA_DEFAULT_CALENDAR,
  closedReason,
  holidayOn,
  isBusinessDay,
  isWithinBusinessHours,
  nextBusinessOpening,
  US_DEFAULT_CALENDAR,
  type BusinessCalendar,
} from "../../../functions/domain/deadlines/calendar.js";

const US = US_DEFAULT_CALENDAR;
const CA = CA_DEFAULT_CALENDAR;
const at = (iso: string) => new Date(iso);

describe("businessCalendarSchema", () => {
  it("accepts the defaults", () => {
    expect(businessCalendarSchema.parse(US)).toEqual(US);
    expect(businessCalendarSchema.parse(CA)).toEqual(CA);
    expect(US).toMatchObject({ timeZone: "America/New_York", businessDays: [1, 2, 3, 4, 5], opensAt: "08:00", closesAt: "17:00", holidays: "us-federal" });
    expect(CA).toMatchObject({ timeZone: "America/Toronto", businessDays: [1, 2, 3, 4, 5], opensAt: "08:00", closesAt: "17:00", holidays: "ca-federal" });
  });

  it.each([
    ["an unknown zone", { timeZone: "America/Gotham" }],
    ["no business days", { businessDays: [] }],
    ["a weekday out of range", { businessDays: [1, 7] }],
    ["repeated weekdays", { businessDays: [1, 1] }],
    ["a malformed time", { opensAt: "8:00" }],
    ["an hour 24", { closesAt: "24:00" }],
    ["closing before opening", { opensAt: "17:00", closesAt: "08:00" }],
    ["an unknown holiday set", { holidays: "uk-bank" }],
    ["an impossible closed date", { extraClosedDates: ["2026-02-30"] }],
  ])("rejects %s", (_label, change) => {
    expect(businessCalendarSchema.safeParse({ ...US, ...change }).success).toBe(false);
  });

  it("keeps the default calendars immutable", () => {
    expect(Object.isFrozen(US)).toBe(true);
    expect(Object.isFrozen(US.businessDays)).toBe(true);
  });
});

describe("isBusinessDay", () => {
  it("is false on weekends and on holidays and their observed days", () => {
    expect(isBusinessDay("2026-09-04", US)).toBe(true);
    expect(isBusinessDay("2026-09-05", US)).toBe(false);
    expect(isBusinessDay("2026-09-07", US)).toBe(false);
    expect(isBusinessDay("2026-07-03", US)).toBe(false);
    expect(isBusinessDay({ year: 2026, month: 11, day: 26 }, US)).toBe(false);
    expect(isBusinessDay("2026-11-27", US)).toBe(true);
  });

  it("finds the observed New Year's Day of the next year on December 31", () => {
    expect(holidayOn("2027-12-31", US)).toEqual({ date: "2027-12-31", name: "New Year's Day", observed: true });
    expect(isBusinessDay("2027-12-31", US)).toBe(false);
    expect(isBusinessDay("2027-12-31", CA)).toBe(true);
  });

  it("uses the Canadian holidays: Good Friday closed, Easter Monday open", () => {
    expect(isBusinessDay("2026-04-03", CA)).toBe(false);
    expect(isBusinessDay("2026-04-06", CA)).toBe(true);
    expect(isBusinessDay("2026-04-03", US)).toBe(true);
    expect(isBusinessDay("2026-09-30", CA)).toBe(false);
    expect(isBusinessDay("2027-12-24", CA)).toBe(true);
    expect(isBusinessDay("2027-12-24", US)).toBe(false);
  });

  it("honours a custom week, no holidays and extra closed dates", () => {
    const cal: BusinessCalendar = { ...US, businessDays: [0, 6], holidays: "none", extraClosedDates: ["2026-09-12"] };
    expect(isBusinessDay("2026-09-04", cal)).toBe(false);
    expect(isBusinessDay("2026-09-05", cal)).toBe(true);
    expect(isBusinessDay("2026-09-12", cal)).toBe(false);
    expect(closedReason("2026-09-12", cal)).toContain("closed date");
    expect(closedReason("2026-09-07", US)).toContain("Labor Day");
    expect(closedReason("2026-09-06", US)).toContain("Sunday");
    expect(closedReason("2026-09-08", US)).toBeUndefined();
  });
});

describe("isWithinBusinessHours", () => {
  it("includes the opening minute and excludes the closing minute, in local time", () => {
    expect(isWithinBusinessHours(at("2026-09-04T11:59:59Z"), US)).toBe(false);
    expect(isWithinBusinessHours(at("2026-09-04T12:00:00Z"), US)).toBe(true);
    expect(isWithinBusinessHours(at("2026-09-04T20:59:59Z"), US)).toBe(true);
    expect(isWithinBusinessHours(at("2026-09-04T21:00:00Z"), US)).toBe(false);
    // Winter: 08:00 EST is 13:00Z.
    expect(isWithinBusinessHours(at("2026-12-01T12:30:00Z"), US)).toBe(false);
    expect(isWithinBusinessHours(at("2026-12-01T13:00:00Z"), US)).toBe(true);
  });

  it("is false all day on holidays", () => {
    expect(isWithinBusinessHours(at("2026-09-07T15:00:00Z"), US)).toBe(false);
  });
});

describe("nextBusinessOpening", () => {
  it("returns today's opening before hours on a business day", () => {
    expect(nextBusinessOpening(at("2026-09-08T10:00:00Z"), US).toISOString()).toBe("2026-09-08T12:00:00.000Z");
  });

  it("returns the next business day's opening during and after hours", () => {
    expect(nextBusinessOpening(at("2026-09-08T14:00:00Z"), US).toISOString()).toBe("2026-09-09T12:00:00.000Z");
    expect(nextBusinessOpening(at("2026-09-08T22:00:00Z"), US).toISOString()).toBe("2026-09-09T12:00:00.000Z");
  });

  it("skips weekends and holidays, landing on the right offset after a DST change", () => {
    // Friday evening before Labor Day -> Tuesday 08:00 EDT.
    expect(nextBusinessOpening(at("2026-09-04T22:00:00Z"), US).toISOString()).toBe("2026-09-08T12:00:00.000Z");
    // Saturday before fall-back (EDT) -> Monday 08:00 EST.
    expect(nextBusinessOpening(at("2026-10-31T16:00:00Z"), US).toISOString()).toBe("2026-11-02T13:00:00.000Z");
  });
});

describe("addBusinessDays", () => {
  it("keeps the local time of day and skips non-business days", () => {
    // Thursday 10:00 EDT + 2 -> Monday 10:00.
    expect(addBusinessDays(at("2026-06-11T14:00:00Z"), 2, US).toISOString()).toBe("2026-06-15T14:00:00.000Z");
    // Thursday before Good Friday in Canada + 1 -> Easter Monday.
    expect(addBusinessDays(at("2026-04-02T14:00:00Z"), 1, CA).toISOString()).toBe("2026-04-06T14:00:00.000Z");
  });

  it("keeps the wall clock, not the elapsed time, across DST", () => {
    // Friday 2026-03-06 15:00 EST + 1 -> Monday 2026-03-09 15:00 EDT.
    expect(addBusinessDays(at("2026-03-06T20:00:00.250Z"), 1, US).toISOString()).toBe("2026-03-09T19:00:00.250Z");
  });

  it("returns the same instant for zero and rejects negative or fractional counts", () => {
    expect(addBusinessDays(at("2026-06-13T14:00:00Z"), 0, US).toISOString()).toBe("2026-06-13T14:00:00.000Z");
    expect(() => addBusinessDays(at("2026-06-13T14:00:00Z"), -1, US)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(() => addBusinessDays(at("2026-06-13T14:00:00Z"), 1.5, US)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });

  it("counts from the next day when starting on a non-business day", () => {
    // Saturday 10:00 EDT + 1 -> Monday 10:00.
    expect(addBusinessDays(at("2026-06-13T14:00:00Z"), 1, US).toISOString()).toBe("2026-06-15T14:00:00.000Z");
  });
});
