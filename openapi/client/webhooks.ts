/**
 * Receiving Hoptrace webhooks: the Standard Webhooks check every receiver needs (with the
 * `standardwebhooks` library), and the hub's RFC 9421 signature for receivers that keep deliveries
 * as evidence. Pass the body exactly as received: both signatures cover its bytes, and
 * re-serialised JSON would not match.
 */
import { createPublicKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { verifyContentDigest } from "./content-digest.js";
import { SIGNATURE_TAG, WEBHOOK_SIGNATURE_COMPONENTS, messageFromHeaders } from "./signature-base.js";
import { verifyMessage } from "./signature-verify.js";
import type { components } from "./schema.js";

/** The version of the event shape this client reads. */
const EVENT_VERSION = 2;

/** A delivery's body: the event as the feed lists it. */
export type WebhookPayload = components["schemas"]["Event"];

/** A Fetch `Headers`, or a plain record such as Node's `IncomingHttpHeaders`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type WebhookVerificationCode = "missing_header" | "timestamp_out_of_range" | "invalid_signature" | "invalid_payload" | "digest_mismatch";

export class WebhookVerificationError extends Error {
  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
  ) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

const DEFAULT_TOLERANCE_SECONDS = 300;

function headerReader(headers: WebhookHeaders): (name: string) => string {
  const view = messageFromHeaders({ headers });
  return (name) => {
    const value = view.header(name);
    if (value === undefined || value === "") throw new WebhookVerificationError("missing_header", `the ${name} header is missing`);
    return value;
  };
}

const bodyText = (body: string | Uint8Array) => (typeof body === "string" ? body : new TextDecoder().decode(body));

/**
 * Verifies a delivery per Standard Webhooks and returns its payload. `secret` is the endpoint's
 * `whsec_` secret; during a rotation pass both the new and the previous one.
 */
export function verifyWebhook(opts: {
  secret: string | readonly string[];
  headers: WebhookHeaders;
  body: string | Uint8Array;
  now?: Date;
  toleranceSeconds?: number;
}): WebhookPayload {
  const header = headerReader(opts.headers);
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signature = header("webhook-signature");
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError("timestamp_out_of_range", "webhook-timestamp is not within the tolerated window");
  }
  const body = bodyText(opts.body);
  const secrets = typeof opts.secret === "string" ? [opts.secret] : opts.secret;
  if (!secrets.some((secret) => signedWith(secret, id, Number(timestamp), body, signature))) {
    throw new WebhookVerificationError("invalid_signature", "no webhook-signature entry matches the secret");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError("invalid_payload", "the body is not JSON");
  }
  if (typeof payload === "object" && payload !== null && (payload as { version?: unknown }).version !== EVENT_VERSION) {
    throw new WebhookVerificationError(
      "invalid_payload",
      `the event is of version ${JSON.stringify((payload as { version?: unknown }).version ?? 1)}; this client reads version ${EVENT_VERSION}`,
    );
  }
  if (!isPayload(payload) || payload.id !== id) {
    throw new WebhookVerificationError("invalid_payload", "the body is not a webhook payload for this webhook-id");
  }
  return payload;
}

/**
 * The library computes the entry the secret makes; its own `verify` would also judge the timestamp
 * by the wall clock, where the window above is judged by the caller's clock (`now`).
 */
function signedWith(secret: string, id: string, timestamp: number, body: string, header: string): boolean {
  let expected: Buffer;
  try {
    expected = Buffer.from(new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
  } catch {
    return false;
  }
  return header.split(" ").some((entry) => {
    const received = Buffer.from(entry);
    return received.length === expected.length && timingSafeEqual(received, expected);
  });
}

function isPayload(value: unknown): value is WebhookPayload {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.type === "string" &&
    typeof v.createdAt === "string" &&
    typeof v.recipientId === "string" &&
    typeof v.data === "object" &&
    v.data !== null
  );
}

/**
 * Verifies the hub's RFC 9421 signature over content-type, content-digest, webhook-id and
 * webhook-timestamp, and the Content-Digest over the body, with the keys published at
 * `/.well-known/jwks.json`. Returns the id of the hub key that signed.
 */
export async function verifyHubSignature(opts: {
  headers: WebhookHeaders;
  body: string | Uint8Array;
  jwks: { keys: readonly object[] };
  now?: Date;
  maxSkewSeconds?: number;
}): Promise<{ keyId: string }> {
  const message = messageFromHeaders({ headers: opts.headers });
  const result = await verifyMessage({
    message,
    now: Math.floor((opts.now ?? new Date()).getTime() / 1000),
    maxSkewSeconds: opts.maxSkewSeconds ?? 60,
    maxLifetimeSeconds: DEFAULT_TOLERANCE_SECONDS,
    requiredTag: SIGNATURE_TAG,
    requireExpires: true,
    requiredComponents: WEBHOOK_SIGNATURE_COMPONENTS,
    resolveKey: async (keyid) => {
      const jwk = opts.jwks.keys.find((k) => (k as { kid?: unknown }).kid === keyid);
      if (jwk === undefined) return undefined;
      return publicKeyOf(jwk);
    },
  });
  if (!result.ok) {
    const code =
      result.reason === "missing_component"
        ? "missing_header"
        : result.reason === "expired" || result.reason === "not_yet_valid"
          ? "timestamp_out_of_range"
          : "invalid_signature";
    throw new WebhookVerificationError(code, `the hub signature is not valid (${result.reason})`);
  }
  const digest = message.header("content-digest");
  if (digest === undefined || !verifyContentDigest(digest, opts.body)) {
    throw new WebhookVerificationError("digest_mismatch", "Content-Digest does not match the body");
  }
  return { keyId: result.keyid };
}

function publicKeyOf(jwk: object): KeyObject | undefined {
  const { kty, crv, x } = jwk as { kty?: unknown; crv?: unknown; x?: unknown };
  if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string") return undefined;
  try {
    return createPublicKey({ key: { kty, crv, x }, format: "jwk" });
  } catch {
    return undefined;
  }
}
