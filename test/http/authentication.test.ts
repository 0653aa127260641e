import { randomUUID } from "node:crypto";
import { createSigner, httpbis } from "http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { messageFromHeaders, signMessage, SIGNATURE_TAG } from "../../functions/crypto/httpsig.js";
import type { SigningKey } from "../../openapi/client/signing.js";
import { apiFor, CALL, newKey, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { PROBLEM, send, signedGet, signedPost, type RawResponse } from "./raw.js";

let t: TestHub;
let provider: Party;
let initiator: Party;

beforeAll(async () => {
  t = await startTestHub({ env: { LOG_LEVEL: "ERROR" } });
  provider = await t.registerProvider("Auth Carrier");
  initiator = await t.registerInitiator("Auth AG");
});
afterAll(async () => {
  await t?.stop();
});

/** Every refusal looks the same: nothing tells the caller which check failed. */
function expectRefused(res: RawResponse | { status: number; headers: Headers; body: any }) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.headers.get("www-authenticate")).toBe('Signature realm="hoptrace"');
  expect(res.body).toMatchObject({
    type: "urn:hoptrace:problem:unauthenticated",
    status: 401,
    code: "unauthenticated",
    detail: "the request signature could not be verified",
  });
  expect(res.body.request_id).toMatch(/^req_/);
  expect(res.body).not.toHaveProperty("errors");
}

const BODY_COMPONENTS = ["@method", "@target-uri", "content-type", "content-digest", "idempotency-key"];

/** Signs exactly the given headers and components, for requests signRequest would not make. */
function handSigned(key: SigningKey, method: string, target: string, fields: Record<string, string>, components: string[], opts: { lifetime?: number; tag?: string | null; created?: number } = {}): Headers {
  const headers = new Headers(fields);
  const created = opts.created ?? Math.floor(Date.now() / 1000);
  const tag = opts.tag === undefined ? SIGNATURE_TAG : opts.tag;
  const sig = signMessage({
    components,
    params: { created, expires: created + (opts.lifetime ?? 60), keyid: key.keyId, alg: "ed25519", ...(tag !== null && { tag }) },
    privateKey: key.privateKey,
    message: messageFromHeaders({ method, targetUri: target, headers }),
  });
  headers.set("signature-input", sig.signatureInput);
  headers.set("signature", sig.signature);
  return headers;
}

const tracebackBody = () => JSON.stringify({ ...CALL, terminatingProviderId: provider.id });

async function tracebackCount(): Promise<number> {
  const list = await initiator.api.get("/v1/tracebacks?limit=100");
  expect(list.status).toBe(200);
  return list.body.items.length;
}

