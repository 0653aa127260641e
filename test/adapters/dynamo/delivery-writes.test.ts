/**
 * What one published event costs in DynamoDB on its way to a healthy endpoint, on dynalite and
 * local-aws-sqs: the event recorded once, the endpoints read once, the delivery written once with
 * the first attempt's result, the fan-out marker cleared. And the same path killed between any
 * two of its port calls: a fresh process (empty queue, as the embedded queue is after a restart)
 * and the reconciler deliver the webhook anyway, under the event's id, with every attempt listed.
 */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { DynamoWebhookStore } from "../../../functions/adapters/dynamo/webhook-store.js";
import { ulidGenerator } from "../../../functions/adapters/ids.js";
import { secretBox } from "../../../functions/adapters/keys/secret-box.js";
import { createSqsClient } from "../../../functions/adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../../../functions/adapters/sqs/delivery-queue.js";
import { generateSigningKey } from "../../../functions/crypto/keys.js";
import { newDataKey } from "../../../functions/crypto/sealed-secret.js";
import { ManualClock } from "../../support/manual-clock.js";
import type { HubEvent } from "../../../functions/domain/events.js";
import { processDeliveryBatch } from "../../../functions/handlers/delivery-batch.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import { handleDeliveryMessage, recoverDeliveries } from "../../../functions/usecases/deliveries.js";
import { RecordingEventPublisher, recoverFanOuts } from "../../../functions/usecases/event-outbox.js";
import type { Logger } from "../../../functions/usecases/ports.js";
import type { WebhookDeps, WebhookSendResult } from "../../../functions/usecases/webhook-ports.js";
import { Doom, doomed, webhookSettingsFor } from "../../support/doom.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const DATA_KEY = newDataKey();
const ids = ulidGenerator();
const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const LEASE_SECONDS = 60;

