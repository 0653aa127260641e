import { createPublicKey } from "node:crypto";
import { httpbis } from "http-message-signatures";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyContentDigest } from "../../openapi/client/content-digest.js";
import { CALL, EVIDENCE, startTestHub, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

describe("webhooks to the next upstream", () => {
  let t: TestHub;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  it("delivers hop_request.created, verifiable by Standard Webhooks and by an independent RFC 9421 verifier", async () => {
    const terminating = await t.registerProvider("Terminating Co");
    const upstream = await t.registerProvider("Upstream Co");
    const reg = await upstream.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] });
    expect(reg.status).toBe(201);
    expect(reg.body.secret).toMatch(/^whsec_/);
    expect(reg.body.endpoint).not.toHaveProperty("secrets");

    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const hop1 = tb.body.hops[0];
    await terminating.api.post(`/v1/hop-requests/${hop1.id}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: upstream.id },
      evidence: EVIDENCE,
    });

    const [delivery] = await receiver.waitFor((r) => r.length >= 1, 5000);
    const payload = new Webhook(reg.body.secret).verify(delivery!.body, {
      "webhook-id": String(delivery!.headers["webhook-id"]),
      "webhook-timestamp": String(delivery!.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery!.headers["webhook-signature"]),
    }) as { version: number; type: string; recipientId: string; data: { hopId: string; path: string; dueAt: string } };
    expect(payload.version).toBe(2);
    expect(payload.type).toBe("hop_request.created");
    expect(payload.recipientId).toBe(upstream.id);
    expect(payload.data.path).toBe(`/v1/hop-requests/${payload.data.hopId}`);
    expect(delivery!.body).not.toContain("3055550123");
    expect(verifyContentDigest(String(delivery!.headers["content-digest"]), delivery!.body)).toBe(true);

    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async (params: { keyid?: string }) => {
          const jwk = jwks.keys.find((k) => k.kid === params.keyid);
          if (!jwk) return null;
          const key = createPublicKey({ key: jwk as never, format: "jwk" });
          return { id: jwk.kid, algs: ["ed25519"], verify: async (data: Buffer, sig: Buffer) => (await import("node:crypto")).verify(null, data, key, sig) };
        },
      },
      { method: "POST", url: receiver.url, headers: delivery!.headers as Record<string, string> },
    );
    expect(verified).toBe(true);

    const fetched = await upstream.api.get(payload.data.path);
    expect(fetched.status).toBe(200);
    expect(fetched.body.namedBy.accountId).toBe(terminating.id);
  });

  it("lists the event in the feed and the attempt on the endpoint", async () => {
    const p = await t.registerProvider("Feed Co");
    const ep = await p.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] });
    const before = receiver.received.length;
    const test = await p.api.post(`/v1/webhook-endpoints/${ep.body.endpoint.id}/test`, {});
    expect(test.status).toBe(202);
    const [delivered] = (await receiver.waitFor((r) => r.length > before)).slice(before);
    const feed = await p.api.get("/v1/events");
    expect(feed.body.items.map((e: { type: string }) => e.type)).toContain("endpoint.test");
    // One shape: the delivery's body, the feed's item and the test's answer are the same event.
    const listed = feed.body.items.find((e: { id: string }) => e.id === test.body.id);
    expect(JSON.parse(delivered!.body)).toEqual(listed);
    expect(test.body).toEqual(listed);
    expect(listed).toEqual({
      id: test.body.id,
      version: 2,
      type: "endpoint.test",
      createdAt: expect.any(String),
      recipientId: p.id,
      data: { endpointId: ep.body.endpoint.id },
    });
    const deliveries = await p.api.get(`/v1/webhook-endpoints/${ep.body.endpoint.id}/deliveries`);
    expect(deliveries.body.items[0].status).toBe("delivered");
    expect(deliveries.body.items[0].attempts[0].status).toBe(204);
  });

  it("refuses private and metadata webhook URLs at registration", async () => {
    const p = await t.registerProvider("SSRF Co");
    for (const url of ["http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]/x", "ftp://127.0.0.1/x"]) {
      const res = await p.api.post("/v1/webhook-endpoints", { url, eventTypes: ["hop_request.created"] });
      expect(res.status, url).toBe(422);
      expect(res.body.code).toBe("webhook_url_refused");
      expect(res.body.errors[0].pointer).toBe("/url");
    }
  });

  it("signs with the old and the new secret during a rotation, and redelivers an event with the same webhook-id", async () => {
    const p = await t.registerProvider("Rotating Co");
    const ep = await p.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] });
    const oldSecret = ep.body.secret as string;
    const rotated = await p.api.post(`/v1/webhook-endpoints/${ep.body.endpoint.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(oldSecret);

    const before = receiver.received.length;
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
    const got = await receiver.waitFor((r) => r.length > before);
    const delivery = got[got.length - 1]!;
    const headers = {
      "webhook-id": String(delivery.headers["webhook-id"]),
      "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery.headers["webhook-signature"]),
    };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [oldSecret, newSecret])
      expect((new Webhook(secret).verify(delivery.body, headers) as { data: { hopId: string } }).data.hopId).toBe(tb.body.hops[0].id);

    const again = await p.api.post(`/v1/events/${encodeURIComponent(headers["webhook-id"])}/redeliver`, {});
    expect(again.status).toBe(202);
    expect(again.body.queued).toBe(1);
    const redelivered = await receiver.waitFor((r) => r.length > before + 1);
    expect(redelivered[redelivered.length - 1]!.headers["webhook-id"]).toBe(headers["webhook-id"]);
    const other = await t.registerProvider("Nosy Co");
    expect((await other.api.post(`/v1/events/${encodeURIComponent(headers["webhook-id"])}/redeliver`, {})).status).toBe(404);
  });
});
