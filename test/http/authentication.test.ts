import { randomUUID } from "node:crypto";
import { createSigner, httpbis } from "http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { messageFromHeaders, signMessage, SIGNATURE_TAG } from "../../functions/crypto/httpsig.js";
import type { SigningKey } from "../../openapi/client/signing.js";
import { apiFor, CALL, EVIDENCE, newKey, providerRegistration, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { newAccountId } from "../../openapi/client/registration.js";
import { createApp } from "../../functions/http/app.js";
import type { SignatureRefusal } from "../../functions/http/middleware/signature-check.js";
import { PROBLEM, send, signedGet, signedPost, type RawResponse } from "./raw.js";

let t: FakeHub;
let provider: Party;
let initiator: Party;

beforeAll(async () => {
  t = await startFakeHub({ mode: "local" });
  provider = await t.registerProvider("Auth Carrier");
  initiator = await t.registerInitiator("Auth AG");
});
afterAll(async () => {
  await t?.stop();
});

/**
 * The local mode says which check failed, as a stable `reason` and in `detail`, so that whoever
 * writes a client can tell a clock off by an hour from a wrong target URI.
 */
function expectRefused(res: RawResponse | { status: number; headers: Headers; body: any }, reason: SignatureRefusal) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.headers.get("www-authenticate")).toBe('Signature realm="hoptrace"');
  expect(res.body).toMatchObject({ type: "urn:hoptrace:problem:unauthenticated", status: 401, code: "unauthenticated", reason });
  expect(res.body.detail).not.toBe(OPAQUE);
  expect(res.body.request_id).toMatch(/^req_/);
  expect(res.body).not.toHaveProperty("errors");
}

const OPAQUE = "the request signature could not be verified";

const BODY_COMPONENTS = ["@method", "@target-uri", "content-type", "content-digest", "idempotency-key"];

