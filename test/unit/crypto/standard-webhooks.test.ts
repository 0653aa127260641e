import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhookSignature, WebhookSecretError } from "../../../functions/crypto/standard-webhooks.js";

const MSG_ID = "evt_01J9Z3K7Q8XYZ";
const BODY = JSON.stringify({ id: MSG_ID, version: 2, type: "hop_request.created", data: { hopId: "h1" } });

// The library checks the timestamp against the real clock, so these deliveries are stamped now.
function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function libraryVerify(secret: string, timestamp: number, signature: string, body = BODY): unknown {
  return new Webhook(secret).verify(body, {
    "webhook-id": MSG_ID,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signature,
  });
}

describe("newWebhookSecret", () => {
  it("is whsec_ followed by the base64 of 32 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("uses the random source it is given", () => {
    expect(newWebhookSecret((size) => new Uint8Array(size).fill(1))).toBe(`whsec_${Buffer.alloc(32, 1).toString("base64")}`);
  });
});

describe("signWebhook with the standardwebhooks library", () => {
  it("verifies with one secret", () => {
    const secret = newWebhookSecret();
    const timestamp = nowSeconds();
    const signature = signWebhook([secret], MSG_ID, timestamp, BODY);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(libraryVerify(secret, timestamp, signature)).toEqual(JSON.parse(BODY));
    expect(signature).toBe(new Webhook(secret).sign(MSG_ID, new Date(timestamp * 1000), BODY));
  });

  it("verifies with either secret during rotation", () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const timestamp = nowSeconds();
    const signature = signWebhook([oldSecret, newSecret], MSG_ID, timestamp, BODY);
    expect(signature.split(" ")).toHaveLength(2);
    expect(libraryVerify(oldSecret, timestamp, signature)).toEqual(JSON.parse(BODY));
    expect(libraryVerify(newSecret, timestamp, signature)).toEqual(JSON.parse(BODY));
    expect(() => libraryVerify(newWebhookSecret(), timestamp, signature)).toThrow(WebhookVerificationError);
  });

  it("is refused by the library for a changed body, id or timestamp", () => {
    const secret = newWebhookSecret();
    const timestamp = nowSeconds();
    const signature = signWebhook([secret], MSG_ID, timestamp, BODY);
    expect(() => libraryVerify(secret, timestamp, signature, BODY.replace("h1", "h2"))).toThrow(WebhookVerificationError);
    expect(() => libraryVerify(secret, timestamp - 1, signature)).toThrow(WebhookVerificationError);
    expect(() =>
      new Webhook(secret).verify(BODY, { "webhook-id": "evt_other", "webhook-timestamp": String(timestamp), "webhook-signature": signature }),
    ).toThrow(WebhookVerificationError);
  });

  it("refuses to sign without a well-formed secret", () => {
    expect(() => signWebhook([], MSG_ID, 1, BODY)).toThrow(WebhookSecretError);
    expect(() => signWebhook(["plain"], MSG_ID, 1, BODY)).toThrow(WebhookSecretError);
    expect(() => signWebhook(["whsec_not base64!"], MSG_ID, 1, BODY)).toThrow(WebhookSecretError);
    expect(() => signWebhook([newWebhookSecret()], MSG_ID, 1.5, BODY)).toThrow(RangeError);
  });
});

describe("verifyWebhookSignature", () => {
  const NOW = 1_800_000_000;
  const secret = newWebhookSecret();

  it("accepts our own and the library's signatures", () => {
    const ours = signWebhook([newWebhookSecret(), secret], MSG_ID, NOW, BODY);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, ours, NOW)).toBe(true);
    expect(verifyWebhookSignature(secret, MSG_ID, String(NOW), BODY, ours, NOW + 300)).toBe(true);
    const library = new Webhook(secret).sign(MSG_ID, new Date(NOW * 1000), BODY);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, `v2,abc ${library}`, NOW)).toBe(true);
  });

  it("refuses stale or future timestamps", () => {
    const signature = signWebhook([secret], MSG_ID, NOW, BODY);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, signature, NOW + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, signature, NOW - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, signature, NOW + 30, 10)).toBe(false);
  });

  it("refuses tampering and malformed input without throwing", () => {
    const signature = signWebhook([secret], MSG_ID, NOW, BODY);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, `${BODY} `, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature(secret, "evt_other", NOW, BODY, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature(newWebhookSecret(), MSG_ID, NOW, BODY, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, "soon", BODY, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature("garbage", MSG_ID, NOW, BODY, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, signature.replace("v1,", "v2,"), NOW)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, "", NOW)).toBe(false);
    expect(verifyWebhookSignature(secret, MSG_ID, NOW, BODY, "v1,!!!", NOW)).toBe(false);
  });
});
