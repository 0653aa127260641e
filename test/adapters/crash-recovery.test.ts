/**
 * A process killed between any two calls to its ports, on dynalite and local-aws-sqs. The ports
 * of a "doomed" process throw from call N on (nothing more reaches the table or the queue), its
 * queue is forgotten as the embedded queue is on a restart, and a fresh process then finishes
 * the work: the start-up recovery, the client's retries, the worker and the reconciler. For every
 * N, and whether the provider answers before or after the reconciler came by, every hop must get
 * exactly one logical `hop_request.created` and the traceback exactly one `traceback.completed`.
 */
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { DynamoEvidenceStore } from "../../functions/adapters/dynamo/evidence-store.js";
import { DynamoTracebackStore } from "../../functions/adapters/dynamo/traceback-store.js";
import { DynamoWebhookStore } from "../../functions/adapters/dynamo/webhook-store.js";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import { createSqsClient } from "../../functions/adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../../functions/adapters/sqs/delivery-queue.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import type { Principal } from "../../functions/domain/account.js";
import type { HopAnswer } from "../../functions/domain/answer.js";
import { ManualClock } from "../../functions/domain/clock.js";
import { NotFoundError } from "../../functions/domain/errors.js";
import { derivedEventId, hopIdOf } from "../../functions/domain/ids.js";
import { startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { deadlinePolicies } from "../../functions/platform/deadlines.js";
import { handleDeliveryMessage, recoverDeliveries } from "../../functions/usecases/deliveries.js";
import { deliveryMessageSchema } from "../../functions/usecases/delivery-messages.js";
import { RecordingEventPublisher, recoverFanOuts } from "../../functions/usecases/event-outbox.js";
import { answerHopRequest, type AnswerContext } from "../../functions/usecases/hops.js";
import type { Logger } from "../../functions/usecases/ports.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import { createTraceback } from "../../functions/usecases/tracebacks.js";
import type { WebhookDeps } from "../../functions/usecases/webhook-ports.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ids = ulidGenerator();
const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 86_400 });
const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CONSORTIUM: Principal = { accountId: "acc_CONSORTIUM", kind: "consortium", keyId: "kid-consortium" };
const LEASE_SECONDS = 60;

/** Counts port calls; from call `after` on, every call throws, as if the process had died. */
class Doom {
  calls = 0;
  fired = false;
  constructor(readonly after: number) {}
  tick(): void {
    if (this.calls++ >= this.after) {
      this.fired = true;
      throw new Error(`process killed after ${this.after} port calls`);
    }
  }
}

function doomed<T extends object>(port: T, doom: Doom): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        doom.tick();
        return value.apply(target, args);
      };
    },
  });
}

interface Sent {
  url: string;
  webhookId: string;
  type: string;
  hopId?: string;
}

