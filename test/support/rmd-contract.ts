/**
 * What an RMD store must do, whatever holds it: an import is invisible until it is committed,
 * whole once it is, and lost cleanly to a concurrent import of the same base. Run on dynalite and
 * on the in-memory store alike.
 */
import { describe, expect, it } from "vitest";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import type { Principal } from "../../functions/domain/account.js";
import { ManualClock } from "./manual-clock.js";
import type { RmdFiling } from "../../functions/domain/rmd/filing.js";
import { planSnapshot, versionsOf } from "../../functions/domain/rmd/snapshot.js";
import { importRmdExport } from "../../functions/usecases/rmd-import.js";
import type { RmdImport, RmdStore } from "../../functions/usecases/rmd-ports.js";

export const CONSORTIUM: Principal = { accountId: "acc_consortium", kind: "consortium", keyId: "k" };
const silent = { info() {}, warn() {}, error() {} };
export const filing = (n: number, extra: Partial<RmdFiling> = {}): RmdFiling => ({
  number: `RMD${String(n).padStart(7, "0")}`,
  business_name: `Example ${n} Voice LLC`,
  frn: String(n).padStart(10, "0"),
  ...extra,
});
export const range = (from: number, to: number, extra: Partial<RmdFiling> = {}) => Array.from({ length: to - from }, (_, i) => filing(from + i, extra));

export function deps(rmd: RmdStore, at = "2025-09-01T00:00:00Z") {
  return { rmd, clock: new ManualClock(new Date(at)), ids: ulidGenerator(), log: silent };
}

export const importOf = (filings: RmdFiling[], asOf: string) => ({ filings, asOf, fileSha256: "00", fileBytes: 1 });

export function staged(id: string, asOf: string, previousImportId?: string): RmdImport {
  return {
    id,
    asOf,
    status: "staged",
    ...(previousImportId && { previousImportId }),
    fileSha256: "00",
    fileBytes: 1,
    filings: 0,
    added: 0,
    changed: 0,
    removed: 0,
    unchanged: 0,
    importedAt: asOf,
    importedBy: "acc_consortium",
  };
}

