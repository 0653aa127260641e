import { describe, expect, it } from "vitest";
import type { RmdFiling } from "../../../functions/domain/rmd/filing.js";
import { matchIdentity, type IdentityEvidence } from "../../../functions/domain/rmd/match.js";
import { isMassRemoval, manifestEntry, planSnapshot, versionsOf } from "../../../functions/domain/rmd/snapshot.js";
import { standingOf, type FilingVersion, type RmdStanding } from "../../../functions/domain/rmd/standing.js";

const f = (number: string, extra: Partial<RmdFiling> = {}): RmdFiling => ({
  number,
  business_name: `${number} Voice LLC`,
  frn: `00${number.slice(3)}`.padStart(10, "0"),
  ...extra,
});
const S1 = { importId: "rmd_1", asOf: "2025-08-01T00:00:00.000Z" };
const S2 = { importId: "rmd_2", asOf: "2025-08-26T00:00:00.000Z" };

describe("a snapshot against the previous one", () => {
  it("adds everything when there is no previous snapshot", () => {
    const plan = planSnapshot(undefined, [f("RMD0000001"), f("RMD0000002")], S1);
    expect([plan.added.length, plan.changed.length, plan.removed.length, plan.unchanged]).toEqual([2, 0, 0, 0]);
    expect(plan.manifest.map((e) => e.listedIn)).toEqual([S1, S1]);
  });

  it("tells added, changed, removed and unchanged filings apart, and versions them with the columns that changed", () => {
    const before = [f("RMD0000001"), f("RMD0000002"), f("RMD0000003", { gateway_provider_choice: "No" })];
    const after = [f("RMD0000001"), f("RMD0000003", { gateway_provider_choice: "Yes" }), f("RMD0000004")];
    const plan = planSnapshot(
      before.map((x) => manifestEntry(x, S1)),
      after,
      S2,
    );
    expect(plan.added.map((x) => x.number)).toEqual(["RMD0000004"]);
    // An unchanged filing is still read from the version of the snapshot that last wrote it.
    expect(plan.manifest.map((e) => [e.number, e.listedIn.importId])).toEqual([
      ["RMD0000001", "rmd_1"],
      ["RMD0000003", "rmd_2"],
      ["RMD0000004", "rmd_2"],
    ]);
    expect(plan.priorOfChanges.map((e) => [e.number, e.listedIn.importId])).toEqual([
      ["RMD0000003", "rmd_1"],
      ["RMD0000002", "rmd_1"],
    ]);
    expect(plan.changed.map((x) => x.number)).toEqual(["RMD0000003"]);
    expect(plan.removed.map((x) => x.number)).toEqual(["RMD0000002"]);
    expect(plan.unchanged).toBe(1);
    const versions = versionsOf(plan, S2, new Map(before.map((x) => [x.number, x])));
    expect(versions.map((v) => [v.number, v.change, v.changes])).toEqual([
      ["RMD0000004", "added", undefined],
      ["RMD0000003", "changed", [{ field: "gateway_provider_choice", before: "No", after: "Yes" }]],
      ["RMD0000002", "removed", undefined],
    ]);
    expect(versions[2]!.filing).toEqual(before[1]);
    expect(() => versionsOf(plan, S2, new Map())).toThrow(/previous version of RMD0000003 is missing/);
  });

  it("keeps the FRNs and name keys of every filing in the manifest", () => {
    expect(manifestEntry(f("RMD0000005", { other_frns: "0000000105", other_dba_names: "Fable Tel, Inc" }), S1)).toMatchObject({
      frns: ["0000000005", "0000000105"],
      nameKeys: ["rmd0000005 voice", "fable tel"],
    });
  });

  it("calls a removal of more than a quarter of the previous snapshot a mass removal", () => {
    expect([isMassRemoval(10_000, 1_203), isMassRemoval(10_000, 2_600), isMassRemoval(0, 5)]).toEqual([false, true, false]);
  });
});

