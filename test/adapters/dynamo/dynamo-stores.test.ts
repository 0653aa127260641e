/** The DynamoDB adapters on the emulator: the store contract, and what only a DynamoDB cursor can get wrong. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { queryPage } from "../../../functions/adapters/dynamo/items.js";
import { InvalidCursorError } from "../../../functions/domain/errors.js";
import type { AnswerEvidence, StoredHop } from "../../../functions/usecases/ports.js";
import { keys, TABLE } from "../../../functions/adapters/dynamo/keys.js";
import { outboxMarker } from "../../../functions/usecases/followup.js";
import { DynamoTracebackStore } from "../../../functions/adapters/dynamo/traceback-store.js";
import { DynamoEvidenceStore } from "../../../functions/adapters/dynamo/evidence-store.js";
import { DynamoRmdStore } from "../../../functions/adapters/dynamo/rmd-store.js";
import { DynamoCampaignStore } from "../../../functions/adapters/dynamo/campaign-store.js";
import { DynamoIntelStore } from "../../../functions/adapters/dynamo/intel-store.js";
import { DynamoLogStore } from "../../../functions/adapters/dynamo/log-store.js";
import { DynamoWebhookStore } from "../../../functions/adapters/dynamo/webhook-store.js";
import { secretBox } from "../../../functions/adapters/keys/secret-box.js";
import { newDataKey } from "../../../functions/crypto/sealed-secret.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import { ids, newTraceback, storeContract, type ContractStores } from "../../support/store-contract.js";

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
    webhooks: new DynamoWebhookStore(
      db,
      table,
      secretBox(async () => newDataKey()),
    ),
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
      queryPage(
        s.db,
        s.emulators.tableName,
        TABLE.indexes.byOwner,
        `HOPS#${a}`,
        { limit: 1, cursor: encode({ ...issued, gsi1sk }) },
        { sortKeyBetween: ["2024", "2025"] },
      );
    await expect(ranged("zzz")).rejects.toThrow(InvalidCursorError);
    await expect(ranged(issued.gsi1sk!)).resolves.toBeDefined();
  });
});

const T0 = new Date("2024-06-03T16:05:00.000Z");

describe("answer evidence", () => {
  let s: Stores;
  beforeAll(async () => {
    s = await openStores();
  });
  afterAll(async () => {
    await s?.stop();
  });
  const evidence = (n: number): AnswerEvidence => ({
    request: { method: "POST", targetUri: `https://hub.example/v1/hop-requests/h/answer`, headers: { "idempotency-key": `key-${n}` }, body: `{"n":${n}}` },
    key: { keyId: "kid-1", accountId: "acc_TERM", publicJwk: { kty: "OKP", crv: "Ed25519", x: "x".repeat(43) } },
    response: { status: 200, body: `{"answered":${n}}` },
    receipt: `receipt-${n}-${ids.next("req")}`,
  });
  const answered = (hop: StoredHop, e: AnswerEvidence): StoredHop => ({
    ...hop,
    status: "answered",
    answer: { type: "refused", reason: "x" },
    answeredAt: T0.toISOString(),
    evidence: e,
  });

  it("is an item of its own: the hop item only names it, and the hop and the chain read it back", async () => {
    const { traceback, firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
    await s.tracebacks.putNewHop(firstHop);
    const e = evidence(1);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, e);
    await s.tracebacks.replaceHop(answered(firstHop, e), { version: 1, status: "open" }, outboxMarker(T0, firstHop.id));
    const item = (await s.db.send(new GetCommand({ TableName: s.emulators.tableName, Key: keys.hop(firstHop.tracebackId, 1) }))).Item!;
    expect(item.evidence).toBeUndefined();
    expect(typeof item.evidenceId).toBe("string");
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(e);
    expect((await s.tracebacks.getChain(traceback.id))!.hops[0]!.value.evidence).toEqual(e);
  });

  it("of two racing answers is the winner's: each put its own, the hop names the one whose write won", async () => {
    const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.putNewHop(firstHop);
    const [a, b] = [evidence(2), evidence(3)];
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, a);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, b);
    await s.tracebacks.replaceHop(answered(firstHop, a), { version: 1, status: "open" });
    await expect(s.tracebacks.replaceHop(answered(firstHop, b), { version: 1, status: "open" })).rejects.toMatchObject({ code: "hop_changed" });
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(a);
  });

  it("put by a process that died before the hop's write leaves the hop open and without evidence", async () => {
    const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.putNewHop(firstHop);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, evidence(4));
    const stored = (await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!;
    expect(stored.value.status).toBe("open");
    expect(stored.value.evidence).toBeUndefined();
  });

  it("kept on the hop item by an earlier version reads as before", async () => {
    const { traceback, firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
    const e = evidence(5);
    const { evidence: _e, ...hop } = answered(firstHop, e);
    await s.db.send(
      new PutCommand({
        TableName: s.emulators.tableName,
        Item: {
          ...keys.hop(firstHop.tracebackId, 1),
          entity: "hop",
          gsi1pk: keys.hopsOf("acc_TERM"),
          gsi1sk: `${hop.createdAt}#${hop.id}`,
          ...hop,
          evidence: e,
          version: 2,
        },
      }),
    );
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(e);
    expect((await s.tracebacks.getChain(traceback.id))!.hops[0]!.value.evidence).toEqual(e);
  });
});
