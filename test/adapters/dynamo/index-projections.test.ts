/**
 * The schedule and outbox indexes project only what finds an item; the listings whole items. A
 * data folder made before that has whole items in every index: the stores must find the same
 * work on a table of either kind, and the start-up mending must see both as in step.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { TABLE } from "../../../functions/adapters/dynamo/keys.js";
import { DynamoLogStore } from "../../../functions/adapters/dynamo/log-store.js";
import { createTableInput } from "../../../functions/adapters/dynamo/table-definition.js";
import { DynamoTracebackStore } from "../../../functions/adapters/dynamo/traceback-store.js";
import { DynamoWebhookStore } from "../../../functions/adapters/dynamo/webhook-store.js";
import { ulidGenerator } from "../../../functions/adapters/ids.js";
import { secretBox } from "../../../functions/adapters/keys/secret-box.js";
import { newDataKey } from "../../../functions/crypto/sealed-secret.js";
import type { Account } from "../../../functions/domain/account.js";
import type { HubEvent } from "../../../functions/domain/events.js";
import { startTraceback } from "../../../functions/domain/traceback.js";
import type { Delivery } from "../../../functions/domain/webhooks/delivery.js";
import { createActiveTable, startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import { mendIndexes } from "../../../functions/local/mend-indexes.js";
import { deadlinePolicies } from "../../../functions/platform/deadlines.js";
import type { AnswerEvidence } from "../../../functions/usecases/ports.js";
import { STORED_CALL as CALL } from "../../support/stored-call.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const DATA_KEY = newDataKey();
const ids = ulidGenerator();
const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 86_400 });
const T0 = new Date("2024-06-03T16:05:00.000Z");
const LATER = "2030-01-01T00:00:00.000Z";
const LEGACY_TABLE = "hoptrace-whole-items";

/** Evidence the size a real answer's is: it must stay out of every index. */
function evidenceOf(n: number): AnswerEvidence {
  return {
    request: {
      method: "POST",
      targetUri: `https://hub.example/v1/hop-requests/${n}/answer`,
      headers: { "idempotency-key": `key-${n}`, signature: "s".repeat(800) },
      body: "b".repeat(1200),
    },
    key: { keyId: "kid-1", accountId: "acc_P", publicJwk: { kty: "OKP", crv: "Ed25519", x: "x".repeat(43) } },
    response: { status: 200, body: "r".repeat(600) },
    receipt: `receipt-${n}-${"j".repeat(400)}`,
  };
}

