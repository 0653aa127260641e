/**
 * RMD snapshots on dynalite: the RMD store contract, mended after a crash between the head write
 * and the import's mark, versions paged by block of filing numbers, and manifests and pages larger
 * than an item.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { keys } from "../../../functions/adapters/dynamo/keys.js";
import { createTableInput } from "../../../functions/adapters/dynamo/table-definition.js";
import { DynamoRmdStore } from "../../../functions/adapters/dynamo/rmd-store.js";
import { RMD_COLUMNS, type RmdFiling } from "../../../functions/domain/rmd/filing.js";
import { manifestEntry, planSnapshot, versionsOf } from "../../../functions/domain/rmd/snapshot.js";
import { CONSORTIUM, deps, filing, importOf, range, rmdStoreContract, staged } from "../../support/rmd-contract.js";
import { createActiveTable, startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import { importRmdExport } from "../../../functions/usecases/rmd-import.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

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
  await createActiveTable(raw, createTableInput(table));
  raw.destroy();
  return { store: new DynamoRmdStore(db, table), table };
}

rmdStoreContract(async () => (await freshTable()).store);

describe("RMD snapshots on DynamoDB", () => {
  it("mends a commit cut short between moving the head and marking the import", async () => {
    const { store, table } = await freshTable();
    const base = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 3), "2025-08-01T00:00:00.000Z"));
    const imp = staged("rmd_CUT", "2025-08-10T00:00:00.000Z", base.id);
    const plan = planSnapshot(await store.manifest(base.id), [...range(1, 3), filing(5)], { importId: imp.id, asOf: imp.asOf });
    await store.stage(imp, versionsOf(plan, { importId: imp.id, asOf: imp.asOf }, new Map()), plan.manifest, []);
    // The head write of commit(), and then the process dies.
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.rmdHead, entity: "rmd_head", importId: imp.id, asOf: imp.asOf, committedAt: "2025-09-01T00:00:00.000Z" },
      }),
    );

    const fresh = new DynamoRmdStore(db, table);
    expect(await fresh.latestVersion("RMD0000005", { importId: imp.id, asOf: imp.asOf })).toMatchObject({ importId: "rmd_CUT" });
    expect((await fresh.listImports({ limit: 10 })).items.map((i) => i.id)).toEqual([base.id]);

    const next = await importRmdExport(deps(fresh), CONSORTIUM, importOf([...range(1, 3), filing(5), filing(6)], "2025-08-20T00:00:00.000Z"));
    expect(next).toMatchObject({ previousImportId: "rmd_CUT", added: 1, unchanged: 3 });
    expect((await fresh.listImports({ limit: 10 })).items.map((i) => i.id)).toEqual([next.id, "rmd_CUT", base.id]);
  });

  it("writes a large manifest in several items and reads it back whole", async () => {
    const { store, table } = await freshTable();
    const manifest = range(1, 12_001, { other_dba_names: "A Rather Long Doing Business As Name For Size; Another One" }).map((f, i) =>
      manifestEntry(f, { importId: `rmd_${i % 3}`, asOf: "2025-08-01T00:00:00.000Z" }),
    );
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

  it("writes an import's versions in one page per block of ten filing numbers, and its changes in order", async () => {
    const { store, table } = await freshTable();
    const first = await importRmdExport(deps(store), CONSORTIUM, importOf(range(1, 26), "2025-08-01T00:00:00.000Z"));
    const pages = async () =>
      (await db.send(new ScanCommand({ TableName: table, FilterExpression: "entity = :e", ExpressionAttributeValues: { ":e": "rmd_page" } }))).Items ?? [];
    // RMD0000001-09, RMD0000010-19, RMD0000020-25: 25 versions in three items.
    expect((await pages()).map((p) => p.pk).sort()).toEqual(["RMDBLOCK#RMD000000", "RMDBLOCK#RMD000001", "RMDBLOCK#RMD000002"]);
    const second = await importRmdExport(
      deps(store),
      CONSORTIUM,
      importOf([...range(1, 12), filing(12, { gateway_provider_choice: "Yes" }), ...range(13, 24), filing(31)], "2025-08-26T00:00:00.000Z"),
    );
    expect([second.added, second.changed, second.removed]).toEqual([1, 1, 2]);
    expect((await pages()).length).toBe(6);
    const atSecond = { importId: second.id, asOf: second.asOf };
    expect(await store.latestVersion("RMD0000013", atSecond)).toMatchObject({ change: "added", importId: first.id });
    expect(await store.latestVersion("RMD0000012", atSecond)).toMatchObject({
      change: "changed",
      changes: [{ field: "gateway_provider_choice", after: "Yes" }],
    });
    expect(await store.latestVersion("RMD0000024", atSecond)).toMatchObject({ change: "removed", filing: { business_name: "Example 24 Voice LLC" } });
    expect((await store.versionsOf("RMD0000012", 10)).map((v) => v.change)).toEqual(["added", "changed"]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listChanges(second.id, { limit: 3, ...(cursor && { cursor }) });
      seen.push(...page.items.map((v) => `${v.change} ${v.number}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["added RMD0000031", "changed RMD0000012", "removed RMD0000024", "removed RMD0000025"]);
    const removed = await store.listChanges(second.id, { limit: 1 }, "removed");
    expect(removed.items.map((v) => v.number)).toEqual(["RMD0000024"]);
    await expect(store.listChanges(second.id, { limit: 1, cursor: removed.nextCursor! })).rejects.toThrow(/does not belong to this listing/);
    expect((await store.listChanges(second.id, { limit: 1, cursor: removed.nextCursor! }, "removed")).items.map((v) => v.number)).toEqual(["RMD0000025"]);
  });

  it("splits a block's page that would not fit an item, and reads every part back", async () => {
    const { store, table } = await freshTable();
    // Incompressible cells near the reader's bound: ten such filings are megabytes.
    const bulky = (n: number) =>
      filing(n, Object.fromEntries(RMD_COLUMNS.slice(4, 17).map((c) => [c, randomBytes(2_900).toString("base64")])) as Partial<RmdFiling>);
    const filings = Array.from({ length: 10 }, (_, i) => bulky(40 + i));
    const first = await importRmdExport(deps(store), CONSORTIUM, importOf(filings, "2025-08-01T00:00:00.000Z"));
    const parts = (
      await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "RMDBLOCK#RMD000004" } }))
    ).Items!;
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.parts).toBe(parts.length);
    const at = { importId: first.id, asOf: first.asOf };
    for (const f of filings) expect((await store.latestVersion(f.number, at))?.filing).toEqual(f);
    expect((await store.listedVersions(await store.manifest(first.id))).map((v) => v.filing)).toEqual(filings);
    const changes = await store.listChanges(first.id, { limit: 100 });
    expect(changes.items.map((v) => v.filing)).toEqual(filings);
  });
});
