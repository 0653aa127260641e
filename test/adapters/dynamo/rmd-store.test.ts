/**
 * RMD snapshots on dynalite: the RMD store contract, mended after a crash between the head write
 * and the import's mark, and manifests larger than an item.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { keys } from "../../../functions/adapters/dynamo/keys.js";
import { createTableInput } from "../../../functions/adapters/dynamo/table-definition.js";
import { DynamoRmdStore } from "../../../functions/adapters/dynamo/rmd-store.js";
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
});
