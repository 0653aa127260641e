/** Webhooks that carry the hop request, for endpoints that ask for it: over real HTTP, verified as a receiver would. */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Received, type Receiver } from "../support/receiver.js";

interface Payload {
  id: string;
  version: number;
  type: string;
  recipientId: string;
  data: { hopId: string; path: string; hopRequest?: Record<string, unknown> };
}

const verified = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  }) as Payload;

describe("webhooks carrying the hop request", () => {
  let t: TestHub;
  let carrying: Receiver;
  let thin: Receiver;
  let others: Receiver;
  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000 });
    [carrying, thin, others] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([carrying, thin, others].map((r) => r?.close()));
  });

  const endpoint = async (party: Party, receiver: Receiver, includeHopRequest?: boolean) => {
    const reg = await party.api.post("/v1/webhook-endpoints", {
      url: receiver.url,
      eventTypes: ["hop_request.created"],
      ...(includeHopRequest !== undefined && { includeHopRequest }),
    });
    expect(reg.status).toBe(201);
    return reg.body as { endpoint: { id: string; includeHopRequest?: boolean }; secret: string };
  };

  it("delivers the hop request exactly as GET returns it to its provider, signed; without the option the body is the thin event", async () => {
    const terminating = await t.registerProvider("Carrying Terminating");
    const upstream = await t.registerProvider("Carrying Upstream");
    const withOption = await endpoint(upstream, carrying, true);
    const without = await endpoint(upstream, thin);
    expect(withOption.endpoint.includeHopRequest).toBe(true);
    expect(without.endpoint).not.toHaveProperty("includeHopRequest");
    // The terminating provider asks for hop requests too: the upstream's never reaches it.
    const terminatingEndpoint = await endpoint(terminating, others, true);

    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const hop1 = tb.body.hops[0];
    const [first] = await others.waitFor((r) => r.length >= 1, 5000);
    const toTerminating = verified(terminatingEndpoint.secret, first!);
    expect(toTerminating.data.hopRequest).toEqual((await terminating.api.get(toTerminating.data.path)).body);

    await terminating.api.post(`/v1/hop-requests/${hop1.id}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: upstream.id },
      evidence: EVIDENCE,
    });
    const [rich] = await carrying.waitFor((r) => r.length >= 1, 5000);
    const [plain] = await thin.waitFor((r) => r.length >= 1, 5000);

    const payload = verified(withOption.secret, rich!);
    expect(payload).toMatchObject({ version: 2, type: "hop_request.created", recipientId: upstream.id });
    const got = await upstream.api.get(payload.data.path);
    expect(got.status).toBe(200);
    expect(payload.data.hopRequest).toEqual(got.body);
    expect(payload.data.hopRequest).toMatchObject({ id: payload.data.hopId, status: "open", namedBy: { accountId: terminating.id } });
    // The provider's view only: nobody else on the chain.
    expect(payload.data.hopRequest).not.toHaveProperty("providerId");
    expect(rich!.body).not.toContain(terminatingEndpoint.endpoint.id);

    // Without the option: the event exactly as the feed lists it, which never carries the hop request.
    const thinPayload = verified(without.secret, plain!);
    const feed = await upstream.api.get("/v1/events");
    const listed = feed.body.items.find((e: { id: string }) => e.id === thinPayload.id);
    expect(thinPayload).toEqual(listed);
    expect(thinPayload.data).not.toHaveProperty("hopRequest");
    const { hopRequest: _carried, ...thinData } = payload.data;
    expect({ ...payload, data: thinData }).toEqual(listed);
    expect(others.received).toHaveLength(1);
  });

  it("refuses an option that is not a boolean", async () => {
    const p = await t.registerProvider("Option Typo Co");
    const res = await p.api.post("/v1/webhook-endpoints", { url: thin.url, eventTypes: ["hop_request.created"], includeHopRequest: "yes" });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(JSON.stringify(res.body.errors)).toContain("/includeHopRequest");
  });
});