describe("the indexes' projections", () => {
  let emulators: Emulators;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    emulators = await startEmulators();
    db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    // The table as earlier versions created it: every index projecting whole items.
    const raw = new DynamoDBClient({
      region: "us-east-1",
      endpoint: emulators.dynamoEndpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const input = createTableInput(LEGACY_TABLE);
    await createActiveTable(raw, {
      ...input,
      GlobalSecondaryIndexes: input.GlobalSecondaryIndexes!.map((i) => ({ ...i, Projection: { ProjectionType: "ALL" } })),
    });
    raw.destroy();
  });
  afterAll(async () => {
    db?.destroy();
    await emulators?.stop();
  });

  it("are narrow on a new table: the schedule and outbox indexes hold the keys and the few attributes that name an item", async () => {
    const tracebacks = new DynamoTracebackStore(db, emulators.tableName);
    const { firstHop } = startTraceback(
      { id: ids.next("tb"), initiatorId: "acc_I", createdBy: "acc_I", call: CALL, deadlinePolicy: "fixed", terminatingProviderId: "acc_P" },
      T0,
      deadlines("fixed"),
    );
    await tracebacks.putNewHop(firstHop);
    const evidence = evidenceOf(1);
    await tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, evidence);
    await tracebacks.replaceHop(
      { ...firstHop, status: "answered", answer: { type: "refused", reason: "x" }, answeredAt: T0.toISOString(), evidence },
      { version: 1, status: "open" },
      `${T0.toISOString()}#${firstHop.id}`,
    );

    const entry = async (index: (typeof TABLE.indexes)[keyof typeof TABLE.indexes]) =>
      (await db.send(new ScanCommand({ TableName: emulators.tableName, IndexName: index.name }))).Items!.find(
        (i) => i.sk === "HOP#001" && i.tracebackId === firstHop.tracebackId,
      );
    expect(Object.keys((await entry(TABLE.indexes.outbox))!).sort()).toEqual(["entity", "gsi4pk", "gsi4sk", "id", "pk", "seq", "sk", "tracebackId"]);
    // The listing has the whole hop, and still no evidence: that is in an item no index holds.
    const listed = (await entry(TABLE.indexes.byOwner))!;
    expect(listed.answer).toEqual({ type: "refused", reason: "x" });
    expect(listed.evidence).toBeUndefined();
    for (const index of Object.values(TABLE.indexes)) {
      const all = (await db.send(new ScanCommand({ TableName: emulators.tableName, IndexName: index.name }))).Items!;
      expect(all.filter((i) => i.entity === "answer_evidence" || i.evidence !== undefined)).toEqual([]);
    }
    expect((await tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(evidence);
  });

  for (const [kind, table] of [
    ["a new table", () => emulators.tableName],
    ["a table of an earlier version, whole items in every index", () => LEGACY_TABLE],
  ] as const) {
    describe(kind, () => {
      const stores = () => ({
        tracebacks: new DynamoTracebackStore(db, table()),
        webhooks: new DynamoWebhookStore(
          db,
          table(),
          secretBox(async () => DATA_KEY),
        ),
        accounts: new DynamoAccountStore(db, table()),
        log: new DynamoLogStore(db, table(), `projections-${table()}`),
      });

      it("gives the reconciler, the sweeper, the fan-out and the integrator the work they look for, whole where they need it", async () => {
        const s = stores();
        const { firstHop } = startTraceback(
          { id: ids.next("tb"), initiatorId: "acc_I", createdBy: "acc_I", call: CALL, deadlinePolicy: "fixed", terminatingProviderId: "acc_P" },
          T0,
          deadlines("fixed"),
        );
        const marker = `${T0.toISOString()}#${firstHop.id}`;
        await s.tracebacks.putNewHop(firstHop, marker);
        expect(await s.tracebacks.pendingOutbox(LATER, 100)).toContainEqual({ ref: { tracebackId: firstHop.tracebackId, seq: 1 }, marker });
        expect(await s.tracebacks.hopsDueForSweep(LATER, 100)).toContainEqual({ tracebackId: firstHop.tracebackId, seq: 1 });

        const event: HubEvent = {
          id: ids.next("evt"),
          type: "hop_request.created",
          createdAt: T0.toISOString(),
          recipientId: "acc_P",
          data: { hopId: firstHop.id },
        };
        await s.webhooks.recordEvent(event, T0.toISOString());
        expect((await s.webhooks.eventsAwaitingFanOut(LATER, 100)).find((e) => e.id === event.id)).toEqual(event);
        await s.webhooks.markFannedOut(event);
        expect((await s.webhooks.eventsAwaitingFanOut(LATER, 100)).find((e) => e.id === event.id)).toBeUndefined();

        const delivery: Delivery = {
          eventId: event.id,
          endpointId: ids.next("ep"),
          accountId: "acc_P",
          eventType: event.type,
          status: "retrying",
          attemptCount: 1,
          attempts: [{ attempt: 1, at: T0.toISOString(), outcome: "failed", status: 503 }],
          createdAt: T0.toISOString(),
          updatedAt: T0.toISOString(),
          nextAttemptAt: "2024-06-03T16:10:00.000Z",
        };
        expect(await s.webhooks.createDelivery(delivery)).toBe(true);
        expect((await s.webhooks.dueDeliveries(LATER, 100)).find((d) => d.endpointId === delivery.endpointId)).toEqual(delivery);
        expect((await s.webhooks.dueDeliveries("2024-06-03T16:09:00.000Z", 100)).find((d) => d.endpointId === delivery.endpointId)).toBeUndefined();

        const account: Account = {
          id: ids.next("acc"),
          kind: "provider",
          name: `provider ${Math.random()}`,
          spcCodes: [],
          createdAt: T0.toISOString(),
          createdBy: "acc_C",
        };
        await s.accounts.createAccount(account, `${T0.toISOString()}#${account.id}`);
        expect(await s.accounts.pendingActivations(LATER, 100)).toContainEqual({ accountId: account.id, marker: `${T0.toISOString()}#${account.id}` });

        const statementId = `${firstHop.tracebackId}/req_1`;
        await s.log.putEntry({ statementId, entry: new Uint8Array([1, 2, 3]), leafHash: new Uint8Array(32), acceptedAt: T0.toISOString() });
        expect(await s.log.pendingEntries(100)).toContainEqual({ statementId, acceptedAt: T0.toISOString() });
      });

      it("reads a hop's answer evidence back, and the mending at start finds every index in step", async () => {
        const s = stores();
        const { traceback, firstHop } = startTraceback(
          { id: ids.next("tb"), initiatorId: "acc_I", createdBy: "acc_I", call: CALL, deadlinePolicy: "fixed", terminatingProviderId: "acc_P" },
          T0,
          deadlines("fixed"),
        );
        await s.tracebacks.createTraceback(traceback, `${T0.toISOString()}#${traceback.id}`);
        await s.tracebacks.putNewHop(firstHop);
        const evidence = evidenceOf(2);
        await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, evidence);
        await s.tracebacks.replaceHop(
          { ...firstHop, status: "answered", answer: { type: "refused", reason: "x" }, answeredAt: T0.toISOString(), evidence },
          { version: 1, status: "open" },
          `${T0.toISOString()}#${firstHop.id}`,
        );
        expect((await s.tracebacks.getChain(firstHop.tracebackId))!.hops[0]!.value.evidence).toEqual(evidence);
        const listed = (await s.tracebacks.listHopsOf("acc_P", { limit: 100 })).items.find((h) => h.id === firstHop.id)!;
        expect(listed.status).toBe("answered");
        expect("evidence" in listed || "evidenceId" in listed).toBe(false);
        expect(await mendIndexes(db, table())).toEqual({ rewritten: 0, removed: 0 });
      });
    });
  }
});
