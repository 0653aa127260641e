/**
 * The delivery pipeline under failure, on the embedded stack with an accelerated clock (1 s of
 * real time is 1000 s of hub time), so a day of retries takes seconds.
 */
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceleratedClock } from "../../functions/domain/clock.js";
import type { HubEvent } from "../../functions/domain/events.js";
import { recoverDeliveries } from "../../functions/usecases/deliveries.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import { CALL, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

const clock = acceleratedClock(1000);
// Long enough that a loaded machine still creates and delivers a second traceback within one hanging attempt.
const WEBHOOK_TIMEOUT_MS = 4000;

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
      sweepIntervalMs: 50,
      queueVisibilityTimeoutSeconds: 1,
      env: {
        WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
        ENDPOINT_PAUSE_AFTER_FAILURES: "3",
        ENDPOINT_PAUSE_AFTER_SECONDS: "30",
        DELIVERY_LEASE_SECONDS: "3600",
        DELIVERY_RECOVERY_GRACE_SECONDS: "5",
      },
    });
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

  it("retries through 500s, a timeout and a 429 with Retry-After, then delivers once logically", async () => {
    const r = await receiver();
    r.script = [{ status: 500 }, "hang", { status: 429, headers: { "retry-after": "120" } }, { status: 503 }];
    const p = await providerWithEndpoint("Flaky Co", r);
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
    expect(tb.status).toBe(201);

    await r.waitFor((got) => got.length >= 5, 20_000);
    const ids = new Set(r.received.map((x) => x.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    const deliveries = await p.api.get(`/v1/webhook-endpoints/${p.endpointId}/deliveries`);
    const d = deliveries.body.items[0];
    expect(d.status).toBe("delivered");
    expect(d.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["failed", "failed", "throttled", "throttled", "delivered"]);
    expect(d.attempts[1].error).toBe("timeout");
    // The 429 asked for 120 s: the next attempt waited at least that long on the hub's clock.
    expect(Date.parse(d.attempts[3].at) - Date.parse(d.attempts[2].at)).toBeGreaterThanOrEqual(120_000);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(5);
  });

  it("does not let a dead endpoint delay a healthy one", async () => {
    const dead = await receiver();
    dead.fallback = "hang";
    const healthy = await receiver();
    const slow = await providerWithEndpoint("Dead Co", dead);
    const fast = await providerWithEndpoint("Healthy Co", healthy);
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: slow.id });
    await dead.waitFor((got) => got.length >= 1);
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: fast.id });
    await healthy.waitFor((got) => got.length >= 1);
    // The healthy endpoint was served while the dead one's first attempt was still hanging.
    const hangingUntil = dead.received[0]!.at + WEBHOOK_TIMEOUT_MS;
    expect(healthy.received[0]!.at).toBeLessThan(hangingUntil);
    // That attempt's delivery is written, with its result, when it ends; no copy of the event's
    // message (the queue redelivers it after 1 s here, the reconciler looks for lost fan-outs
    // every 50 ms) sent it again meanwhile.
    await waitUntil(async () => (await slow.api.get(`/v1/webhook-endpoints/${slow.endpointId}/deliveries`)).body.items[0]?.attempts.length > 0);
    const [first] = (await slow.api.get(`/v1/webhook-endpoints/${slow.endpointId}/deliveries`)).body.items;
    expect(first.attempts[0]).toMatchObject({ attempt: 1, outcome: "failed", error: "timeout" });
    expect(dead.received.filter((x) => x.at < hangingUntil)).toHaveLength(1);
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
      await waitUntil(async () => {
        const list = await p.api.get(`/v1/webhook-endpoints/${p.endpointId}/deliveries`);
        return list.body.items.length === 2 && list.body.items.every((d: { status: string }) => d.status === "delivered");
      }, 20_000);
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
    await waitUntil(async () => (await pf.api.get(`/v1/webhook-endpoints/${pf.endpointId}`)).body.status === "paused", 20_000);
    await waitUntil(async () => {
      const feed = await t.consortium.api.get(`/v1/events?recipientId=${pf.id}`);
      return feed.body.items.some((e: { type: string }) => e.type === "endpoint.paused");
    });
    // Re-enabled and asked to catch up, it gets what it missed.
    failing.fallback = { status: 200 };
    expect((await pf.api.post(`/v1/webhook-endpoints/${pf.endpointId}/enable`, {})).status).toBe(200);
    const re = await pf.api.post(`/v1/webhook-endpoints/${pf.endpointId}/redeliver`, { since: "2000-01-01T00:00:00Z" });
    expect(re.status).toBe(202);
    await waitUntil(async () => {
      const list = await pf.api.get(`/v1/webhook-endpoints/${pf.endpointId}/deliveries`);
      return (
        list.body.items.filter((d: { status: string; eventType: string }) => d.eventType === "hop_request.created" && d.status === "delivered").length === 2
      );
    }, 20_000);
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
      const [got] = await r.waitFor((x) => x.length >= 1, 10_000);
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
      await r.waitFor((x) => x.length >= 1, 15_000);
      expect(crashed).toBe(true);
      const list = await p.api.get(`/v1/webhook-endpoints/${p.endpointId}/deliveries`);
      expect(list.body.items[0].status).toBe("delivered");
      expect(await recoverDeliveries(deps)).toBe(0);
      expect((await reconcileOutbox(deps, 0)).found).toBe(0);
    } finally {
      deps.send = realSend;
    }
  });

  it("moves a poison message to the dead-letter queue", async () => {
    const { sqs } = t.hub.runtime;
    await sqs.send(new SendMessageCommand({ QueueUrl: t.hub.emulators.deliveryQueueUrl, MessageBody: "{not json" }));
    let found: string | undefined;
    await waitUntil(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: t.hub.emulators.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      found = out.Messages?.find((m) => m.Body === "{not json")?.Body;
      return found !== undefined;
    }, 30_000);
    expect(found).toBe("{not json");
  }, 40_000);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