/** Signs exactly the given headers and components, for requests signRequest would not make. */
function handSigned(
  key: SigningKey,
  method: string,
  target: string,
  fields: Record<string, string>,
  components: string[],
  opts: { lifetime?: number; tag?: string | null; created?: number } = {},
): Headers {
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
    const ok = await send(target, { method: "GET", headers: signedGet(target, provider.key) }, t.fetch);
    expect(ok.status).toBe(200);
  });

  it("no signature at all", async () => {
    expectRefused(await send(`${t.url}/v1/hop-requests`, { method: "GET", headers: {} }, t.fetch), "missing_signature");
  });

  it("a signature header without its Signature-Input", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = signedGet(target, provider.key);
    headers.delete("signature-input");
    expectRefused(await send(target, { method: "GET", headers }, t.fetch), "malformed");
  });

  it("a body changed after signing (digest mismatch); nothing is created", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    const tampered = body.replace("+1 (305) 555-0123", "+1 (305) 555-0199");
    expect(tampered).not.toBe(body);
    expectRefused(await send(target, { method: "POST", headers, body: tampered }, t.fetch), "digest_mismatch");
    expect(await tracebackCount()).toBe(before);
  });

  it("a signed Content-Digest that does not match the body", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = handSigned(
      initiator.key,
      "POST",
      target,
      { "content-type": "application/json", "content-digest": contentDigest("{}"), "idempotency-key": "wrong-digest-1" },
      BODY_COMPONENTS,
    );
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "digest_mismatch");
  });

  it("a Content-Digest that is not a structured dictionary", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = handSigned(
      initiator.key,
      "POST",
      target,
      { "content-type": "application/json", "content-digest": "sha-256=not-base64", "idempotency-key": "garbage-digest-1" },
      BODY_COMPONENTS,
    );
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "digest_mismatch");
  });

  it("a signature made for another URL", async () => {
    const signedFor = `${t.url}/v1/hop-requests?status=all`;
    const headers = signedGet(signedFor, provider.key);
    expectRefused(await send(`${t.url}/v1/hop-requests`, { method: "GET", headers }, t.fetch), "bad_signature");
  });

  it("a signature made for another method", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const body = "{}";
    const headers = signedPost(target, provider.key, body);
    // Same headers, sent as a GET: only the covered @method differs.
    expectRefused(await send(target, { method: "GET", headers }, t.fetch), "bad_signature");
  });

  it("an expired signature (created and expires in the past)", async () => {
    const api = apiFor(t.url, provider.key, () => t.now() - 10 * 60_000, t.fetch);
    expectRefused(await api.get("/v1/hop-requests"), "expired");
  });

  it("a signature created in the future beyond the allowed skew", async () => {
    const api = apiFor(t.url, provider.key, () => t.now() + 10 * 60_000, t.fetch);
    expectRefused(await api.get("/v1/hop-requests"), "not_yet_valid");
  });

  it("a signature with a lifetime longer than allowed", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { lifetime: 3600 });
    expectRefused(await send(target, { method: "GET", headers }, t.fetch), "lifetime_too_long");
  });

  it("a replayed request: the exact same headers and body a second time", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    const first = await send(target, { method: "POST", headers, body }, t.fetch);
    expect(first.status).toBe(201);
    const second = await send(target, { method: "POST", headers, body }, t.fetch);
    expectRefused(second, "replayed");
    expect(await tracebackCount()).toBe(before + 1);
  });

  it("a first copy with a tampered body does not use up the genuine request's signature", async () => {
    const before = await tracebackCount();
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    // Someone on the path races the genuine request with a copy whose body was changed.
    expectRefused(await send(target, { method: "POST", headers, body: body.replace("12025550143", "12025550144") }, t.fetch), "digest_mismatch");
    const genuine = await send(target, { method: "POST", headers, body }, t.fetch);
    expect(genuine.status).toBe(201);
    expect(await tracebackCount()).toBe(before + 1);
    // Once accepted, the signature is used up.
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "replayed");
  });

  it("two identical requests in the same second from the bundled client are both accepted: each has its own nonce", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const second = Date.now();
    const first = signedGet(target, provider.key, { now: () => second });
    const again = signedGet(target, provider.key, { now: () => second });
    expect(first.get("signature-input")).toMatch(/;nonce="[A-Za-z0-9_-]{16,}"/);
    expect(again.get("signature-input")).not.toBe(first.get("signature-input"));
    expect((await send(target, { method: "GET", headers: first }, t.fetch)).status).toBe(200);
    expect((await send(target, { method: "GET", headers: again }, t.fetch)).status).toBe(200);
    // The same POST twice in one second, same Idempotency-Key: the second replays the first.
    const post = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const sendSameSecond = () =>
      send(post, { method: "POST", headers: signedPost(post, initiator.key, body, { idempotencyKey: "same-second-1", now: () => second }), body }, t.fetch);
    const a = await sendSameSecond();
    const b = await sendSameSecond();
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
    expect((await send(target, { method: "GET", headers: first }, t.fetch)).status).toBe(200);
    expectRefused(await send(target, { method: "GET", headers: again }, t.fetch), "replayed");
  });

  it("created or expires that is not an sf-integer (created=N.0, an exponent)", async () => {
    const target = `${t.url}/v1/hop-requests`;
    for (const respell of [
      (v: string) => v.replace(/;created=(\d+)/, ";created=$1.0"),
      (v: string) => v.replace(/;expires=(\d+)/, ";expires=$1.0"),
      (v: string) => v.replace(/;created=(\d+)/, ";created=1e9"),
    ]) {
      const headers = handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"]);
      const respelled = respell(headers.get("signature-input")!);
      expect(respelled).not.toBe(headers.get("signature-input"));
      headers.set("signature-input", respelled);
      expectRefused(await send(target, { method: "GET", headers }, t.fetch), "malformed");
    }
  });

  it("a replayed GET", async () => {
    const target = `${t.url}/v1/hop-requests`;
    const headers = signedGet(target, provider.key);
    expect((await send(target, { method: "GET", headers }, t.fetch)).status).toBe(200);
    expectRefused(await send(target, { method: "GET", headers }, t.fetch), "replayed");
  });

  it("a key the hub does not know", async () => {
    const stranger = await newKey();
    expectRefused(await t.apiFor(stranger.key).get("/v1/hop-requests"), "unknown_key");
  });

  it("a key signed under a keyid that is not its own", async () => {
    const stranger = await newKey();
    const forged: SigningKey = { privateKey: stranger.key.privateKey, keyId: provider.key.keyId };
    expectRefused(await t.apiFor(forged).get("/v1/hop-requests"), "bad_signature");
  });

  it("a key revoked by another key of the same account", async () => {
    const p = await t.registerProvider("Rotating Carrier");
    const second = await newKey();
    const added = await p.api.post(`/v1/accounts/${p.id}/keys`, second.registration(p.id, "second"));
    expect(added.status).toBe(201);
    const secondApi = t.apiFor(second.key);
    expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
    const revoked = await secondApi.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    expectRefused(await p.api.get("/v1/hop-requests"), "key_not_active");
    expect((await secondApi.get("/v1/hop-requests")).status).toBe(200);
  });

  it("a key revoked by the consortium", async () => {
    const p = await t.registerProvider("Revoked Carrier");
    expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
    const revoked = await t.consortium.api.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expectRefused(await p.api.get("/v1/hop-requests"), "key_not_active");
  });

  it("a key this hub holds in its cache is refused by the first request after its revocation response", async () => {
    const p = await t.registerProvider("Cached Key Carrier");
    const target = `${t.url}/v1/hop-requests`;
    for (let i = 0; i < 3; i++) expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
    // Signed before the revocation, sent after it: still inside its time window.
    const early = signedGet(target, p.key);
    const revoked = await t.consortium.api.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expectRefused(await send(target, { method: "GET", headers: early }, t.fetch), "key_not_active");
    expectRefused(await p.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id }), "key_not_active");
  });

  it("a key refused as unknown a moment ago signs as soon as it is registered", async () => {
    const p = await t.registerProvider("Late Key Carrier");
    const later = await newKey();
    const laterApi = t.apiFor(later.key);
    expectRefused(await laterApi.get("/v1/hop-requests"), "unknown_key");
    expect((await p.api.post(`/v1/accounts/${p.id}/keys`, later.registration(p.id, "later"))).status).toBe(201);
    expect((await laterApi.get("/v1/hop-requests")).status).toBe(200);
  });

  it("a replayed registration is refused and registers nothing twice", async () => {
    const target = `${t.url}/v1/providers`;
    const k = await newKey();
    const id = newAccountId();
    const body = JSON.stringify({ id, ...providerRegistration("Replayed Registration Co"), keys: [k.registration(id)] });
    const headers = signedPost(target, t.consortium.key, body);
    expect((await send(target, { method: "POST", headers, body }, t.fetch)).status).toBe(201);
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "replayed");
  });

  it("a replayed amendment is refused: only the answer's own write stands for its signature", async () => {
    const upstream = await t.registerProvider("Amended Upstream Co");
    const tb = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id });
    const hopId = tb.body.hops[0].id;
    expect(
      (await provider.api.post(`/v1/hop-requests/${hopId}/answer`, { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE }))
        .status,
    ).toBe(200);
    const target = `${t.url}/v1/hop-requests/${hopId}/amendments`;
    const body = JSON.stringify({ answer: { type: "not_our_call", explanation: "the trunk was misread" }, reason: "the trunk was misread" });
    const headers = signedPost(target, provider.key, body);
    const first = await send(target, { method: "POST", headers, body }, t.fetch);
    expect(first.status, first.text).toBe(201);
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "replayed");
  });

  it("a signature without the Hoptrace tag, or with another tag", async () => {
    const target = `${t.url}/v1/hop-requests`;
    for (const tag of [null, "other-profile"]) {
      expectRefused(
        await send(target, { method: "GET", headers: handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"], { tag }) }, t.fetch),
        "wrong_tag",
      );
    }
    expect((await send(target, { method: "GET", headers: handSigned(provider.key, "GET", target, {}, ["@method", "@target-uri"]) }, t.fetch)).status).toBe(200);
  });

  it("a POST whose signature leaves out the Content-Digest or the Idempotency-Key, and the 401 names what it must cover", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    for (const left of ["content-digest", "idempotency-key"]) {
      const fields = { "content-type": "application/json", "content-digest": contentDigest(body), "idempotency-key": `uncovered-${left}` };
      const headers = handSigned(
        initiator.key,
        "POST",
        target,
        fields,
        BODY_COMPONENTS.filter((c) => c !== left),
      );
      const res = await send(target, { method: "POST", headers, body }, t.fetch);
      expectRefused(res, "missing_component");
      expect(res.body.detail).toContain(BODY_COMPONENTS.join(", "));
    }
  });

  it("an Idempotency-Key other than the one signed", async () => {
    const target = `${t.url}/v1/tracebacks`;
    const body = tracebackBody();
    const headers = signedPost(target, initiator.key, body);
    headers.set("idempotency-key", "swapped-after-signing");
    expectRefused(await send(target, { method: "POST", headers, body }, t.fetch), "bad_signature");
  });
});

