import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, WebhookSecretError } from "../../functions/crypto/standard-webhooks.js";
import { verifyWebhook, WebhookVerificationError as ClientWebhookVerificationError } from "../../openapi/client/webhooks.js";

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

describe("the client's verifyWebhook on the hub's signatures", () => {
  const NOW = 1_800_000_000;
  const secret = newWebhookSecret();
  const BODY = JSON.stringify({
    id: MSG_ID,
    version: 2,
    type: "hop_request.created",
    createdAt: "2027-01-15T08:00:00Z",
    recipientId: "acc_01J9Z3K7Q8XYZ",
    data: { hopId: "hop_1" },
  });
  const at = (seconds: number) => new Date(seconds * 1000);
  const headers = (signature: string, timestamp: number | string = NOW, id = MSG_ID) => ({
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signature,
  });
  const verifies = (
    signature: string,
    opts: { body?: string; secret?: string; now?: number; timestamp?: number | string; id?: string; toleranceSeconds?: number } = {},
  ) => {
    try {
      verifyWebhook({
        secret: opts.secret ?? secret,
        headers: headers(signature, opts.timestamp, opts.id),
        body: opts.body ?? BODY,
        now: at(opts.now ?? NOW),
        ...(opts.toleranceSeconds !== undefined && { toleranceSeconds: opts.toleranceSeconds }),
      });
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(ClientWebhookVerificationError);
      return false;
    }
  };

  it("accepts the hub's signature among the entries of a rotation, and an unknown version beside it", () => {
    const ours = signWebhook([newWebhookSecret(), secret], MSG_ID, NOW, BODY);
    expect(verifies(ours)).toBe(true);
    expect(verifies(ours, { now: NOW + 300 })).toBe(true);
    expect(verifies(`v2,abc ${signWebhook([secret], MSG_ID, NOW, BODY)}`)).toBe(true);
  });

  it("refuses stale or future timestamps by the caller's clock", () => {
    const signature = signWebhook([secret], MSG_ID, NOW, BODY);
    expect(verifies(signature, { now: NOW + 301 })).toBe(false);
    expect(verifies(signature, { now: NOW - 301 })).toBe(false);
    expect(verifies(signature, { now: NOW + 30, toleranceSeconds: 10 })).toBe(false);
  });

  it("refuses tampering and malformed input with its own error", () => {
    const signature = signWebhook([secret], MSG_ID, NOW, BODY);
    expect(verifies(signature, { body: `${BODY} ` })).toBe(false);
    expect(verifies(signature, { id: "evt_other" })).toBe(false);
    expect(verifies(signature, { secret: newWebhookSecret() })).toBe(false);
    expect(verifies(signature, { timestamp: "soon" })).toBe(false);
    expect(verifies(signature, { secret: "garbage" })).toBe(false);
    expect(verifies(signature.replace("v1,", "v2,"))).toBe(false);
    expect(verifies("v1,!!!")).toBe(false);
  });
});
