import { describe, expect, it } from "vitest";
import { DeadlineError } from "../../../functions/domain/deadlines/errors.js";
import { fromZoned, isValidTimeZone, toZoned } from "../../../functions/domain/deadlines/zoned-time.js";

const NY = "America/New_York";

describe("toZoned", () => {
  it("reads the wall clock in standard and daylight time", () => {
    expect(toZoned(new Date("2026-01-15T17:30:45Z"), NY)).toEqual({
      year: 2026,
      month: 1,
      day: 15,
      hour: 12,
      minute: 30,
      second: 45,
      weekday: 4,
    });
    expect(toZoned(new Date("2026-07-15T17:30:45Z"), NY)).toEqual({
      year: 2026,
      month: 7,
      day: 15,
      hour: 13,
      minute: 30,
      second: 45,
      weekday: 3,
    });
  });

  it("reports midnight as hour 0 and crosses the date line backwards", () => {
    expect(toZoned(new Date("2026-01-01T05:00:00Z"), NY)).toMatchObject({ year: 2026, month: 1, day: 1, hour: 0, weekday: 4 });
    expect(toZoned(new Date("2026-01-01T04:59:59.999Z"), NY)).toMatchObject({ year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 59, weekday: 3 });
  });

  it("handles zones with non-hour offsets", () => {
    expect(toZoned(new Date("2026-01-01T00:00:00Z"), "Asia/Kolkata")).toMatchObject({ hour: 5, minute: 30 });
    expect(toZoned(new Date("2026-01-01T00:00:00Z"), "Asia/Kathmandu")).toMatchObject({ hour: 5, minute: 45 });
  });

  it("shows the jump and the repeated hour around DST changes", () => {
    expect(toZoned(new Date("2026-03-08T06:59:59Z"), NY)).toMatchObject({ day: 8, hour: 1, minute: 59, second: 59, weekday: 0 });
    expect(toZoned(new Date("2026-03-08T07:00:00Z"), NY)).toMatchObject({ day: 8, hour: 3, minute: 0, second: 0 });
    expect(toZoned(new Date("2026-11-01T05:30:00Z"), NY)).toMatchObject({ day: 1, hour: 1, minute: 30 });
    expect(toZoned(new Date("2026-11-01T06:30:00Z"), NY)).toMatchObject({ day: 1, hour: 1, minute: 30 });
  });

  it("rejects unknown zones and invalid dates with a coded error", () => {
    expect(() => toZoned(new Date(0), "Mars/Olympus_Mons")).toThrow(DeadlineError);
    expect(() => toZoned(new Date(0), "Mars/Olympus_Mons")).toThrow(expect.objectContaining({ code: "invalid_time_zone" }));
    expect(() => toZoned(new Date(Number.NaN), NY)).toThrow(DeadlineError);
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone("Not/AZone")).toBe(false);
  });
});

describe("fromZoned", () => {
  it("maps ordinary local times to the one matching instant", () => {
    expect(fromZoned({ year: 2026, month: 1, day: 15, hour: 12, minute: 30, second: 45 }, NY).toISOString()).toBe("2026-01-15T17:30:45.000Z");
    expect(fromZoned({ year: 2026, month: 7, day: 15, hour: 13, minute: 30 }, NY).toISOString()).toBe("2026-07-15T17:30:00.000Z");
    expect(fromZoned({ year: 2026, month: 1, day: 1, hour: 5, minute: 45 }, "Asia/Kathmandu").toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("moves a time in the spring-forward gap to the first valid instant (the transition)", () => {
    // 2026-03-08 02:00-03:00 does not exist in New York: clocks go from 01:59:59 EST to 03:00 EDT.
    const gap = fromZoned({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY);
    expect(gap.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(toZoned(gap, NY)).toMatchObject({ hour: 3, minute: 0 });
    expect(fromZoned({ year: 2026, month: 3, day: 8, hour: 2, minute: 0 }, NY).toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(fromZoned({ year: 2026, month: 3, day: 8, hour: 1, minute: 59, second: 59 }, NY).toISOString()).toBe("2026-03-08T06:59:59.000Z");
    expect(fromZoned({ year: 2026, month: 3, day: 8, hour: 3, minute: 0 }, NY).toISOString()).toBe("2026-03-08T07:00:00.000Z");
  });

  it("takes the earlier instant for a time in the fall-back overlap", () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(fromZoned({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(fromZoned({ year: 2026, month: 11, day: 1, hour: 0, minute: 59, second: 59 }, NY).toISOString()).toBe("2026-11-01T04:59:59.000Z");
    expect(fromZoned({ year: 2026, month: 11, day: 1, hour: 2, minute: 0 }, NY).toISOString()).toBe("2026-11-01T07:00:00.000Z");
  });

  it("handles southern-hemisphere and half-hour DST changes", () => {
    // Sydney springs forward 2026-10-04 02:00 AEST -> 03:00 AEDT.
    expect(fromZoned({ year: 2026, month: 10, day: 4, hour: 2, minute: 30 }, "Australia/Sydney").toISOString()).toBe("2026-10-03T16:00:00.000Z");
    // Lord Howe moves by 30 minutes: 02:00 -> 02:30 (+10:30 -> +11:00).
    expect(fromZoned({ year: 2026, month: 10, day: 4, hour: 2, minute: 15 }, "Australia/Lord_Howe").toISOString()).toBe("2026-10-03T15:30:00.000Z");
  });

  it("round-trips every quarter hour across both 2026 New York DST changes", () => {
    for (const [from, to] of [
      ["2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"],
      ["2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"],
    ] as const) {
      for (let time = Date.parse(from); time < Date.parse(to); time += 15 * 60_000) {
        const instant = new Date(time);
        const back = fromZoned(toZoned(instant, NY), NY);
        const inRepeatedHour = time >= Date.parse("2026-11-01T06:00:00Z") && time < Date.parse("2026-11-01T07:00:00Z");
        expect(back.getTime()).toBe(inRepeatedHour ? time - 3_600_000 : time);
      }
    }
  });

  it("round-trips local times that exist exactly once", () => {
    for (const zone of [NY, "America/Toronto", "Europe/London", "Asia/Kolkata", "UTC"]) {
      for (let month = 1; month <= 12; month += 1) {
        const local = { year: 2027, month, day: 28, hour: 9, minute: 5, second: 7 };
        const { weekday: _weekday, ...parts } = toZoned(fromZoned(local, zone), zone);
        expect(parts).toEqual(local);
      }
    }
  });

  it("rejects impossible local dates and times", () => {
    for (const bad of [
      { year: 2026, month: 2, day: 29, hour: 0, minute: 0 },
      { year: 2026, month: 13, day: 1, hour: 0, minute: 0 },
      { year: 2026, month: 1, day: 1, hour: 24, minute: 0 },
      { year: 2026, month: 1, day: 1, hour: 0, minute: 60 },
      { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 1.5 },
    ]) {
      expect(() => fromZoned(bad, NY)).toThrow(expect.objectContaining({ code: "invalid_local_time" }));
    }
    expect(fromZoned({ year: 2028, month: 2, day: 29, hour: 0, minute: 0 }, NY).toISOString()).toBe("2028-02-29T05:00:00.000Z");
  });
});
