/**
 * RMD snapshots on dynalite: an import is invisible until its head write, whole once committed,
 * lost cleanly to a concurrent import, and mended after a crash between the head write and the
 * import's mark.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { keys } from "../../functions/adapters/dynamo/keys.js";
import { createTableInput } from "../../functions/adapters/dynamo/table-definition.js";
import { DynamoRmdStore } from "../../functions/adapters/dynamo/rmd-store.js";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import type { Principal } from "../../functions/domain/account.js";
import { ManualClock } from "../support/manual-clock.js";
import type { RmdFiling } from "../../functions/domain/rmd/filing.js";
import { manifestEntry, planSnapshot, versionsOf } from "../../functions/domain/rmd/snapshot.js";
import { startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { importRmdExport } from "../../functions/usecases/rmd-import.js";
import type { RmdImport } from "../../functions/usecases/rmd-ports.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const CONSORTIUM: Principal = { accountId: "acc_consortium", kind: "consortium", keyId: "k" };
const silent = { info() {}, warn() {}, error() {} };
const filing = (n: number, extra: Partial<RmdFiling> = {}): RmdFiling => ({ number: `RMD${String(n).padStart(7, "0")}`, business_name: `Example ${n} Voice LLC`, frn: String(n).padStart(10, "0"), ...extra });
const range = (from: number, to: number, extra: Partial<RmdFiling> = {}) => Array.from({ length: to - from }, (_, i) => filing(from + i, extra));

let emulators: Emulators;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  emulators = await startEmulators();
  db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
});
afterAll(async () => {
  db?.destroy();
  await emulators?.stop();
});

/** Each test gets a table of its own: the head is one item per table. */
async function freshTable(): Promise<{ store: DynamoRmdStore; table: string }> {
  const table = `rmd-${Math.random().toString(36).slice(2)}`;
  const raw = new DynamoDBClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  await raw.send(new CreateTableCommand(createTableInput(table)));
  raw.destroy();
  return { store: new DynamoRmdStore(db, table), table };
}

function deps(rmd: DynamoRmdStore, at = "2025-09-01T00:00:00Z") {
  return { rmd, clock: new ManualClock(new Date(at)), ids: ulidGenerator(), log: silent };
}

const importOf = (filings: RmdFiling[], asOf: string) => ({ filings, asOf, fileSha256: "00", fileBytes: 1 });

function staged(id: string, asOf: string, previousImportId?: string): RmdImport {
  return { id, asOf, status: "staged", ...(previousImportId && { previousImportId }), fileSha256: "00", fileBytes: 1, filings: 0, added: 0, changed: 0, removed: 0, unchanged: 0, importedAt: asOf, importedBy: "acc_consortium" };
}