describe("refused requests", () => {
  it("a correctly signed request is accepted (the control for every case below)", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const ok = await send(target, { method: "GET", headers: signedGet(target, provider.key) });
    expect(ok.status).toBe(200);
  });

  it("no signature at all", async () => {
    expectRefused(await send(`${t.url}/v1/hop-requests`, { method: "GET", headers: {} }));
  });

  it("a signature header without its Signature-Input", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = signedGet(target, provider.key);
    headers.delete("signature-input");
    expectRefused(await send(target, { method: "GET", headers }));
  });

  it("a body changed after signing (digest mismatch); nothing is created", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    const tampered = body.replace("+1 (305) 555-0123", "+1 (305) 555-0199");
    expect(tampered).not.toBe(body);
    expectRefused(await send(target, { method: "POST", headers, body: tampered }));
    expect(await tracebackCount()).toBe(before);
  });

  it("a signed Content-Digest that does not match the body", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = handSigned(initiator.key, "POST", target, { "content-type": "application/json", "content-digest": contentDigest("{}"), "idempotency-key": "wrong-digest-1" }, BODY_COMPONENTS);
    expectRefused(await send(target, { method: "POST", headers, body }));
  });

  it("a Content-Digest that is not a structured dictionary", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = handSigned(initiator.key, "POST", target, { "content-type": "application/json", "content-digest": "sha-256=not-base64", "idempotency-key": "garbage-digest-1" }, BODY_COMPONENTS);
    expectRefused(await send(target, { method: "POST", headers, body }));
  });

  it("a signature made for another URL", async () => {
    const signedFor = `${t.url}/v1/hop-requests?status=all`;
    const headers = signedGet(signedFor, provider.key);
    expectRefused(await send(`${t.url}/v1/hop-requests`, { method: "GET", headers }));
  });

  it("a signature made for another method", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const body = "{}";
    const headers = signedPost(target, provider.key, body);
    // Same headers, sent as a GET: only the covered @method differs.
    expectRefused(await send(target, { method: "GET", headers }));
  });

  it("an expired signature (created and expires in the past)", async () => {
    const api = apiFor(t.url, provider.key, () => Date.now() - 10 * 60_000);
    expectRefused(await api.get("/v1/hop-requests"));
  });

  it("a signature created in the future beyond the allowed skew", async () => {
    const api = apiFor(t.url, provider.key, () => Date.now() + 10 * 60_000);
    expectRefused(await api.get("/v1/hop-requests"));
  });

  it("a signature with a lifetime longer than allowed", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { lifetime: 3600 });
    expectRefused(await send(target, { method: "GET", headers }));
  });

  it("a replayed request: the exact same headers and body a second time", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    const first = await send(target, { method: "POST", headers, body });
    expect(first.status).toBe(201);
    const second = await send(target, { method: "POST", headers, body });
    expectRefused(second);
    expect(await tracebackCount()).toBe(before + 1);
  });

  it("a first copy with a tampered body does not use up the genuine request's signature", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    // Someone on the path races the genuine request with a copy whose body was changed.
    expectRefused(await send(target, { method: "POST", headers, body: body.replace("12025550143", "12025550144") }));
    const genuine = await send(target, { method: "POST", headers, body });
    expect(genuine.status).toBe(201);
    expect(await tracebackCount()).toBe(before + 1);
    // Once accepted, the signature is used up.
    expectRefused(await send(target, { method: "POST", headers, body }));
  });

  it("two identical requests in the same second from the bundled client are both accepted: each has its own nonce", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const second = Date.now();
    const first = signedGet(target, provider.key, { now: () => second });
    const again = signedGet(target, provider.key, { now: () => second });
    expect(first.get("signature-input")).toMatch(/;nonce="[A-Za-z0-9_-]{16,}"/);
    expect(again.get("signature-input")).not.toBe(first.get("signature-input"));
    expect((await send(target, { method: "GET", headers: first })).status).toBe(200);
    expect((await send(target, { method: "GET", headers: again })).status).toBe(200);
    // The same POST twice in one second, same Idempotency-Key: the second replays the first.
    const post = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const a = await send(post, { method: "POST", headers: signedPost(post, initiator.key, body, { idempotencyKey: "same-second-1", now: () => second }), body });
    const b = await send(post, { method: "POST", headers: signedPost(post, initiator.key, body, { idempotencyKey: "same-second-1", now: () => second }), body });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(b.body.traceback.id).toBe(a.body.traceback.id);
  });

  it("without a nonce, the second of two identical requests signed in the same second is a replay", async () => {
    const target = `${t.url}/v1/hop-requests?limit=3`;
    const created = Math.floor(Date.now() / 1000);
    const first = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { created });
    const again = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { created });
    expect(again.get("signature")).toBe(first.get("signature"));
    expect((await send(target, { method: "GET", headers: first })).status).toBe(200);
    expectRefused(await send(target, { method: "GET", headers: again }));
  });

  it("created or expires that is not an sf-integer (created=N.0, an exponent)", async () => {
    const target = `${t.url}/v1/hop-requests`;
    for (const respell of [(v: string) => v.replace(/;created=(\d+)/, ";created=$1.0"), (v: string) => v.replace(/;expires=(\d+)/, ";expires=$1.0"), (v: string) => v.replace(/;created=(\d+)/, ";created=1e9")]) {
      const headers = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"]);
      const respelled = respell(headers.get("signature-input")!);
      expect(respelled).not.toBe(headers.get("signature-input"));
      headers.set("signature-input", respelled);
      expectRefused(await send(target, { method: "GET", headers }));
    }
  });

  it("a replayed GET", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = signedGet(target, provider.key);
    expect((await send(target, { method: "GET", headers })).status).toBe(200);
    expectRefused(await send(target, { method: "GET", headers }));
  });

  it("a key the hub does not know", async () => {
    const stranger = await newKey();
    expectRefused(await apiFor(t.url, stranger.key).get("/v1/hop-requests"));
  });

  it("a key signed under a keyid that is not its own", async () => {
    const stranger = await newKey();
    const forged: SigningKey = { privateKey: stranger.key.privateKey, keyId: provider.key.keyId };
    expectRefused(await apiFor(t.url, forged).get("/v1/hop-requests"));
  });

  it("a key revoked by another key of the same account", async () => {
    const p = await t.registerProvider("Rotating Carrier");
    const second = await newKey();
    const added = await p.api.post(`/v1/accounts/${p.id}/keys`, second.registration(p.id, "second"));
    expect(added.status).toBe(201);
    const secondApi = apiFor(t.url, second.key);
    expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
    const revoked = await secondApi.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    expectRefused(await p.api.get("/v1/hop-requests"));
    expect((await secondApi.get("/v1/hop-requests")).status).toBe(200);
  });

  it("a key revoked by the consortium", async () => {
    const p = await t.registerProvider("Revoked Carrier");
    expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
    const revoked = await t.consortium.api.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expectRefused(await p.api.get("/v1/hop-requests"));
  });

  it("a signature without the Hoptrace tag, or with another tag", async () => {
    const target = `${t.url}/v1/hop-requests`;
    for (const tag of [null, "other-profile"]) {
      expectRefused(await send(target, { method: "GET", headers: handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { tag }) }));
    }
    expect((await send(target, { method: "GET", headers: handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"]) })).status).toBe(200);
  });

  it("a POST whose signature does not cover the Content-Digest", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = handSigned(initiator.key, "POST", target, { "content-type": "application/json", "content-digest": contentDigest(body), "idempotency-key": "uncovered-digest-1" }, [
      "@method",
      "@target-uri",
      "content-type",
      "idempotency-key",
    ]);
    expectRefused(await send(target, { method: "POST", headers, body }));
  });

  it("an Idempotency-Key that the signature does not cover", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    headers.set("idempotency-key", "swapped-after-signing");
    expectRefused(await send(target, { method: "POST", headers, body }));
  });
});

