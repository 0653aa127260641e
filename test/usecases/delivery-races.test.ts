/**
 * Webhook delivery under duplicates and crashes, on the in-memory ports: a queue message handled
 * twice at once, and a worker dying between a send and its record. A first attempt is written once,
 * with its result, after it is sent; a retry is claimed before it is sent. Whatever a crash cuts
 * short is sent again under the same webhook-id, and recorded once.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../support/manual-clock.js";
import { recoverFanOuts } from "../../functions/usecases/event-outbox.js";
import { handleDeliveryMessage, recoverDeliveries } from "../../functions/usecases/deliveries.js";
import type { QueuedMessage } from "../fakes/delivery.js";
import { CALL, startFakeHub, type FakeHub, type Party } from "../fakes/hub.js";

let h: FakeHub;
let term: Party;
let endpointId: string;
let eventMessage: QueuedMessage;

beforeEach(async () => {
  h = await startFakeHub();
  term = await h.registerProvider("Delivery Terminating");
  const ag = await h.registerInitiator("Delivery AG");
  const ep = await term.api.post("/v1/webhook-endpoints", { url: "https://hooks.terminating.example/hoptrace", eventTypes: ["hop_request.created"] });
  expect(ep.status).toBe(201);
  endpointId = ep.body.endpoint.id;
  h.deps.queue.take();
  expect((await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: term.id })).status).toBe(201);
  const queued = h.deps.queue.take();
  expect(queued).toHaveLength(1);
  eventMessage = queued[0]!;
});

const clock = () => h.deps.clock as ManualClock;
const sent = () => h.deps.send.sent;
const delivery = async () => (await h.deps.webhooks.getDelivery(eventId(), endpointId))!;
const eventId = () => (eventMessage.message.kind === "event" ? eventMessage.message.event.id : "");
const handleAll = (items: QueuedMessage[]) => Promise.all(items.map((q) => handleDeliveryMessage(h.deps, q.message)));

describe("a queue message handled twice", () => {
  it("an event message and the queue's redelivered copy at once make one delivery and one request", async () => {
    await Promise.all([handleDeliveryMessage(h.deps, eventMessage.message), handleDeliveryMessage(h.deps, eventMessage.message, { redelivered: true })]);
    // The copy handed the delivery over, due once the first attempt would have ended: it finds it made.
    clock().advance(61_000);
    await handleAll(h.deps.queue.take());
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.headers["webhook-id"]).toBe(eventId());
    expect(await delivery()).toMatchObject({ status: "delivered", attemptCount: 1 });
    expect((await delivery()).attempts).toHaveLength(1);
    expect(await h.deps.webhooks.eventsAwaitingFanOut("~", 10)).toEqual([]);
  });

  it("a retry message twice at once sends the second attempt once", async () => {
    h.deps.send.respond = () => ({ outcome: "failed", status: 503, latencyMs: 1 });
    await handleAll([eventMessage]);
    expect(await delivery()).toMatchObject({ status: "retrying", attemptCount: 1 });
    const retry = h.deps.queue.take();
    expect(retry.map((q) => q.message)).toEqual([expect.objectContaining({ kind: "attempt", attempt: 2 })]);

    h.deps.send.respond = () => ({ outcome: "delivered", status: 200, latencyMs: 1 });
    clock().set(new Date((await delivery()).nextAttemptAt!));
    await handleAll([retry[0]!, retry[0]!]);
    expect(sent()).toHaveLength(2);
    expect(new Set(sent().map((r) => r.headers["webhook-id"]))).toEqual(new Set([eventId()]));
    expect(await delivery()).toMatchObject({ status: "delivered", attemptCount: 2 });
  });
});

describe("a worker dying", () => {
  it("after sending the first attempt, before writing its delivery: the recovered fan-out sends it again under the same webhook-id, and it is written once", async () => {
    const create = h.deps.webhooks.createDelivery.bind(h.deps.webhooks);
    let crashed = false;
    h.deps.webhooks.createDelivery = async (d) => {
      if (crashed) return create(d);
      crashed = true;
      throw new Error("crashed before writing the delivery");
    };
    await expect(handleAll([eventMessage])).rejects.toThrow("crashed");
    expect(sent()).toHaveLength(1);
    expect(await h.deps.webhooks.getDelivery(eventId(), endpointId)).toBeUndefined();

    // The event is still marked: after the grace it is handed over again and sent under its own id.
    clock().advance(61_000);
    expect(await recoverFanOuts(h.deps, 60)).toBe(1);
    for (let round = 0; round < 3; round++) await handleAll(h.deps.queue.take());
    expect(sent().map((r) => r.headers["webhook-id"])).toEqual([eventId(), eventId()]);
    expect(await delivery()).toMatchObject({ status: "delivered" });
    expect(await h.deps.webhooks.eventsAwaitingFanOut("~", 10)).toEqual([]);
    expect(await recoverFanOuts(h.deps, 60)).toBe(0);
  });

  it("after sending a retry, before recording its result: the attempt goes again under the same webhook-id, and is then recorded once", async () => {
    h.deps.send.respond = () => ({ outcome: "failed", status: 503, latencyMs: 1 });
    await handleAll([eventMessage]);
    const retry = h.deps.queue.take();
    h.deps.send.respond = () => ({ outcome: "delivered", status: 200, latencyMs: 1 });
    clock().set(new Date((await delivery()).nextAttemptAt!));

    const replace = h.deps.webhooks.replaceDelivery.bind(h.deps.webhooks);
    let crashed = false;
    h.deps.webhooks.replaceDelivery = async (d, expected) => {
      if (crashed || d.status !== "delivered") return replace(d, expected);
      crashed = true;
      throw new Error("crashed before recording the result");
    };
    await expect(handleAll(retry)).rejects.toThrow("crashed");
    expect(sent()).toHaveLength(2);
    expect(await delivery()).toMatchObject({ status: "sending", attemptCount: 2 });

    clock().advance(121_000);
    expect(await recoverDeliveries(h.deps)).toBe(1);
    await handleAll(h.deps.queue.take());
    expect(sent().map((r) => r.headers["webhook-id"])).toEqual([eventId(), eventId(), eventId()]);
    expect(await delivery()).toMatchObject({ status: "delivered", attemptCount: 2 });
    expect((await delivery()).attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "failed"],
      [2, "delivered"],
    ]);
  });
});