describe("a filing's standing on a date", () => {
  const version = (change: FilingVersion["change"], at = S1): FilingVersion => ({
    number: "RMD0000001",
    importId: at.importId,
    asOf: at.asOf,
    change,
    filing: f("RMD0000001"),
  });
  it("is read from its latest version under the snapshot in effect", () => {
    expect(standingOf(undefined, undefined)).toEqual({ state: "no_snapshot" });
    expect(standingOf(S1, undefined)).toEqual({ state: "never_listed", snapshot: S1 });
    expect(standingOf(S2, version("added"))).toMatchObject({ state: "listed", lastChange: { ...S1, change: "added" } });
    expect(standingOf(S2, version("removed", S2))).toMatchObject({ state: "removed", removedIn: S2, filing: { number: "RMD0000001" } });
    expect(() => standingOf(S1, version("added", S2))).toThrow(/newer than the snapshot/);
  });
});

describe("matching a provider to its filing", () => {
  const listed = (filing: RmdFiling): RmdStanding => ({ state: "listed", snapshot: S2, filing, lastChange: { ...S1, change: "added" } });
  const removed = (filing: RmdFiling): RmdStanding => ({ state: "removed", snapshot: S2, filing, removedIn: S2 });
  const evidence = (e: Partial<IdentityEvidence>): IdentityEvidence => ({ snapshot: S2, frn: [], sameName: [], ...e });
  const A = f("RMD0000001", { frn: "0000000001" });
  const B = f("RMD0000002", { frn: "0000000002" });

  it("decides by RMD number and FRN together when they agree", () => {
    expect(matchIdentity({ rmdNumber: "RMD0000001", frn: "0000000001" }, evidence({ number: listed(A), frn: [listed(A)] }))).toMatchObject({
      listing: "listed",
      by: ["rmd_number", "frn"],
      filing: A,
    });
    expect(matchIdentity({ frn: "0000000001" }, evidence({ frn: [listed(A)] }))).toMatchObject({ listing: "listed", by: ["frn"] });
  });

  it("says when the RMD number and the FRN point at different filings", () => {
    const m = matchIdentity({ rmdNumber: "RMD0000001", frn: "0000000002" }, evidence({ number: listed(A), frn: [listed(A), listed(B)] }));
    expect(m).toMatchObject({
      listing: "listed",
      by: ["rmd_number"],
      mismatch: "RMD0000001 is filed under FRN 0000000001, not 0000000002; FRN 0000000002 is filed as RMD0000002",
    });
  });

  it("keeps a provider listed by its FRN when its RMD number was removed, and says so", () => {
    const m = matchIdentity(
      { rmdNumber: "RMD0000001", frn: "0000000001" },
      evidence({ number: removed(A), frn: [removed(A), listed(f("RMD0000009", { frn: "0000000001" }))] }),
    );
    expect(m).toMatchObject({ listing: "listed", by: ["frn"], filing: { number: "RMD0000009" } });
    expect(m.mismatch).toMatch(/RMD0000001 was removed .* FRN 0000000001 is filed as RMD0000009/);
  });

  it("gives the removal when nothing listed remains", () => {
    expect(matchIdentity({ rmdNumber: "RMD0000001" }, evidence({ number: removed(A) }))).toMatchObject({
      listing: "removed",
      by: ["rmd_number"],
      removedIn: S2,
    });
    expect(matchIdentity({ frn: "0000000001" }, evidence({ frn: [removed(A)] }))).toMatchObject({ listing: "removed", by: ["frn"] });
  });

  it("never decides by name: a name alone is unverifiable and only suggests", () => {
    const m = matchIdentity({ name: "RMD0000001 Voice, LLC" }, evidence({ sameName: [A] }));
    expect(m).toEqual({
      listing: "unverifiable",
      snapshot: S2,
      suggestions: [{ number: "RMD0000001", businessName: "RMD0000001 Voice LLC", frn: "0000000001" }],
    });
    expect(matchIdentity({ name: "X", frn: "0000000007" }, evidence({ sameName: [A] }))).toMatchObject({
      listing: "not_listed",
      suggestions: [{ number: "RMD0000001" }],
    });
  });

  it("cannot say anything before the first snapshot", () => {
    expect(matchIdentity({ rmdNumber: "RMD0000001" }, { frn: [], sameName: [] })).toEqual({ listing: "no_snapshot", suggestions: [] });
  });
});
