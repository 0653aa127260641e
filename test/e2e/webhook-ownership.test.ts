/**
 * An event reaches only its recipient's own endpoints that take its type, whoever asks for a
 * delivery (the consortium included), and an endpoint's secret is its owner's alone.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

describe("webhook deliveries stay with the event's recipient", () => {
  let t: TestHub;
  let receiverA: Receiver;
  let receiverB: Receiver;
  let a: Party;
  let b: Party;
  let endpointA: { id: string; secret: string };
  let endpointB: { id: string; secret: string };
  let eventOfA: string;

  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000 });
    [receiverA, receiverB] = await Promise.all([startReceiver(), startReceiver()]);
    a = await t.registerProvider("Recipient Co");
    b = await t.registerProvider("Bystander Co");
    const regA = await a.api.post("/v1/webhook-endpoints", { url: receiverA.url, eventTypes: ["hop_request.created"] });
    const regB = await b.api.post("/v1/webhook-endpoints", { url: receiverB.url, eventTypes: ["hop_request.created"] });
    endpointA = { id: regA.body.endpoint.id, secret: regA.body.secret };
    endpointB = { id: regB.body.endpoint.id, secret: regB.body.secret };
    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: a.id });
    const [first] = await receiverA.waitFor((r) => r.length >= 1);
    eventOfA = String(first!.headers["webhook-id"]);
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([receiverA?.close(), receiverB?.close()]);
  });

  const deliveriesOf = async (owner: Party, endpointId: string) =>
    (await owner.api.get(`/v1/webhook-endpoints/${endpointId}/deliveries`)).body.items as Array<{ eventId: string }>;

  it("the consortium redelivering A's event to B's endpoint gets 404 and B receives nothing", async () => {
    const res = await t.consortium.api.post(`/v1/events/${encodeURIComponent(eventOfA)}/redeliver`, { endpointId: endpointB.id });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe("not_found");
    await new Promise((r) => setTimeout(r, 500));
    expect(receiverB.received).toHaveLength(0);
    expect(await deliveriesOf(b, endpointB.id)).toHaveLength(0);
  });

  it("the consortium may still redeliver A's event to A's own endpoint", async () => {
    const before = receiverA.received.length;
    const res = await t.consortium.api.post(`/v1/events/${encodeURIComponent(eventOfA)}/redeliver`, { endpointId: endpointA.id });
    expect(res.status).toBe(202);
    expect(res.body.queued).toBe(1);
    const got = await receiverA.waitFor((r) => r.length > before);
    expect(got[got.length - 1]!.headers["webhook-id"]).toBe(eventOfA);
  });

  it("B naming its own endpoint for A's event gets 404, as for an event that does not exist", async () => {
    const res = await b.api.post(`/v1/events/${encodeURIComponent(eventOfA)}/redeliver`, { endpointId: endpointB.id });
    expect(res.status).toBe(404);
  });

  it("an event is redelivered only to endpoints that take its type, and an endpoint test only to the endpoint tested", async () => {
    const other = await startReceiver();
    try {
      const narrow = await a.api.post("/v1/webhook-endpoints", { url: other.url, eventTypes: ["traceback.completed"] });
      const test = await a.api.post(`/v1/webhook-endpoints/${endpointA.id}/test`, {});
      expect(test.status).toBe(202);
      await receiverA.waitFor((r) => r.some((x) => x.headers["webhook-id"] === test.body.id));

      // A's hop_request.created and A's test of the other endpoint are not for `narrow`.
      expect((await a.api.post(`/v1/events/${encodeURIComponent(eventOfA)}/redeliver`, { endpointId: narrow.body.endpoint.id })).body.queued).toBe(0);
      expect((await a.api.post(`/v1/events/${encodeURIComponent(test.body.id)}/redeliver`, {})).body.queued).toBe(1);
      const since = await a.api.post(`/v1/webhook-endpoints/${narrow.body.endpoint.id}/redeliver`, { since: "2000-01-01T00:00:00Z" });
      expect(since.status).toBe(202);
      expect(since.body.queued).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(other.received).toHaveLength(0);
      expect(await deliveriesOf(a, narrow.body.endpoint.id)).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("the consortium cannot rotate another account's secret (404); the owner's secret keeps working", async () => {
    const res = await t.consortium.api.post(`/v1/webhook-endpoints/${endpointB.id}/rotate-secret`, {});
    expect(res.status).toBe(404);
    expect(res.body).not.toHaveProperty("secret");

    await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: b.id });
    const [delivery] = await receiverB.waitFor((r) => r.length >= 1);
    const headers = delivery!.headers as Record<string, string>;
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(() => new Webhook(endpointB.secret).verify(delivery!.body, headers)).not.toThrow();
  });

  it("the consortium still reads any endpoint and its deliveries", async () => {
    expect((await t.consortium.api.get(`/v1/webhook-endpoints/${endpointA.id}`)).status).toBe(200);
    const listed = await t.consortium.api.get(`/v1/webhook-endpoints/${endpointA.id}/deliveries`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { eventId: string }) => d.eventId)).toContain(eventOfA);
  });
});