describe("requests signed by the independent http-message-signatures package", () => {
  async function librarySign(key: SigningKey, request: { method: string; url: string; headers: Record<string, string> }, fields: string[]) {
    const created = Math.floor(Date.now() / 1000);
    return httpbis.signMessage(
      {
        key: createSigner(key.privateKey, "ed25519", key.keyId),
        fields,
        params: ["created", "expires", "keyid", "alg", "tag", "nonce"],
        paramValues: { created: new Date(created * 1000), expires: new Date((created + 120) * 1000), tag: SIGNATURE_TAG, nonce: randomUUID() },
      },
      request,
    );
  }

  it("accepts a GET", async () => {
    const url = `${t.url}/v1/hop-requests?status=all`;
    const signed = await librarySign(provider.key, { method: "GET", url, headers: {} }, ["@method", "@target-uri"]);
    const res = await send(url, { method: "GET", headers: signed.headers as Record<string, string> });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });

  it("accepts a POST covering content-type, content-digest and idempotency-key", async () => {
    const url = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const signed = await librarySign(
      initiator.key,
      { method: "POST", url, headers: { "content-type": "application/json", "content-digest": contentDigest(body), "idempotency-key": "library-post-1" } },
      ["@method", "@target-uri", "content-type", "content-digest", "idempotency-key"],
    );
    const res = await send(url, { method: "POST", headers: signed.headers as Record<string, string>, body });
    expect(res.status).toBe(201);
    expect(res.body.traceback.initiatorId).toBe(initiator.id);
    expect(res.headers.get("hoptrace-receipt")).toMatch(/^ey/);
  });

  it("refuses a library-signed POST whose body was changed", async () => {
    const url = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const signed = await librarySign(
      initiator.key,
      { method: "POST", url, headers: { "content-type": "application/json", "content-digest": contentDigest(body), "idempotency-key": "library-post-2" } },
      ["@method", "@target-uri", "content-type", "content-digest", "idempotency-key"],
    );
    expectRefused(await send(url, { method: "POST", headers: signed.headers as Record<string, string>, body: body.replace("12025550143", "12025550144") }));
  });
});
