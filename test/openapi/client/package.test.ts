/**
 * The built @hoptrace/client, ESM and CommonJS entries alike, against the embedded hub over real
 * HTTP: registering a key with its proof, learning the account from GET /v1/me, receipts verified
 * against the hub's JWKS, refusals as typed errors, and webhooks verified as a receiver would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as source from "../../../openapi/client/index.js";
import { startTestHub, type TestHub } from "../../support/hub.js";
import { startReceiver, type Receiver } from "../../support/receiver.js";
import { entries, type Client } from "./entries.js";

const contact = { name: "Traceback desk", email: "traceback@carrier.example" };
let frn = 7_100_000;

describe("@hoptrace/client, built", () => {
  let t: TestHub;
  let receiver: Receiver;
  let loaded: Awaited<ReturnType<typeof entries>>;

  beforeAll(async () => {
    [t, receiver, loaded] = await Promise.all([startTestHub({ background: true, sweepIntervalMs: 60_000 }), startReceiver(), entries()]);
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  it("the ESM and the CommonJS entry export the same API, each its own build rather than the source", () => {
    const [[, esm], [, cjs]] = loaded as [[string, Client], [string, Client]];
    expect(new Set([esm.HoptraceApiError, cjs.HoptraceApiError, source.HoptraceApiError]).size).toBe(3);
    expect(Object.keys(esm).sort()).toEqual(Object.keys(source).sort());
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(Object.keys(esm)).toEqual(
      expect.arrayContaining(["createHoptraceClient", "verifyWebhook", "verifyReceipt", "HoptraceApiError", "retryingFetch", "registrationRequest"]),
    );
  });

  async function registered(c: Client) {
    const consortium = c.createHoptraceClient({ baseUrl: t.url, key: t.consortium.key });
    const { key } = await c.newSigningKey();
    const registration = c.registrationRequest(key);
    const created = await c.unwrap(
      consortium.POST("/v1/providers", { body: { ...registration, name: "Client Co", frn: String(frn++).padStart(10, "0"), contact } }),
    );
    expect(created.account.id).toBe(registration.id);
    const sent: Request[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(new Request(input, init));
      return fetch(input, init);
    };
    return { consortium, registration, key, sent, client: c.createHoptraceClient({ baseUrl: t.url, key, fetch: recording }) };
  }

  for (const entry of ["esm", "cjs"] as const) {
    const client = () => loaded.find(([name]) => name === entry)![1];

    it(`${entry}: a key registered with its proof signs every request, GET /v1/me names the account, a receipt verifies against the JWKS`, async () => {
      const c = client();
      const { registration, key, sent, client: provider } = await registered(c);
      const me = await c.unwrap(provider.GET("/v1/me"));
      expect(me.account).toMatchObject({ id: registration.id, kind: "provider" });
      expect(me.key.keyId).toBe(key.keyId);

      const created = await provider.POST("/v1/webhook-endpoints", { body: { url: receiver.url, eventTypes: ["endpoint.test"] } });
      expect(created.response.status).toBe(201);
      const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
      const claims = await c.verifyReceipt(created.response.headers.get("hoptrace-receipt")!, jwks);
      expect(claims).toMatchObject({
        sub: registration.id,
        req: { method: "POST", keyid: key.keyId, idempotency_key: sent[1]!.headers.get("idempotency-key") },
        res: { status: 201 },
      });
      await expect(c.verifyReceipt(created.response.headers.get("hoptrace-receipt")!, { keys: [] })).rejects.toBeInstanceOf(c.InvalidReceiptError);

      const nonces = sent.map((r) => /;nonce="([^"]+)"/.exec(r.headers.get("signature-input") ?? "")?.[1]);
      expect(nonces.every((n) => n !== undefined && n.length >= 16)).toBe(true);
      expect(new Set(nonces).size).toBe(sent.length);
      const post = sent[1]!;
      expect(post.headers.get("signature-input")).toContain('"content-type" "content-digest" "idempotency-key"');
      expect(post.headers.get("content-digest")).toMatch(/^sha-256=:[A-Za-z0-9+/]+=*:$/);
    });

    it(`${entry}: a refusal is a HoptraceApiError with the problem's code, the status and the request id`, async () => {
      const c = client();
      const { consortium, registration } = await registered(c);
      const again = await c.newSigningKey();
      const error = await c
        .unwrap(
          consortium.POST("/v1/providers", {
            body: { ...c.registrationRequest(again.key, registration.id), name: "Twice Co", frn: String(frn++).padStart(10, "0"), contact },
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(c.HoptraceApiError);
      const refusal = error as InstanceType<Client["HoptraceApiError"]>;
      expect([refusal.status, refusal.code]).toEqual([409, "account_exists"]);
      expect(refusal.requestId).toMatch(/^req_/);
      expect(refusal.requestId).toBe(refusal.problem.request_id);
      expect(refusal.message).toContain(refusal.requestId);
    });

    it(`${entry}: a delivery verifies with the endpoint's secret and the hub's signature; a tampered one is refused`, async () => {
      const c = client();
      const { registration, client: provider } = await registered(c);
      const endpoint = await c.unwrap(provider.POST("/v1/webhook-endpoints", { body: { url: receiver.url, eventTypes: ["endpoint.test"] } }));
      const before = receiver.received.length;
      await c.unwrap(provider.POST("/v1/webhook-endpoints/{endpointId}/test", { params: { path: { endpointId: endpoint.endpoint.id } } }));
      const delivery = (await receiver.waitFor((r) => r.slice(before).some((d) => d.body.includes(registration.id)), 10_000))
        .slice(before)
        .find((d) => d.body.includes(registration.id))!;

      const payload = c.verifyWebhook({ secret: endpoint.secret, headers: delivery.headers, body: delivery.body });
      expect(payload).toMatchObject({ version: 2, type: "endpoint.test", recipientId: registration.id });
      const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      const { keyId } = await c.verifyHubSignature({ headers: delivery.headers, body: delivery.body, jwks });
      expect(jwks.keys.map((k) => k.kid)).toContain(keyId);

      const tampered = delivery.body.replace(registration.id, "acc_01J00000000000000000000000");
      expect(() => c.verifyWebhook({ secret: endpoint.secret, headers: delivery.headers, body: tampered })).toThrow(c.WebhookVerificationError);
      await expect(c.verifyHubSignature({ headers: delivery.headers, body: tampered, jwks })).rejects.toMatchObject({ code: "digest_mismatch" });
    });
  }
});
