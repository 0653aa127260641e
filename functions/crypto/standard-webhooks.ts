/**
 * Standard Webhooks (standardwebhooks.com) signatures: HMAC-SHA256 over "id.timestamp.body" with
 * a per-endpoint secret, so receivers can verify our deliveries with any Standard Webhooks library
 * (the client package verifies them with the `standardwebhooks` one).
 */
import { createHmac, randomBytes } from "node:crypto";

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class WebhookSecretError extends Error {
  readonly code = "invalid_webhook_secret";
  constructor(message: string) {
    super(message);
    this.name = "WebhookSecretError";
  }
}

export function newWebhookSecret(random: (size: number) => Uint8Array = randomBytes): string {
  return `${SECRET_PREFIX}${Buffer.from(random(SECRET_BYTES)).toString("base64")}`;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new WebhookSecretError(`a webhook secret starts with ${SECRET_PREFIX}`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !STANDARD_BASE64.test(encoded)) {
    throw new WebhookSecretError("a webhook secret is whsec_ followed by standard base64");
  }
  return Buffer.from(encoded, "base64");
}

function hmac(key: Buffer, msgId: string, timestampSeconds: number, body: string): Buffer {
  return createHmac("sha256", key).update(`${msgId}.${timestampSeconds}.${body}`, "utf8").digest();
}

/**
 * The `webhook-signature` header value. During secret rotation every active secret signs, so a
 * receiver holding either the old or the new secret accepts the delivery.
 */
export function signWebhook(secrets: string[], msgId: string, timestampSeconds: number, body: string): string {
  if (secrets.length === 0) throw new WebhookSecretError("at least one webhook secret is needed");
  if (!Number.isSafeInteger(timestampSeconds)) throw new RangeError("the timestamp is whole epoch seconds");
  return secrets.map((secret) => `v1,${hmac(secretKey(secret), msgId, timestampSeconds, body).toString("base64")}`).join(" ");
}