/** `fresh` gives a store of its own to each test: the head is one per store. */
export function rmdStoreContract(fresh: () => Promise<RmdStore>): void {
  describe("RMD snapshots", () => {
    it("answers from the snapshot in effect at a date, with the versions and diff of each import", async () => {
      const store = await fresh();
      const first = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 6), "2025-08-01T00:00:00.000Z"));
      const second = await importRmdExport(
        deps(store),
        CONSORTIUM,
        importOf([...range(1, 3), filing(3, { gateway_provider_choice: "Yes" }), ...range(4, 5), filing(9)], "2025-08-26T00:00:00.000Z"),
      );
      expect([second.added, second.changed, second.removed, second.unchanged]).toEqual([1, 1, 1, 3]);

      expect(await store.snapshotAt("2025-07-31T23:59:59.999Z")).toBeUndefined();
      expect(await store.snapshotAt("2025-08-10T00:00:00.000Z")).toEqual({ importId: first.id, asOf: first.asOf });
      expect(await store.snapshotAt("2025-08-26T00:00:00.000Z")).toEqual({ importId: second.id, asOf: second.asOf });
      const atSecond = { importId: second.id, asOf: second.asOf };
      expect(await store.latestVersion("RMD0000005", atSecond)).toMatchObject({ change: "removed", importId: second.id, filing: { number: "RMD0000005" } });
      expect(await store.latestVersion("RMD0000005", { importId: first.id, asOf: first.asOf })).toMatchObject({ change: "added", importId: first.id });
      expect(await store.latestVersion("RMD0000003", atSecond)).toMatchObject({
        change: "changed",
        changes: [{ field: "gateway_provider_choice", after: "Yes" }],
      });
      expect(await store.latestVersion("RMD0000009", { importId: first.id, asOf: first.asOf })).toBeUndefined();

      const changes = await store.listChanges(second.id, { limit: 10 });
      expect(changes.items.map((v) => `${v.change} ${v.number}`)).toEqual(["added RMD0000009", "changed RMD0000003", "removed RMD0000005"]);
      expect((await store.listChanges(second.id, { limit: 10 }, "removed")).items.map((v) => v.number)).toEqual(["RMD0000005"]);
      expect((await store.listImports({ limit: 10 })).items.map((i) => [i.id, i.status])).toEqual([
        [second.id, "committed"],
        [first.id, "committed"],
      ]);
      expect(await store.removedWithFrn("0000000005")).toEqual(["RMD0000005"]);
      expect(await store.removedWithFrn("0000000003")).toEqual([]);
    });

    it("keeps a staged import invisible, and lets only one of two imports of the same base commit", async () => {
      const store = await fresh();
      const base = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 4), "2025-08-01T00:00:00.000Z"));
      const head = { importId: base.id, asOf: base.asOf };
      const previous = await store.manifest(base.id);
      const stageOne = async (id: string, asOf: string, filings: RmdFiling[]) => {
        const plan = planSnapshot(previous, filings, { importId: id, asOf });
        const imp = staged(id, asOf, base.id);
        const versions = versionsOf(plan, { importId: id, asOf }, new Map(range(1, 4).map((f) => [f.number, f])));
        await store.stage(imp, versions, plan.manifest, []);
        return { imp, versions };
      };
      const a = await stageOne("rmd_A", "2025-08-20T00:00:00.000Z", range(1, 3));
      const b = await stageOne("rmd_B", "2025-08-21T00:00:00.000Z", [...range(1, 4), filing(7)]);

      const later = { importId: "rmd_B", asOf: "2025-08-21T00:00:00.000Z" };
      expect(await store.snapshotAt("2025-08-30T00:00:00.000Z")).toEqual(head);
      expect(await store.latestVersion("RMD0000003", later)).toMatchObject({ importId: base.id, change: "added" });
      expect(await store.latestVersion("RMD0000007", later)).toBeUndefined();

      expect(await store.commit(b.imp, "2025-09-01T00:00:00.000Z")).toBe(true);
      expect(await store.commit(b.imp, "2025-09-01T00:00:01.000Z")).toBe(true);
      expect(await store.commit(a.imp, "2025-09-01T00:00:02.000Z")).toBe(false);
      await store.abandon(a.imp, a.versions);

      expect(await store.snapshotAt("2025-08-30T00:00:00.000Z")).toEqual(later);
      expect(await store.latestVersion("RMD0000007", later)).toMatchObject({ importId: "rmd_B", change: "added" });
      expect(await store.latestVersion("RMD0000003", later)).toMatchObject({ importId: base.id, change: "added" });
      expect((await store.getImport("rmd_A"))!.status).toBe("abandoned");
      expect((await store.listChanges("rmd_A", { limit: 10 })).items).toEqual([]);
    });

    it("refuses an export not newer than the snapshot in effect, and a mass removal unless meant", async () => {
      const store = await fresh();
      await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-08-01T00:00:00.000Z"));
      await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-08-01T00:00:00.000Z"))).rejects.toMatchObject({
        code: "rmd_snapshot_not_newer",
      });
      await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 5), "2025-08-02T00:00:00.000Z"))).rejects.toMatchObject({
        code: "rmd_mass_removal",
      });
      await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-09-02T00:00:00.000Z"))).rejects.toMatchObject({
        code: "rmd_as_of_in_future",
      });
      const meant = await importRmdExport(deps(store), CONSORTIUM, { ...importOf(range(1, 5), "2025-08-02T00:00:00.000Z"), allowMassRemoval: true });
      expect(meant.removed).toBe(6);
      await expect(importRmdExport(deps(store), { ...CONSORTIUM, kind: "provider" }, importOf(range(1, 5), "2025-08-03T00:00:00.000Z"))).rejects.toThrow(
        /only the consortium/,
      );
    });
  });
}
