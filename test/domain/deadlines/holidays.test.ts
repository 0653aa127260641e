import { describe, expect, it } from "vitest";
import { canadaFederalHolidays, easterSunday, usFederalHolidays, type HolidayDate } from "../../../functions/domain/deadlines/holidays.js";
import { formatLocalDate } from "../../../functions/domain/deadlines/local-date.js";

const triples = (list: HolidayDate[]) => list.map((h) => [h.date, h.name, h.observed] as const);

describe("usFederalHolidays", () => {
  it("lists 2026 with its known dates (Independence Day observed Friday July 3)", () => {
    expect(triples(usFederalHolidays(2026))).toEqual([
      ["2026-01-01", "New Year's Day", false],
      ["2026-01-19", "Birthday of Martin Luther King, Jr.", false],
      ["2026-02-16", "Washington's Birthday", false],
      ["2026-05-25", "Memorial Day", false],
      ["2026-06-19", "Juneteenth National Independence Day", false],
      ["2026-07-03", "Independence Day", true],
      ["2026-07-04", "Independence Day", false],
      ["2026-09-07", "Labor Day", false],
      ["2026-10-12", "Columbus Day", false],
      ["2026-11-11", "Veterans Day", false],
      ["2026-11-26", "Thanksgiving Day", false],
      ["2026-12-25", "Christmas Day", false],
    ]);
  });

  it("lists 2027 with its known dates (Juneteenth and Christmas on Saturday, July 4 on Sunday)", () => {
    expect(triples(usFederalHolidays(2027))).toEqual([
      ["2027-01-01", "New Year's Day", false],
      ["2027-01-18", "Birthday of Martin Luther King, Jr.", false],
      ["2027-02-15", "Washington's Birthday", false],
      ["2027-05-31", "Memorial Day", false],
      ["2027-06-18", "Juneteenth National Independence Day", true],
      ["2027-06-19", "Juneteenth National Independence Day", false],
      ["2027-07-04", "Independence Day", false],
      ["2027-07-05", "Independence Day", true],
      ["2027-09-06", "Labor Day", false],
      ["2027-10-11", "Columbus Day", false],
      ["2027-11-11", "Veterans Day", false],
      ["2027-11-25", "Thanksgiving Day", false],
      ["2027-12-24", "Christmas Day", true],
      ["2027-12-25", "Christmas Day", false],
    ]);
  });

  it("observes New Year's Day on a Saturday on December 31 of the previous year", () => {
    const newYear2028 = usFederalHolidays(2028).filter((h) => h.name === "New Year's Day");
    expect(triples(newYear2028)).toEqual([
      ["2027-12-31", "New Year's Day", true],
      ["2028-01-01", "New Year's Day", false],
    ]);
    expect(usFederalHolidays(2022).find((h) => h.observed && h.name === "New Year's Day")?.date).toBe("2021-12-31");
  });

  it("finds the last Monday of May also in a five-Monday May", () => {
    // May 2028 has Mondays 1, 8, 15, 22, 29.
    expect(usFederalHolidays(2028).find((h) => h.name === "Memorial Day")?.date).toBe("2028-05-29");
  });

  it("lists Juneteenth only from 2021, when it became a federal holiday", () => {
    expect(usFederalHolidays(2020).some((h) => h.name.startsWith("Juneteenth"))).toBe(false);
    expect(
      usFederalHolidays(2021)
        .filter((h) => h.name.startsWith("Juneteenth"))
        .map((h) => h.date),
    ).toEqual(["2021-06-18", "2021-06-19"]);
  });
});

describe("easterSunday", () => {
  it("matches known Easter dates, including the extremes", () => {
    const known: Record<number, string> = {
      1818: "1818-03-22",
      1943: "1943-04-25",
      2008: "2008-03-23",
      2011: "2011-04-24",
      2019: "2019-04-21",
      2024: "2024-03-31",
      2025: "2025-04-20",
      2026: "2026-04-05",
      2027: "2027-03-28",
      2038: "2038-04-25",
      2285: "2285-03-22",
    };
    for (const [year, date] of Object.entries(known)) expect(formatLocalDate(easterSunday(Number(year)))).toBe(date);
  });
});

describe("canadaFederalHolidays", () => {
  it("lists 2026: Good Friday but not Easter Monday, Boxing Day on Saturday observed Monday", () => {
    expect(triples(canadaFederalHolidays(2026))).toEqual([
      ["2026-01-01", "New Year's Day", false],
      ["2026-04-03", "Good Friday", false],
      ["2026-05-18", "Victoria Day", false],
      ["2026-07-01", "Canada Day", false],
      ["2026-09-07", "Labour Day", false],
      ["2026-09-30", "National Day for Truth and Reconciliation", false],
      ["2026-10-12", "Thanksgiving", false],
      ["2026-11-11", "Remembrance Day", false],
      ["2026-12-25", "Christmas Day", false],
      ["2026-12-26", "Boxing Day", false],
      ["2026-12-28", "Boxing Day", true],
    ]);
    expect(canadaFederalHolidays(2026).some((h) => h.date === "2026-04-06")).toBe(false);
  });

  it("lists 2027: Christmas on Saturday observed Monday, Boxing Day observed Tuesday", () => {
    expect(triples(canadaFederalHolidays(2027))).toEqual([
      ["2027-01-01", "New Year's Day", false],
      ["2027-03-26", "Good Friday", false],
      ["2027-05-24", "Victoria Day", false],
      ["2027-07-01", "Canada Day", false],
      ["2027-09-06", "Labour Day", false],
      ["2027-09-30", "National Day for Truth and Reconciliation", false],
      ["2027-10-11", "Thanksgiving", false],
      ["2027-11-11", "Remembrance Day", false],
      ["2027-12-25", "Christmas Day", false],
      ["2027-12-26", "Boxing Day", false],
      ["2027-12-27", "Christmas Day", true],
      ["2027-12-28", "Boxing Day", true],
    ]);
  });

  it("moves Boxing Day to Tuesday when Christmas falls on Sunday (2022)", () => {
    const december = canadaFederalHolidays(2022).filter((h) => h.date >= "2022-12-01");
    expect(triples(december)).toEqual([
      ["2022-12-25", "Christmas Day", false],
      ["2022-12-26", "Boxing Day", false],
      ["2022-12-26", "Christmas Day", true],
      ["2022-12-27", "Boxing Day", true],
    ]);
  });

  it("observes weekend holidays on the following Monday, never on the Friday before", () => {
    const list2022 = canadaFederalHolidays(2022);
    expect(list2022.find((h) => h.name === "New Year's Day" && h.observed)?.date).toBe("2022-01-03");
    expect(list2022.some((h) => h.date === "2021-12-31")).toBe(false);
    // Canada Day 2023 fell on a Saturday, observed Monday July 3.
    expect(canadaFederalHolidays(2023).find((h) => h.name === "Canada Day" && h.observed)?.date).toBe("2023-07-03");
  });

  it("places Victoria Day on the Monday before May 25, which is May 24 when that is a Monday", () => {
    expect(canadaFederalHolidays(2025).find((h) => h.name === "Victoria Day")?.date).toBe("2025-05-19");
    expect(canadaFederalHolidays(2021).find((h) => h.name === "Victoria Day")?.date).toBe("2021-05-24");
    // May 25, 2026 is a Monday: Victoria Day is the Monday before, May 18.
    expect(canadaFederalHolidays(2026).find((h) => h.name === "Victoria Day")?.date).toBe("2026-05-18");
  });
});