describe("refusals in production: one opaque 401, the reason in the log beside the request id", () => {
  async function production() {
    const logged: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => logged.push({ level, message, fields: fields ?? {} });
    const deps = t.deps;
    const app = createApp({
      ...deps,
      settings: { ...deps.settings, explainSignatureRefusals: false },
      log: { info: at("info"), warn: at("warn"), error: at("error") },
    });
    const call = async (url: string, init: { method: string; headers: Headers; body?: string }) => {
      const res = await app.request(url, init);
      return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
    };
    return { call, logged };
  }

  it("says nothing of which check failed, and logs it without the signature", async () => {
    const { call, logged } = await production();
    const target = `${t.url}/v1/hop-requests`;
    const body = tracebackBody();
    const post = `${t.url}/v1/tracebacks`;
    const stranger = await newKey();
    const cases: Array<[SignatureRefusal, { method: string; headers: Headers; body?: string }, string]> = [
      ["missing_signature", { method: "GET", headers: new Headers() }, target],
      ["unknown_key", { method: "GET", headers: signedGet(target, stranger.key) }, target],
      ["expired", { method: "GET", headers: signedGet(target, provider.key, { now: () => Date.now() - 600_000 }) }, target],
      ["digest_mismatch", { method: "POST", headers: signedPost(post, initiator.key, body), body: body.replace("12025550143", "12025550144") }, post],
      ["bad_signature", { method: "GET", headers: signedGet(`${target}?status=all`, provider.key) }, target],
    ];
    const bodies: Array<Record<string, unknown>> = [];
    for (const [reason, init, url] of cases) {
      const res = await call(url, init);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Signature realm="hoptrace"');
      expect(res.body).not.toHaveProperty("reason");
      const entry = logged.find((l) => l.fields.requestId === res.body.request_id);
      expect(entry, reason).toEqual({ level: "warn", message: "request signature refused", fields: { requestId: res.body.request_id, reason } });
      const signature = init.headers.get("signature");
      if (signature) expect(JSON.stringify(logged)).not.toContain(signature.slice(6, 40));
      bodies.push(res.body);
    }
    const { request_id: _, ...first } = bodies[0]!;
    for (const other of bodies) expect({ ...other, request_id: undefined }).toEqual({ ...first, request_id: undefined });
    expect(first).toEqual({ type: "urn:hoptrace:problem:unauthenticated", title: "Unauthenticated", status: 401, detail: OPAQUE, code: "unauthenticated" });
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
    const res = await send(url, { method: "GET", headers: signed.headers as Record<string, string> }, t.fetch);
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
    const res = await send(url, { method: "POST", headers: signed.headers as Record<string, string>, body }, t.fetch);
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
    expectRefused(
      await send(url, { method: "POST", headers: signed.headers as Record<string, string>, body: body.replace("12025550143", "12025550144") }, t.fetch),
      "digest_mismatch",
    );
  });
});