describe("a kill between any two port calls loses no notification", () => {
  let emulators: Emulators;
  let db: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let hubKey: WebhookDeps["hubKey"];
  const clock = new ManualClock(new Date("2024-06-03T16:05:00.000Z"));
  const sent: Sent[] = [];
  let queues = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
    const k = await generateSigningKey();
    hubKey = { kid: k.kid, privateKey: k.privateKey };
  });
  afterAll(async () => {
    db?.destroy();
    sqs?.destroy();
    await emulators?.stop();
  });

  const stores = () => ({
    accounts: new DynamoAccountStore(db, emulators.tableName),
    evidence: new DynamoEvidenceStore(db, emulators.tableName),
    tracebacks: new DynamoTracebackStore(db, emulators.tableName),
    webhooks: new DynamoWebhookStore(db, emulators.tableName),
  });

  /** A process: its own (empty) queue, and ports that die with `doom` when one is given. */
  async function processWith(doom?: Doom): Promise<{ deps: WebhookDeps; queueUrl: string }> {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `crash-${queues++}` }))).QueueUrl!;
    const port = <T extends object>(p: T): T => (doom ? doomed(p, doom) : p);
    const s = stores();
    const webhooks = port(s.webhooks);
    const queue = port(new SqsDeliveryQueue(sqs, queueUrl));
    const deps: WebhookDeps = {
      accounts: port(s.accounts),
      evidence: port(s.evidence),
      tracebacks: port(s.tracebacks),
      fetchCertificate: async () => {
        throw new Error("no certificates in this test");
      },
      events: new RecordingEventPublisher(webhooks, queue, clock, log),
      deadlines,
      clock,
      ids,
      log,
      webhooks,
      queue,
      send: async (req) => {
        doom?.tick();
        const payload = JSON.parse(req.body);
        sent.push({ url: req.url, webhookId: req.headers["webhook-id"]!, type: payload.type, hopId: payload.data.hop_id });
        return { outcome: "delivered", status: 204, latencyMs: 1 };
      },
      guard: async () => ({ ok: true }),
      hubKey,
      random: () => 0.5,
      webhookSettings: {
        publicUrl: "https://hub.example",
        pausePolicy: { afterFailures: 30, afterSeconds: 86_400 },
        secretGraceSeconds: 86_400,
        leaseSeconds: LEASE_SECONDS,
        recoveryGraceSeconds: LEASE_SECONDS,
      },
    };
    return { deps, queueUrl };
  }

  /** The delivery worker on the process's queue until it is empty. */
  async function drain(p: { deps: WebhookDeps; queueUrl: string }): Promise<void> {
    for (;;) {
      // Asking first spares the emulator's minimum wait on an empty receive.
      const { Attributes: a } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: p.queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"] }),
      );
      if (a?.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesDelayed === "0") return;
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!out.Messages?.length) return;
      for (const m of out.Messages) {
        await handleDeliveryMessage(p.deps, deliveryMessageSchema.parse(JSON.parse(m.Body!)));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: p.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
  }

  async function provider(name: string): Promise<string> {
    const id = ids.next("acc");
    const s = stores();
    await s.accounts.createAccount({ id, kind: "provider", name, spcCodes: [], createdAt: clock.now().toISOString(), createdBy: CONSORTIUM.accountId });
    await s.webhooks.putEndpoint({
      id: ids.next("ep"),
      accountId: id,
      url: `https://hooks.example/${id}`,
      eventTypes: ["hop_request.created", "traceback.completed"],
      status: "active",
      secrets: [{ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: clock.now().toISOString() }],
      createdAt: clock.now().toISOString(),
      consecutiveFailures: 0,
    });
    return id;
  }

  /** A provider's answer as the route hands it over; a retry sends the same request again. */
  function answerOf(providerId: string, hopId: string, answer: HopAnswer): (deps: WebhookDeps) => Promise<"accepted" | "not_yet"> {
    const p: Principal = { accountId: providerId, kind: "provider", keyId: `kid-${providerId}` };
    const ctx: AnswerContext = {
      request: { method: "POST", targetUri: `https://hub.example/v1/hop-requests/${hopId}/answer`, headers: { "idempotency-key": `answer-${hopId}` }, body: JSON.stringify(answer) },
      key: { keyId: p.keyId, publicJwk: { kty: "OKP", crv: "Ed25519", x: "unused" }, accountId: providerId },
      seal: async (status) => `receipt-${status}`,
    };
    return async (deps) => {
      try {
        await answerHopRequest(deps, p, hopId, answer, ctx);
        return "accepted";
      } catch (err) {
        // The hop is not there yet: the follow-up that writes it has not been finished.
        if (err instanceof NotFoundError) return "not_yet";
        throw err;
      }
    };
  }

  /**
   * One life and death: a traceback started, hop 1 answered naming P2, hop 2 answered with the
   * originator, the worker running in between; the process dies after `after` port calls.
   * Returns whether it died before the end.
   */
  async function killedAfter(after: number, order: "reconciler first" | "answers first"): Promise<boolean> {
    const [p1, p2] = [await provider("Terminating Co"), await provider("Upstream Co")];
    const doom = new Doom(after);
    const doomedProcess = await processWith(doom);
    const start = (deps: WebhookDeps) =>
      createTraceback(deps, CONSORTIUM, { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T12:00:00-04:00", terminatingProviderId: p1 }, "fixed");
    let tracebackId: string | undefined;
    const answers = (id: string) => [
      answerOf(p1, hopIdOf(id, 1), { type: "upstream_identified", upstream: { providerId: p2 }, evidence: { ingressTrunk: "T1" } }),
      answerOf(p2, hopIdOf(id, 2), { type: "originator_identified", customer: { name: "Dialer LLC" }, actionTaken: "suspended", evidence: { ingressTrunk: "T9" } }),
    ];
    try {
      tracebackId = (await start(doomedProcess.deps)).traceback.id;
      await drain(doomedProcess);
      for (const answer of answers(tracebackId)) {
        expect(await answer(doomedProcess.deps)).toBe("accepted");
        await drain(doomedProcess);
      }
    } catch (err) {
      if (!doom.fired) throw err;
    }

    // The next process, a moment later: its queue starts empty, whatever the last one held.
    clock.advance(1000);
    const next = await processWith();
    const { deps } = next;
    const reconcile = async () => {
      await recoverFanOuts(deps, 0);
      await reconcileOutbox(deps, 0);
    };
    if (order === "reconciler first") await reconcile();
    // The client did not get its 201: it starts the traceback again.
    tracebackId ??= (await start(deps)).traceback.id;
    for (const answer of answers(tracebackId)) {
      // A provider that polls answers what it sees open; an answer already taken replays.
      if ((await answer(deps)) === "not_yet") {
        await reconcile();
        expect(await answer(deps)).toBe("accepted");
      }
      await drain(next);
    }
    await reconcile();
    await drain(next);
    // Claims the dead process held come back once their lease has run out.
    clock.advance(2 * LEASE_SECONDS * 1000 + 1000);
    await recoverDeliveries(deps);
    await drain(next);

    await expectNotifiedOnce(tracebackId, [p1, p2]);
    return doom.fired;
  }

  async function expectNotifiedOnce(tracebackId: string, providers: string[]): Promise<void> {
    const s = stores();
    const chain = (await s.tracebacks.getChain(tracebackId))!;
    expect(chain.hops.map((h) => [h.value.seq, h.value.providerId, h.value.status])).toEqual([
      [1, providers[0], "answered"],
      [2, providers[1], "answered"],
    ]);
    expect(chain.traceback.value).toMatchObject({ status: "completed", hopCount: 2, result: { outcome: "originator_found" } });
    expect([chain.traceback.outbox, ...chain.hops.map((h) => h.outbox)].filter(Boolean)).toEqual([]);
    for (const [i, hop] of chain.hops.entries()) {
      const feed = await s.webhooks.listEvents(providers[i]!, { limit: 100 });
      expect(feed.items.filter((e) => e.type === "hop_request.created").map((e) => e.id)).toEqual([derivedEventId(hop.value.id, "created")]);
      const pushed = sent.filter((x) => x.url.endsWith(providers[i]!) && x.type === "hop_request.created");
      expect(pushed.length).toBeGreaterThanOrEqual(1);
      expect(new Set(pushed.map((x) => x.webhookId))).toEqual(new Set([derivedEventId(hop.value.id, "created")]));
    }
    const completed = await s.webhooks.listEvents(CONSORTIUM.accountId, { limit: 1000 });
    expect(completed.items.filter((e) => e.data.tracebackId === tracebackId).map((e) => e.id)).toEqual([derivedEventId(tracebackId, "completed")]);
    const pending = await s.webhooks.eventsAwaitingFanOut("9999", 1000);
    expect(pending.filter((e) => e.data.tracebackId === tracebackId)).toEqual([]);
  }

  for (const order of ["reconciler first", "answers first"] as const) {
    it(`whichever call the kill comes before (${order})`, async () => {
      let after = 0;
      while (await killedAfter(after, order).catch((err) => Promise.reject(new Error(`killed after ${after} calls: ${err}`, { cause: err })))) after++;
      // The whole run takes this many calls; every one of them was a place to die.
      expect(after).toBeGreaterThan(30);
    }, 120_000);
  }
});
