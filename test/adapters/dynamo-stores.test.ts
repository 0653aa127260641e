/** The DynamoDB adapters on the emulator: the store contract, and what only a DynamoDB cursor can get wrong. */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { InvalidCursorError, queryPage } from "../../functions/adapters/dynamo/items.js";
import { TABLE } from "../../functions/adapters/dynamo/keys.js";
import { DynamoTracebackStore } from "../../functions/adapters/dynamo/traceback-store.js";
import { DynamoEvidenceStore } from "../../functions/adapters/dynamo/evidence-store.js";
import { DynamoRmdStore } from "../../functions/adapters/dynamo/rmd-store.js";
import { DynamoCampaignStore } from "../../functions/adapters/dynamo/campaign-store.js";
import { DynamoIntelStore } from "../../functions/adapters/dynamo/intel-store.js";
import { DynamoLogStore } from "../../functions/adapters/dynamo/log-store.js";
import { DynamoWebhookStore } from "../../functions/adapters/dynamo/webhook-store.js";
import { secretBox } from "../../functions/adapters/keys/secret-box.js";
import { newDataKey } from "../../functions/crypto/sealed-secret.js";
import { startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { ids, newTraceback, storeContract, type ContractStores } from "../support/store-contract.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

interface Stores extends ContractStores {
  emulators: Emulators;
  db: DynamoDBDocumentClient;
  tracebacks: DynamoTracebackStore;
}

async function openStores(): Promise<Stores> {
  const emulators = await startEmulators();
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  const table = emulators.tableName;
  return {
    emulators,
    db,
    accounts: new DynamoAccountStore(db, table),
    tracebacks: new DynamoTracebackStore(db, table),
    evidence: new DynamoEvidenceStore(db, table),
    rmd: new DynamoRmdStore(db, table),
    campaigns: new DynamoCampaignStore(db, table),
    intel: new DynamoIntelStore(db, table),
    webhooks: new DynamoWebhookStore(db, table, secretBox(async () => newDataKey())),
    logStore: (name) => new DynamoLogStore(db, table, name),
    stop: async () => {
      db.destroy();
      await emulators.stop();
    },
  };
}

storeContract(openStores);

describe("DynamoDB cursors", () => {
  let s: Stores;
  beforeAll(async () => {
    s = await openStores();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("refuses a start key whose sort key is not a string", async () => {
    const a = ids.next("acc");
    for (let i = 0; i < 2; i++) await s.tracebacks.putNewHop(newTraceback(ids.next("acc"), a).firstHop);
    const withNumber = Buffer.from(JSON.stringify({ gsi1pk: `HOPS#${a}`, gsi1sk: 5 })).toString("base64url");
    await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: withNumber })).rejects.toThrow(InvalidCursorError);
  });

  it("accepts only the exact key shape of the index queried, never passing a bad start key to DynamoDB", async () => {
    const a = ids.next("acc");
    for (let i = 0; i < 2; i++) await s.tracebacks.putNewHop(newTraceback(ids.next("acc"), a).firstHop);
    const first = await s.tracebacks.listHopsOf(a, { limit: 1 });
    const issued = JSON.parse(Buffer.from(first.nextCursor!, "base64url").toString()) as Record<string, string>;
    expect(Object.keys(issued).sort()).toEqual(["gsi1pk", "gsi1sk", "pk", "sk"]);
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString("base64url");
    const { pk: _pk, ...noTableKey } = issued;
    const bad = [
      { gsi1pk: `HOPS#${a}`, gsi1sk: "x" },
      noTableKey,
      { ...issued, extra: "x" },
      { ...issued, gsi1sk: "" },
      { ...issued, pk: "" },
      { ...issued, sk: 7 },
      { ...issued, gsi1pk: `HOPS#${a}`, gsi1sk: { S: "x" } },
    ];
    for (const key of bad) await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: encode(key) })).rejects.toThrow(InvalidCursorError);
    await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: encode(issued) })).resolves.toMatchObject({ items: [expect.anything()] });

    // A listing over a sort key range refuses a start key outside it (DynamoDB would fail the Query).
    const ranged = (gsi1sk: string) =>
      queryPage(s.db, s.emulators.tableName, TABLE.indexes.byOwner, `HOPS#${a}`, { limit: 1, cursor: encode({ ...issued, gsi1sk }) }, { sortKeyBetween: ["2024", "2025"] });
    await expect(ranged("zzz")).rejects.toThrow(InvalidCursorError);
    await expect(ranged(issued.gsi1sk!)).resolves.toBeDefined();
  });
});
