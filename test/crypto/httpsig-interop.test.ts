import { createVerifier, createSigner, httpbis } from "http-message-signatures";
import { describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { messageFromHeaders, signMessage, SIGNATURE_TAG, verifyMessage } from "../../functions/crypto/httpsig.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";

// The independent library checks created/expires against the real clock, so these tests sign
// with the current time.
const COMPONENTS = ["@method", "@target-uri", "content-type", "content-digest"];
const TARGET = "https://api.hoptrace.example/v1/hops/01J9Z3K7Q8/answer?dry_run=false";
const BODY = JSON.stringify({ upstream: { frn: "0012345678" }, note: "ünïcode stays bytes" });

function unsignedRequest() {
  return {
    method: "POST",
    url: TARGET,
    headers: {
      "content-type": "application/json",
      "content-digest": contentDigest(BODY),
      "idempotency-key": "5f0b5a0e-6c0c-4c55-9d0b-0f6c1b1d7a11",
    } as Record<string, string>,
  };
}

function viewOf(request: { method: string; url: string; headers: Record<string, string | string[]> }) {
  return messageFromHeaders({ method: request.method, targetUri: request.url, headers: request.headers });
}

describe("interoperability with http-message-signatures", () => {
  it("verifies a request signed by the independent implementation", async () => {
    const key = await generateSigningKey();
    const created = Math.floor(Date.now() / 1000);
    const signed = await httpbis.signMessage(
      {
        key: createSigner(key.privateKey, "ed25519", key.kid),
        fields: COMPONENTS,
        params: ["created", "expires", "nonce", "keyid", "alg", "tag"],
        paramValues: {
          created: new Date(created * 1000),
          expires: new Date((created + 300) * 1000),
          nonce: "3c6f0a3e-5b7e-4f43-9d8c-2a0d1c5e9b71",
          tag: SIGNATURE_TAG,
        },
      },
      unsignedRequest(),
    );

    const verify = (now: number, message = viewOf(signed)) =>
      verifyMessage({
        message,
        resolveKey: async (keyid) => (keyid === key.kid ? key.publicKey : undefined),
        now,
        maxSkewSeconds: 60,
        maxLifetimeSeconds: 300,
        requiredTag: SIGNATURE_TAG,
        requiredComponents: COMPONENTS,
        requireExpires: true,
      });

    const result = await verify(created + 5);
    expect(result).toMatchObject({
      ok: true,
      keyid: key.kid,
      label: "sig",
      components: COMPONENTS,
      params: { created, expires: created + 300, nonce: "3c6f0a3e-5b7e-4f43-9d8c-2a0d1c5e9b71", keyid: key.kid, alg: "ed25519", tag: SIGNATURE_TAG },
    });

    const tampered = viewOf({ ...signed, url: TARGET.replace("dry_run=false", "dry_run=true") });
    expect(await verify(created + 5, tampered)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("produces signatures the independent implementation verifies", async () => {
    const key = await generateSigningKey();
    const created = Math.floor(Date.now() / 1000);
    const request = unsignedRequest();
    const { signatureInput, signature } = signMessage({
      components: [...COMPONENTS, "idempotency-key"],
      params: { created, expires: created + 300, nonce: "b0a8f7e2-1d3c-4e5f-8a9b-0c1d2e3f4a5b", keyid: key.kid, alg: "ed25519", tag: SIGNATURE_TAG },
      privateKey: key.privateKey,
      message: viewOf(request),
    });
    const signedHeaders = { ...request.headers, "Signature-Input": signatureInput, Signature: signature };

    const verifyWithLibrary = (url: string, headers: Record<string, string>) =>
      httpbis.verifyMessage(
        {
          keyLookup: async (params) => (params.keyid === key.kid ? { id: key.kid, algs: ["ed25519"], verify: createVerifier(key.publicKey, "ed25519") } : null),
          requiredFields: [...COMPONENTS, "idempotency-key"],
          requiredParams: ["created", "expires", "keyid", "alg", "tag"],
        },
        { method: "POST", url, headers },
      );

    expect(await verifyWithLibrary(TARGET, signedHeaders)).toBe(true);
    expect(await verifyWithLibrary(TARGET, { ...signedHeaders, "content-type": "text/plain" })).toBe(false);
    expect(await verifyWithLibrary(`${TARGET}&x=1`, signedHeaders)).toBe(false);
  });
});
