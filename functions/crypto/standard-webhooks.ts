/**
 * Standard Webhooks (standardwebhooks.com) signatures: HMAC-SHA256 over "id.timestamp.body" with
 * a per-endpoint secret, so receivers can verify our deliveries with any Standard Webhooks library.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

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
  return secrets
    .map((secret) => `v1,${hmac(secretKey(secret), msgId, timestampSeconds, body).toString("base64")}`)
    .join(" ");
}

/** Receiver-side check; false for any bad or stale input, never an exception. */
export function verifyWebhookSignature(
  secret: string,
  msgId: string,
  timestamp: number | string,
  body: string,
  header: string,
  now: number,
  toleranceSeconds = 300,
): boolean {
  const seconds = typeof timestamp === "number" ? timestamp : /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!Number.isSafeInteger(seconds) || Math.abs(now - seconds) > toleranceSeconds) return false;
  let expected: Buffer;
  try {
    expected = hmac(secretKey(secret), msgId, seconds, body);
  } catch {
    return false;
  }
  let matched = false;
  for (const entry of header.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const encoded = entry.slice(comma + 1);
    if (!STANDARD_BASE64.test(encoded)) continue;
    const received = Buffer.from(encoded, "base64");
    if (received.length === expected.length && timingSafeEqual(received, expected)) matched = true;
  }
  return matched;
}
