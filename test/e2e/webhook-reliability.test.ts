/**
 * The delivery pipeline under failure, on the embedded stack, with real webhook receivers on the
 * loopback. The hub's clock moves when the test moves it: each retry is made once the test has
 * taken the clock to its time, so a day of retries takes seconds, and a busy machine makes them
 * later but never early or out of turn. Timeouts are real time.
 */
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HubEvent } from "../../functions/domain/events.js";
import { recoverDeliveries } from "../../functions/usecases/deliveries.js";
import { recoverFanOuts } from "../../functions/usecases/event-outbox.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import { CALL, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { eventually, StepClock } from "../support/step-clock.js";

// Real HTTP and the queue: on a shared machine a test takes longer, and waits.
vi.setConfig({ testTimeout: 90_000 });

const clock = new StepClock(new Date("2026-06-01T09:00:00Z"));
// Long enough that a loaded machine still creates and delivers a second traceback within one hanging attempt.
const WEBHOOK_TIMEOUT_MS = 4000;
const POISON = "{not json";

describe("webhook delivery under failure", () => {
  let t: TestHub;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    t = await startTestHub({
      clock,
      background: true,
      queueVisibilityTimeoutSeconds: 1,
      env: {
        WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
        ENDPOINT_PAUSE_AFTER_FAILURES: "3",
        ENDPOINT_PAUSE_AFTER_SECONDS: "30",
        // The test moves the clock by minutes at a time: no attempt under way is taken over meanwhile.
        DELIVERY_LEASE_SECONDS: "3600",
        DELIVERY_RECOVERY_GRACE_SECONDS: "5",
      },
    });
    // A poison message makes its way to the dead-letter queue in one visibility timeout per
    // receive: it is sent now, and the last test looks for it there.
    await t.hub.runtime.sqs.send(new SendMessageCommand({ QueueUrl: t.hub.emulators.deliveryQueueUrl, MessageBody: POISON }));
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function providerWithEndpoint(name: string, r: Receiver, eventTypes = ["hop_request.created"]): Promise<Party & { endpointId: string }> {
    const p = await t.registerProvider(name);
    const ep = await p.api.post("/v1/webhook-endpoints", { url: r.url, eventTypes });
    expect(ep.status).toBe(201);
    return { ...p, endpointId: ep.body.endpoint.id };
  }

  type Listed = { status: string; eventType: string; nextAttemptAt?: string; attempts: Array<{ outcome: string; error?: string; at: string }> };
  const deliveriesOf = async (p: Party & { endpointId: string }): Promise<Listed[]> =>
    (await p.api.get(`/v1/webhook-endpoints/${p.endpointId}/deliveries`)).body.items;

  /**
   * Moves the clock to the earliest next attempt of the endpoint's deliveries that wait for one,
   * while `done` says the test is not there yet; the attempts come back at the time set.
   */
  async function retryUntil(p: Party & { endpointId: string }, done: (items: Listed[]) => boolean | Promise<boolean>, what: string): Promise<Listed[]> {
    return eventually(async () => {
      const items = await deliveriesOf(p);
      if (await done(items)) return items;
      const next = items.flatMap((d) => (d.status === "retrying" && d.nextAttemptAt ? [Date.parse(d.nextAttemptAt)] : [])).sort((a, b) => a - b)[0];
      if (next !== undefined) clock.advanceTo(new Date(next));
      return undefined;
    }, what);
  }

  it("retries through 500s, a timeout and a 429 with Retry-After, then delivers once logically", async () => {
    const r = await receiver();
    r.script = [{ status: 500 }, "hang", { status: 429, headers: { "retry-after": "120" } }, { status: 503 }];
    const p = await providerWithEndpoint("Flaky Co", r);
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
    expect(tb.status).toBe(201);

    const [d] = await retryUntil(p, (items) => items[0]?.status === "delivered", "delivered after its retries");
    const ids = new Set(r.received.map((x) => x.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    expect(d!.status).toBe("delivered");
    expect(d!.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "throttled", "throttled", "delivered"]);
    expect(d!.attempts[1]!.error).toBe("timeout");
    // The 429 asked for 120 s: the next attempt waited at least that long on the hub's clock.
    expect(Date.parse(d!.attempts[3]!.at) - Date.parse(d!.attempts[2]!.at)).toBeGreaterThanOrEqual(120_000);
    // Nothing more comes, however much later: the reconciler finds nothing to send again.
    clock.advance(24 * 3600 * 1000);
    expect(await recoverDeliveries(t.hub.runtime.deps)).toBe(0);
    expect(await recoverFanOuts(t.hub.runtime.deps, t.hub.config.DELIVERY_RECOVERY_GRACE_SECONDS)).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(5);
  });

  it("does not let a dead endpoint delay a healthy one", async () => {
    const dead = await receiver();
    // It answers only when the test lets it (or the hub gives up, after WEBHOOK_TIMEOUT_MS).
    dead.fallback = "hold";
    const healthy = await receiver();
    const slow = await providerWithEndpoint("Dead Co", dead);
    const fast = await providerWithEndpoint("Healthy Co", healthy);
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: slow.id });
    await dead.waitFor((got) => got.length >= 1);
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: fast.id });
    await healthy.waitFor((got) => got.length >= 1);
    // The healthy endpoint was served while the dead one's first attempt was still waiting.
    expect(healthy.received[0]!.at).toBeLessThan(dead.received[0]!.endedAt ?? Number.POSITIVE_INFINITY);
    // Meanwhile the queue redelivered the event's message (after 1 s here): that copy handed the
    // delivery to the slow lane, due once the attempt under way could have ended, and sent nothing.
    await waitUntil(async () => (await deliveriesOf(slow))[0]?.status === "retrying");
    expect(dead.received).toHaveLength(1);
    // That attempt's delivery is written, with its result, when it ends.
    dead.fallback = { status: 204 };
    dead.release({ status: 500 });
    await waitUntil(async () => ((await deliveriesOf(slow))[0]?.attempts.length ?? 0) > 0);
    const [first] = await deliveriesOf(slow);
    expect(first!.attempts[0]).toMatchObject({ attempt: 1, outcome: "failed" });
    expect(first!.status).toBe("retrying");
    expect(dead.received).toHaveLength(1);
  });

  it("sends every attempt at an endpoint whose last attempt failed through the slow lane, which its own poller drains", async () => {
    const queue = t.hub.runtime.deps.queue;
    const real = queue.send.bind(queue);
    const sent: Array<{ kind: string; endpointId?: string; attempt?: number; lane: string }> = [];
    queue.send = async (items) => {
      for (const i of items) sent.push({ ...(i.message as { kind: string; endpointId?: string; attempt?: number }), lane: i.lane ?? "normal" });
      return real(items);
    };
    try {
      const r = await receiver();
      r.fallback = { status: 500 };
      const p = await providerWithEndpoint("Lagging Co", r);
      await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
      // The first attempt went out inline and failed: the endpoint is failing from here on.
      await waitUntil(async () => (await p.api.get(`/v1/webhook-endpoints/${p.endpointId}`)).body.consecutiveFailures > 0);
      await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
      await waitUntil(async () => sent.some((m) => m.kind === "attempt" && m.endpointId === p.endpointId && m.attempt === 1));
      r.fallback = { status: 204 };
      await retryUntil(p, (items) => items.length === 2 && items.every((d) => d.status === "delivered"), "both delivered");
      const attempts = sent.filter((m) => m.kind === "attempt" && m.endpointId === p.endpointId);
      // The first event's first attempt went out inline; the second's was queued (the reconciler
      // may repeat such a message: attempts are claimed), and so were all retries, in the slow lane.
      const firstAttempts = attempts.filter((m) => m.attempt === 1) as unknown as Array<{ eventId: string }>;
      expect(firstAttempts.length).toBeGreaterThan(0);
      expect(new Set(firstAttempts.map((m) => m.eventId)).size).toBe(1);
      expect(attempts.some((m) => (m.attempt ?? 0) > 1)).toBe(true);
      expect(attempts.filter((m) => m.lane !== "slow")).toEqual([]);
    } finally {
      queue.send = real;
    }
  });

  it("disables an endpoint that answers 410 and pauses one that keeps failing, telling its owner", async () => {
    const gone = await receiver();
    gone.fallback = { status: 410 };
    const p410 = await providerWithEndpoint("Gone Co", gone);
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p410.id });
    await gone.waitFor((got) => got.length >= 1);
    await waitUntil(async () => (await p410.api.get(`/v1/webhook-endpoints/${p410.endpointId}`)).body.status === "disabled");

    const failing = await receiver();
    failing.fallback = { status: 500 };
    const pf = await providerWithEndpoint("Failing Co", failing);
    for (let i = 0; i < 2; i++) await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: pf.id });
    // Paused once it has failed three times over more than 30 s: its retries take it there.
    await retryUntil(pf, async () => (await pf.api.get(`/v1/webhook-endpoints/${pf.endpointId}`)).body.status === "paused", "paused");
    await waitUntil(async () => {
      const feed = await t.consortium.api.get(`/v1/events?recipientId=${pf.id}`);
      return feed.body.items.some((e: { type: string }) => e.type === "endpoint.paused");
    });
    // Re-enabled and asked to catch up, it gets what it missed.
    failing.fallback = { status: 200 };
    expect((await pf.api.post(`/v1/webhook-endpoints/${pf.endpointId}/enable`, {})).status).toBe(200);
    const re = await pf.api.post(`/v1/webhook-endpoints/${pf.endpointId}/redeliver`, { since: "2000-01-01T00:00:00Z" });
    expect(re.status).toBe(202);
    await eventually(
      async () => (await deliveriesOf(pf)).filter((d) => d.eventType === "hop_request.created" && d.status === "delivered").length === 2,
      "both caught up",
    );
  });

  it("recovers a notification lost between the state write and the enqueue", async () => {
    const r = await receiver();
    const p = await providerWithEndpoint("Outbox Co", r);
    const deps = t.hub.runtime.deps;
    const real = deps.events;
    let dropped = 0;
    deps.events = {
      publish: async (events: HubEvent[]) => {
        if (events.some((e) => e.recipientId === p.id) && dropped === 0) {
          dropped++;
          throw new Error("injected crash before the enqueue");
        }
        return real.publish(events);
      },
    };
    try {
      const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
      expect(tb.status).toBe(201);
      expect(dropped).toBe(1);
      // The reconciler takes the follow-up for lost once its grace has passed.
      expect(r.received).toEqual([]);
      clock.advance((t.hub.config.OUTBOX_GRACE_SECONDS + 1) * 1000);
      await reconcileOutbox(deps, t.hub.config.OUTBOX_GRACE_SECONDS);
      const [got] = await r.waitFor((x) => x.length >= 1, 30_000);
      expect(JSON.parse(got!.body).data.hopId).toBe(tb.body.hops[0].id);
    } finally {
      deps.events = real;
    }
  });

  it("finishes a delivery whose worker died after claiming it", async () => {
    const r = await receiver();
    const p = await providerWithEndpoint("Crash Co", r);
    const deps = t.hub.runtime.deps;
    const realSend = deps.send;
    let crashed = false;
    deps.send = async (req) => {
      if (!crashed && req.url === r.url) {
        crashed = true;
        throw new Error("worker killed mid-attempt");
      }
      return realSend(req);
    };
    try {
      await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
      // The queue redelivers the event's message; its fan-out hands the delivery to the slow lane,
      // due once the first attempt could have ended.
      const [d] = await retryUntil(p, (items) => items[0]?.status === "delivered", "delivered by the slow lane");
      expect(crashed).toBe(true);
      expect(r.received).toHaveLength(1);
      expect(d!.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
      expect(await recoverDeliveries(deps)).toBe(0);
      // Nothing of it is left for the reconciler: no follow-up, no fan-out. (A provider's
      // registration stays marked for the reconciler's grace on purpose, a hop written just before
      // it may be found only then: those marks are not looked at here.)
      const now = deps.clock.now().toISOString();
      expect(await deps.tracebacks.pendingOutbox(now, 100)).toEqual([]);
      expect(await deps.webhooks.eventsAwaitingFanOut(now, 100)).toEqual([]);
    } finally {
      deps.send = realSend;
    }
  });

  it("moves a poison message to the dead-letter queue", async () => {
    const { sqs } = t.hub.runtime;
    const found = await eventually(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: t.hub.emulators.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      return out.Messages?.find((m) => m.Body === POISON)?.Body;
    }, "the poison message in the dead-letter queue");
    expect(found).toBe(POISON);
  });
});

function waitUntil(check: () => Promise<boolean>): Promise<boolean> {
  return eventually(check, "condition");
}