describe("the first delivery attempt's bookkeeping", () => {
  let emulators: Emulators;
  let db: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let hubKey: WebhookDeps["hubKey"];
  const clock = new ManualClock(new Date("2024-06-03T16:05:00.000Z"));
  /** The DynamoDB operations sent, in order. */
  const calls: string[] = [];
  /** Webhooks sent: endpoint URL and webhook-id. */
  const sent: Array<{ url: string; webhookId: string }> = [];
  /** What each endpoint answers, in turn (then 204). */
  const script = new Map<string, WebhookSendResult["outcome"][]>();
  let queues = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    db.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(String(context.commandName).replace(/Command$/, ""));
        return next(args);
      },
      { step: "initialize", name: "countCalls" },
    );
    sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
    const k = await generateSigningKey();
    hubKey = { kid: k.kid, privateKey: k.privateKey };
  });
  afterAll(async () => {
    db?.destroy();
    sqs?.destroy();
    await emulators?.stop();
  });
  beforeEach(() => {
    calls.length = 0;
  });

  const webhookStore = () =>
    new DynamoWebhookStore(
      db,
      emulators.tableName,
      secretBox(async () => DATA_KEY),
    );

  /** A process of the delivery worker: its own (empty) queue, ports that die with `doom` if given. */
  async function processWith(doom?: Doom): Promise<{ deps: WebhookDeps; queueUrl: string }> {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `first-attempt-${queues++}` }))).QueueUrl!;
    const port = <T extends object>(p: T): T => (doom ? doomed(p, doom) : p);
    const webhooks = port(webhookStore());
    const queue = port(new SqsDeliveryQueue(sqs, queueUrl));
    // The delivery worker and the publisher use no other port.
    const deps = {
      accounts: port(new DynamoAccountStore(db, emulators.tableName)),
      events: new RecordingEventPublisher(webhooks, queue, clock, log),
      clock,
      ids,
      log,
      webhooks,
      queue,
      send: async (req: { url: string; headers: Record<string, string> }): Promise<WebhookSendResult> => {
        doom?.tick();
        sent.push({ url: req.url, webhookId: req.headers["webhook-id"]! });
        const outcome = script.get(req.url)?.shift() ?? "delivered";
        return outcome === "delivered" ? { outcome, status: 204, latencyMs: 1 } : { outcome, status: 500, latencyMs: 1 };
      },
      guard: async () => ({ ok: true as const }),
      hubKey,
      random: () => 0.5,
      webhookSettings: webhookSettingsFor(LEASE_SECONDS),
    } as unknown as WebhookDeps;
    return { deps, queueUrl };
  }

  /** The delivery worker on the process's queue, as the poller runs it, until nothing is due. */
  async function drain(p: { deps: WebhookDeps; queueUrl: string }): Promise<void> {
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ["All"] }));
      if (!out.Messages?.length) return;
      const records = out.Messages.map((m) => ({ messageId: m.MessageId!, body: m.Body!, attributes: m.Attributes ?? {} }));
      const { batchItemFailures } = await processDeliveryBatch(p.deps, { Records: records } as never);
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of out.Messages)
        if (!failed.has(m.MessageId!)) await sqs.send(new DeleteMessageCommand({ QueueUrl: p.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      if (failed.size > 0) throw new Error("a delivery message failed");
    }
  }

  /** A provider with one healthy endpoint; returns its id and the endpoint. */
  async function provider(): Promise<{ accountId: string; endpointId: string; url: string }> {
    const accountId = ids.next("acc");
    const endpointId = ids.next("ep");
    const url = `https://hooks.example/${accountId}`;
    await webhookStore().putEndpoint({
      id: endpointId,
      accountId,
      url,
      eventTypes: ["hop_request.created"],
      status: "active",
      secrets: [{ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: clock.now().toISOString() }],
      createdAt: clock.now().toISOString(),
      consecutiveFailures: 0,
    });
    return { accountId, endpointId, url };
  }

  const eventFor = (recipientId: string): HubEvent => ({
    id: ids.next("evt"),
    type: "hop_request.created",
    createdAt: clock.now().toISOString(),
    recipientId,
    data: { hopId: "hop_x", tracebackId: "tb_x" },
  });

  it("records the event once, reads the endpoints once and writes the delivery once, with the attempt's result", async () => {
    const p = await provider();
    const hub = await processWith();
    const event = eventFor(p.accountId);
    calls.length = 0;
    await hub.deps.events.publish([event]);
    await drain(hub);
    // Event recorded, endpoints read, delivery written with its result, fan-out marker cleared.
    expect(calls).toEqual(["PutItem", "Query", "PutItem", "UpdateItem"]);
    expect(sent.filter((s) => s.url === p.url)).toEqual([{ url: p.url, webhookId: event.id }]);
    const [d] = (await webhookStore().listDeliveries(p.endpointId, { limit: 10 })).items;
    expect(d).toMatchObject({ eventId: event.id, status: "delivered", attemptCount: 1, attempts: [{ attempt: 1, outcome: "delivered", status: 204 }] });
    expect(await webhookStore().eventsAwaitingFanOut("9999", 1000)).not.toContainEqual(expect.objectContaining({ id: event.id }));
  });

  it("retries a failed first attempt from the written delivery, the retry's message carrying its event", async () => {
    const p = await provider();
    script.set(p.url, ["failed"]);
    const hub = await processWith();
    const event = eventFor(p.accountId);
    await hub.deps.events.publish([event]);
    // The retry's message comes at once (this clock asks for no real delay) and, too early, goes back for a second.
    await drain(hub);
    const [first] = (await webhookStore().listDeliveries(p.endpointId, { limit: 10 })).items;
    expect(first).toMatchObject({ status: "retrying", attemptCount: 1, attempts: [{ outcome: "failed" }] });
    clock.set(new Date(Date.parse(first!.nextAttemptAt!) + 1000));
    await new Promise((r) => setTimeout(r, 1100));
    calls.length = 0;
    await drain(hub);
    const retryCalls = [...calls];
    const [d] = (await webhookStore().listDeliveries(p.endpointId, { limit: 10 })).items;
    expect(d).toMatchObject({ status: "delivered", attemptCount: 2 });
    expect(d!.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "failed"],
      [2, "delivered"],
    ]);
    // Read the delivery, claim it, read the endpoint (not the event), record; read the endpoint again to forget its failure.
    expect(retryCalls).toEqual(["GetItem", "PutItem", "GetItem", "PutItem", "GetItem", "PutItem"]);
    expect(sent.filter((s) => s.url === p.url).map((s) => s.webhookId)).toEqual([event.id, event.id]);
  });

  it("sends once when the event's message comes again while its first attempt is under way", async () => {
    const p = await provider();
    const hub = await processWith();
    const event = eventFor(p.accountId);
    const send = hub.deps.send;
    let repeated = false;
    hub.deps.send = async (req) => {
      // The queue delivers the message again (its visibility ran out) before this attempt's result is written.
      if (!repeated) {
        repeated = true;
        await handleDeliveryMessage(hub.deps, { kind: "event", event }, { redelivered: true });
      }
      return send(req);
    };
    await hub.deps.events.publish([event]);
    await drain(hub);
    expect(repeated).toBe(true);
    expect(sent.filter((s) => s.url === p.url)).toEqual([{ url: p.url, webhookId: event.id }]);
    const [d] = (await webhookStore().listDeliveries(p.endpointId, { limit: 10 })).items;
    expect(d).toMatchObject({ status: "delivered", attemptCount: 1, attempts: [{ attempt: 1, outcome: "delivered" }] });
  });

  for (const first of ["delivered", "failed"] as const) {
    it(`delivers under the event's id whichever port call a kill comes before (first attempt ${first})`, async () => {
      let after = 0;
      for (;;) {
        const p = await provider();
        if (first === "failed") script.set(p.url, ["failed"]);
        const doom = new Doom(after);
        const dying = await processWith(doom);
        const event = eventFor(p.accountId);
        try {
          await dying.deps.events.publish([event]);
          await drain(dying);
        } catch (err) {
          if (!doom.fired) throw err;
        }
        // A fresh process with an empty queue; the transition's own outbox publishes again.
        clock.advance(1000);
        const next = await processWith();
        await next.deps.events.publish([event]);
        await recoverFanOuts(next.deps, 0);
        await drain(next);
        clock.advance(24 * 3600 * 1000);
        await recoverDeliveries(next.deps);
        await drain(next);

        const pushed = sent.filter((s) => s.url === p.url);
        expect(pushed.length, `killed after ${after} calls`).toBeGreaterThanOrEqual(1);
        expect(new Set(pushed.map((s) => s.webhookId))).toEqual(new Set([event.id]));
        const [d] = (await webhookStore().listDeliveries(p.endpointId, { limit: 10 })).items;
        expect(d?.status, `killed after ${after} calls`).toBe("delivered");
        // Every attempt whose result was written is listed (a kill may come between an attempt and its write), the success last.
        expect(d!.attempts.at(-1)?.outcome).toBe("delivered");
        if (!doom.fired) expect(d!.attempts.map((a) => a.outcome)).toEqual(first === "failed" ? ["failed", "delivered"] : ["delivered"]);
        expect(await webhookStore().eventsAwaitingFanOut("9999", 1000)).not.toContainEqual(expect.objectContaining({ id: event.id }));
        if (!doom.fired) break;
        after++;
      }
      expect(after).toBeGreaterThanOrEqual(first === "failed" ? 6 : 5);
    }, 120_000);
  }
});
