import { describe, expect, it } from "vitest";
import { drivingFacet, facetId, facetsOf, matchesFilter } from "../../functions/domain/traceback-filter.js";
import type { Traceback } from "../../functions/domain/traceback.js";

const tb: Traceback = {
  id: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  initiatorId: "acc_I",
  status: "open",
  call: {
    callingNumber: "+13055550123",
    callingNumberAsGiven: "(305) 555-0123",
    calledNumber: "+12025550143",
    callTime: "2024-06-03T12:00:00-04:00",
    callTimeUtc: "2024-06-03T16:00:00.000Z",
  },
  campaign: "utility",
  identityHeaders: [],
  deadlinePolicy: "us-24h",
  createdAt: "2024-06-03T16:00:00.000Z",
  createdBy: "acc_I",
  hopCount: 2,
  path: ["acc_A", "acc_B"],
  overdue: { hopSeq: 2, since: "2024-06-04T16:00:00.000Z" },
};

describe("traceback facets", () => {
  it("are its numbers, campaign, providers on the path, status, outcome and overdue mark", () => {
    expect(facetsOf(tb).map(facetId)).toEqual([
      "calling#+13055550123",
      "called#+12025550143",
      "campaign#utility",
      "provider#acc_A",
      "provider#acc_B",
      "status#open",
      "overdue",
    ]);
    const done: Traceback = { ...tb, status: "completed", result: { outcome: "closed", decidedAt: "2024-06-05T00:00:00.000Z", decidedBy: "acc_I" } };
    // A completed traceback is overdue no more, even with the mark of its last hop left on it.
    expect(facetsOf(done).map(facetId)).toEqual([
      "calling#+13055550123",
      "called#+12025550143",
      "campaign#utility",
      "provider#acc_A",
      "provider#acc_B",
      "status#completed",
      "outcome#closed",
    ]);
  });

  it("choose the narrowest partition to read: a number, a provider, a campaign, overdue, then the scope's own, then outcome or status", () => {
    expect(drivingFacet({ status: "open", campaign: "x", calledNumber: "+1" }, {})).toEqual({ kind: "called", value: "+1" });
    expect(drivingFacet({ status: "open", providerId: "acc_A" }, {})).toEqual({ kind: "provider", value: "acc_A" });
    expect(drivingFacet({ status: "open", overdue: true }, {})).toEqual({ kind: "overdue" });
    expect(drivingFacet({ status: "open", outcome: "closed" }, {})).toEqual({ kind: "outcome", value: "closed" });
    expect(drivingFacet({ status: "open" }, { initiatorId: "acc_I" })).toBeUndefined();
    expect(drivingFacet({}, {})).toBeUndefined();
  });

  it("match every filter at once, dates as [from, to)", () => {
    expect(
      matchesFilter(
        tb,
        { providerId: "acc_B", status: "open", overdue: true, createdFrom: tb.createdAt, createdTo: "2024-06-03T16:00:00.001Z" },
        { initiatorId: "acc_I" },
      ),
    ).toBe(true);
    expect(matchesFilter(tb, { createdTo: tb.createdAt }, {})).toBe(false);
    expect(matchesFilter(tb, {}, { initiatorId: "acc_J" })).toBe(false);
    expect(matchesFilter(tb, { providerId: "acc_C" }, {})).toBe(false);
    expect(matchesFilter(tb, { callingNumber: "(305) 555-0123" }, {})).toBe(false);
  });
});