describe("RMD snapshots on DynamoDB", () => {
  it("answers from the snapshot in effect at a date, with the versions and diff of each import", async () => {
    const { store, table } = await freshTable();
    const first = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 6), "2025-08-01T00:00:00.000Z"));
    const second = await importRmdExport(deps(store), CONSORTIUM, importOf([...range(1, 3), filing(3, { gateway_provider_choice: "Yes" }), ...range(4, 5), filing(9)], "2025-08-26T00:00:00.000Z"));
    expect([second.added, second.changed, second.removed, second.unchanged]).toEqual([1, 1, 1, 3]);

    expect(await store.snapshotAt("2025-07-31T23:59:59.999Z")).toBeUndefined();
    expect(await store.snapshotAt("2025-08-10T00:00:00.000Z")).toEqual({ importId: first.id, asOf: first.asOf });
    expect(await store.snapshotAt("2025-08-26T00:00:00.000Z")).toEqual({ importId: second.id, asOf: second.asOf });
    const atSecond = { importId: second.id, asOf: second.asOf };
    expect(await store.latestVersion("RMD0000005", atSecond)).toMatchObject({ change: "removed", importId: second.id, filing: { number: "RMD0000005" } });
    expect(await store.latestVersion("RMD0000005", { importId: first.id, asOf: first.asOf })).toMatchObject({ change: "added", importId: first.id });
    expect(await store.latestVersion("RMD0000003", atSecond)).toMatchObject({ change: "changed", changes: [{ field: "gateway_provider_choice", after: "Yes" }] });
    expect(await store.latestVersion("RMD0000009", { importId: first.id, asOf: first.asOf })).toBeUndefined();

    const changes = await store.listChanges(second.id, { limit: 10 });
    expect(changes.items.map((v) => `${v.change} ${v.number}`)).toEqual(["added RMD0000009", "changed RMD0000003", "removed RMD0000005"]);
    expect((await store.listChanges(second.id, { limit: 10 }, "removed")).items.map((v) => v.number)).toEqual(["RMD0000005"]);
    expect((await store.listImports({ limit: 10 })).items.map((i) => [i.id, i.status])).toEqual([[second.id, "committed"], [first.id, "committed"]]);
    expect(await store.removedWithFrn("0000000005")).toEqual(["RMD0000005"]);
    expect(await store.removedWithFrn("0000000003")).toEqual([]);
  });

  it("keeps a staged import invisible, and lets only one of two imports of the same base commit", async () => {
    const { store, table } = await freshTable();
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

  it("mends a commit cut short between moving the head and marking the import", async () => {
    const { store, table } = await freshTable();
    const base = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 3), "2025-08-01T00:00:00.000Z"));
    const imp = staged("rmd_CUT", "2025-08-10T00:00:00.000Z", base.id);
    const plan = planSnapshot(await store.manifest(base.id), [...range(1, 3), filing(5)], { importId: imp.id, asOf: imp.asOf });
    await store.stage(imp, versionsOf(plan, { importId: imp.id, asOf: imp.asOf }, new Map()), plan.manifest, []);
    // The head write of commit(), and then the process dies.
    await db.send(new PutCommand({ TableName: table, Item: { ...keys.rmdHead, entity: "rmd_head", importId: imp.id, asOf: imp.asOf, committedAt: "2025-09-01T00:00:00.000Z" } }));

    const fresh = new DynamoRmdStore(db, table);
    expect(await fresh.latestVersion("RMD0000005", { importId: imp.id, asOf: imp.asOf })).toMatchObject({ importId: "rmd_CUT" });
    expect((await fresh.listImports({ limit: 10 })).items.map((i) => i.id)).toEqual([base.id]);

    const next = await importRmdExport(deps(fresh), CONSORTIUM, importOf([...range(1, 3), filing(5), filing(6)], "2025-08-20T00:00:00.000Z"));
    expect(next).toMatchObject({ previousImportId: "rmd_CUT", added: 1, unchanged: 3 });
    expect((await fresh.listImports({ limit: 10 })).items.map((i) => i.id)).toEqual([next.id, "rmd_CUT", base.id]);
  });

  it("refuses an export not newer than the snapshot in effect, and a mass removal unless meant", async () => {
    const { store, table } = await freshTable();
    await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-08-01T00:00:00.000Z"));
    await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-08-01T00:00:00.000Z"))).rejects.toMatchObject({ code: "rmd_snapshot_not_newer" });
    await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 5), "2025-08-02T00:00:00.000Z"))).rejects.toMatchObject({ code: "rmd_mass_removal" });
    await expect(importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 11), "2025-09-02T00:00:00.000Z"))).rejects.toMatchObject({ code: "rmd_as_of_in_future" });
    const meant = await importRmdExport(deps(store), CONSORTIUM, { ...importOf(range(1, 5), "2025-08-02T00:00:00.000Z"), allowMassRemoval: true });
    expect(meant.removed).toBe(6);
    await expect(importRmdExport(deps(store), { ...CONSORTIUM, kind: "provider" }, importOf(range(1, 5), "2025-08-03T00:00:00.000Z"))).rejects.toThrow(/only the consortium/);
  });

  it("writes a large manifest in several items and reads it back whole", async () => {
    const { store, table } = await freshTable();
    const manifest = range(1, 12_001, { other_dba_names: "A Rather Long Doing Business As Name For Size; Another One" }).map((f, i) => manifestEntry(f, { importId: `rmd_${i % 3}`, asOf: "2025-08-01T00:00:00.000Z" }));
    await store.stage(staged("rmd_BIG", "2025-08-01T00:00:00.000Z"), [], manifest, []);
    expect(await new DynamoRmdStore(db, table).manifest("rmd_BIG")).toEqual(manifest);
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :p AND begins_with(sk, :m)",
        ExpressionAttributeValues: { ":p": keys.rmdImport("rmd_BIG").pk, ":m": keys.rmdManifestPrefix },
        Select: "COUNT",
      }),
    );
    expect(out.Count).toBeGreaterThan(1);
  });
});
