/**
 * The console's WebCrypto signer, run on Node's WebCrypto: its key ids, proofs and request
 * signatures are the ones the hub checks, and its requests are byte for byte those of the
 * generated client's profile.
 */
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyContentDigest } from "../../openapi/client/content-digest.js";
import { SIGNATURE_TAG, messageFromHeaders, verifyMessage } from "../../functions/crypto/httpsig.js";
import { verifyKeyProof } from "../../functions/crypto/key-proof.js";
import { jwkThumbprint } from "../../functions/crypto/keys.js";
import { generateKey, keyProof, signRequest } from "../../functions/console/web/signer.js";
import { splitIdentityHeaders } from "../../functions/console/web/identity-headers.js";
import { errorsOf, localToOffsetTime } from "../../functions/console/web/contract-form.js";
import { AnswerSchema } from "../../functions/http/schemas/answers.js";

const nodeKey = (jwk: { kty: string; crv: string; x: string }) => createPublicKey({ key: { ...jwk }, format: "jwk" });

const URL_ = "https://api.hoptrace.example/prod/v1/hop-requests/hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2/answer";

describe("the console's signer", () => {
  it("makes a non-extractable key whose id is its RFC 7638 thumbprint", async () => {
    const key = await generateKey();
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("jwk", key.privateKey)).rejects.toThrow();
    expect(key.keyId).toBe(await jwkThumbprint(key.publicJwk));
  });

  it("proves possession the way the hub verifies it, for the account named and no other", async () => {
    const key = await generateKey();
    const publicKey = nodeKey(key.publicJwk);
    const proof = await keyProof(key, "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9");
    expect(verifyKeyProof(publicKey, "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", key.keyId, proof)).toBe(true);
    expect(verifyKeyProof(publicKey, "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5", key.keyId, proof)).toBe(false);
  });

  it("signs a POST that the hub's verifier accepts, Content-Digest and Idempotency-Key covered, with a fresh nonce each time", async () => {
    const key = await generateKey();
    const body = JSON.stringify({ type: "refused", reason: "ünïcode reasons" });
    const sign = () => signRequest(key, { method: "POST", url: URL_, headers: new Headers({ "idempotency-key": "k-1" }), body });
    const headers = await sign();
    const now = Math.floor(Date.now() / 1000);
    const result = await verifyMessage({
      message: messageFromHeaders({ method: "POST", targetUri: URL_, headers }),
      resolveKey: async (id) => (id === key.keyId ? nodeKey(key.publicJwk) : undefined),
      now,
      maxSkewSeconds: 60,
      maxLifetimeSeconds: 300,
      requiredTag: SIGNATURE_TAG,
      requireExpires: true,
      requiredComponents: ["@method", "@target-uri", "content-type", "content-digest", "idempotency-key"],
    });
    expect(result.ok).toBe(true);
    expect(verifyContentDigest(headers.get("content-digest")!, body)).toBe(true);
    expect(verifyContentDigest(headers.get("content-digest")!, body.replace("refused", "Refused"))).toBe(false);
    const nonce = (h: Headers) => /nonce="([^"]+)"/.exec(h.get("signature-input")!)![1];
    expect(nonce(await sign())).not.toBe(nonce(headers));
  });

  it("refuses, through the hub's verifier, a signature presented for another target URI", async () => {
    const key = await generateKey();
    const headers = await signRequest(key, { method: "GET", url: URL_.replace("/answer", ""), headers: new Headers() });
    const result = await verifyMessage({
      message: messageFromHeaders({ method: "GET", targetUri: URL_, headers }),
      resolveKey: async () => nodeKey(key.publicJwk),
      now: Math.floor(Date.now() / 1000),
      maxSkewSeconds: 60,
      maxLifetimeSeconds: 300,
      requiredComponents: ["@method", "@target-uri"],
    });
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });
});

describe("the console's form helpers", () => {
  it("reads pasted Identity headers one per line, with or without the field name, folded lines joined", () => {
    expect(
      splitIdentityHeaders("Identity: eyJa.eyJb.sig;info=<https://cr.example/a.pem>;alg=ES256\n\n eyJc.eyJd.sig2;info=<https://cr.example/b.pem>\r\n"),
    ).toEqual(["eyJa.eyJb.sig;info=<https://cr.example/a.pem>;alg=ES256", "eyJc.eyJd.sig2;info=<https://cr.example/b.pem>"]);
    expect(splitIdentityHeaders("eyJa.eyJb.sig;info=<https://cr\n   .example/a.pem>")).toEqual(["eyJa.eyJb.sig;info=<https://cr.example/a.pem>"]);
  });

  it("turns a local date and time into RFC 3339 with the local offset", () => {
    const text = localToOffsetTime("2024-06-03T12:00");
    expect(text).toMatch(/^2024-06-03T12:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(text).getTime()).toBe(new Date("2024-06-03T12:00").getTime());
  });

  it("names the fields the contract refuses, following the alternative of a union the input is closest to", () => {
    const parsed = AnswerSchema.safeParse({ type: "upstream_identified", upstream: { name: "Carrier", frn: "12" }, evidence: {} });
    expect(errorsOf(parsed.error as never)).toEqual({ "upstream.frn": expect.any(String) });
    const missing = AnswerSchema.safeParse({ type: "originator_identified", customer: {}, evidence: {} });
    expect(Object.keys(errorsOf(missing.error as never)).sort()).toEqual(["actionTaken", "customer.name"]);
    expect(errorsOf(missing.error as never)["customer.name"]).toBe("Required");
  });
});
