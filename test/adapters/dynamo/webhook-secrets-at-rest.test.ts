/**
 * Webhook secrets in the table: sealed under the data key and bound to their endpoint; endpoints
 * an earlier version wrote in the clear are read and sealed in place; a response that returned a
 * secret is replayed from a sealed record.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { keys } from "../../../functions/adapters/dynamo/keys.js";
import { DynamoWebhookStore } from "../../../functions/adapters/dynamo/webhook-store.js";
import { secretBox } from "../../../functions/adapters/keys/secret-box.js";
import { isSealed, newDataKey } from "../../../functions/crypto/sealed-secret.js";
import { newWebhookSecret } from "../../../functions/crypto/standard-webhooks.js";
import type { Endpoint } from "../../../functions/domain/webhooks/endpoint.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import { startTestHub, type TestHub } from "../../support/hub.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const endpoint = (id: string, secrets: string[]): Endpoint => ({
  id,
  accountId: "acc_owner",
  url: "https://hooks.example/x",
  eventTypes: ["hop_request.created"],
  status: "active",
  secrets: secrets.map((secret) => ({ secret, createdAt: "2024-06-03T16:00:00.000Z" })),
  createdAt: "2024-06-03T16:00:00.000Z",
  consecutiveFailures: 0,
});

describe("webhook secrets at rest", () => {
  let emulators: Emulators;
  let db: DynamoDBDocumentClient;
  let store: DynamoWebhookStore;
  const raw = async (id: string) => (await db.send(new GetCommand({ TableName: emulators.tableName, Key: keys.endpoint(id) }))).Item!;

  beforeAll(async () => {
    emulators = await startEmulators();
    db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    const key = newDataKey();
    store = new DynamoWebhookStore(
      db,
      emulators.tableName,
      secretBox(async () => key),
    );
  });
  afterAll(async () => {
    db?.destroy();
    await emulators?.stop();
  });

  it("are stored sealed and read back in the clear", async () => {
    const secrets = [newWebhookSecret(), newWebhookSecret()];
    await store.putEndpoint(endpoint("ep_sealed", secrets));
    const item = await raw("ep_sealed");
    expect(item.secrets.every((s: { secret: string }) => isSealed(s.secret))).toBe(true);
    expect(JSON.stringify(item)).not.toContain(secrets[0]!.slice(6));
    expect((await store.getEndpoint("ep_sealed"))!.secrets.map((s) => s.secret)).toEqual(secrets);
    expect((await store.listEndpoints("acc_owner", { limit: 10 })).items.find((e) => e.id === "ep_sealed")!.secrets.map((s) => s.secret)).toEqual(secrets);
  });

  it("a sealed secret copied into another endpoint's item does not open there", async () => {
    await store.putEndpoint(endpoint("ep_victim", [newWebhookSecret()]));
    await store.putEndpoint(endpoint("ep_thief", [newWebhookSecret()]));
    const stolen = (await raw("ep_victim")).secrets;
    await db.send(new PutCommand({ TableName: emulators.tableName, Item: { ...(await raw("ep_thief")), secrets: stolen } }));
    await expect(store.getEndpoint("ep_thief")).rejects.toThrow(/does not open/);
  });

  it("an endpoint an earlier version stored in the clear is read as it is and sealed in place", async () => {
    const legacy = endpoint("ep_legacy", [newWebhookSecret(), newWebhookSecret()]);
    await db.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: { ...keys.endpoint(legacy.id), entity: "endpoint", gsi1pk: keys.endpointsOf(legacy.accountId), gsi1sk: legacy.id, ...legacy },
      }),
    );
    expect(await store.getEndpoint(legacy.id)).toEqual(legacy);
    const item = await raw(legacy.id);
    expect(item.secrets.map((s: { secret: string }) => isSealed(s.secret))).toEqual([true, true]);
    expect(JSON.stringify(item)).not.toContain("whsec_");
    expect(await store.getEndpoint(legacy.id)).toEqual(legacy);
  });

  it("the in-place seal gives way to a write that came between the read and the seal", async () => {
    const key = newDataKey();
    const inner = secretBox(async () => key);
    let sealing!: () => void;
    const sealStarted = new Promise<void>((r) => (sealing = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const gated = new DynamoWebhookStore(db, emulators.tableName, {
      open: inner.open,
      seal: async (plaintext, context) => {
        sealing();
        await released;
        return inner.seal(plaintext, context);
      },
    });
    const put = (e: Endpoint) => db.send(new PutCommand({ TableName: emulators.tableName, Item: { ...keys.endpoint(e.id), ...e } }));
    const legacy = endpoint("ep_raced", [newWebhookSecret()]);
    await put(legacy);
    const read = gated.getEndpoint(legacy.id);
    await sealStarted;
    // An earlier version's rotation lands after the read, before the seal: the seal must not undo it.
    const rotated = endpoint("ep_raced", [newWebhookSecret(), legacy.secrets[0]!.secret]);
    await put(rotated);
    release();
    expect(await read).toEqual(legacy);
    expect((await raw(legacy.id)).secrets).toEqual(rotated.secrets);
  });
});

describe("a response holding a new secret", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("is replayed with the same secret from an idempotency record that holds it sealed", async () => {
    const p = await t.registerProvider("Replayed Co");
    const body = { url: "http://127.0.0.1:9/hooks", eventTypes: ["hop_request.created"] };
    const first = await p.api.post("/v1/webhook-endpoints", body, { idempotencyKey: "create-once" });
    expect(first.status).toBe(201);
    const again = await p.api.post("/v1/webhook-endpoints", body, { idempotencyKey: "create-once" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    const rotated = await p.api.post(`/v1/webhook-endpoints/${first.body.endpoint.id}/rotate-secret`, {}, { idempotencyKey: "rotate-once" });
    const rotatedAgain = await p.api.post(`/v1/webhook-endpoints/${first.body.endpoint.id}/rotate-secret`, {}, { idempotencyKey: "rotate-once" });
    expect(rotatedAgain.body.secret).toBe(rotated.body.secret);

    for (const key of ["create-once", "rotate-once"]) {
      const item = (await t.hub.runtime.db.send(new GetCommand({ TableName: t.hub.config.TABLE_NAME, Key: keys.idempotency(p.id, key) }))).Item!;
      expect(item.response.sealed).toBe(true);
      expect(JSON.stringify(item)).not.toContain("whsec_");
    }
  });
});
