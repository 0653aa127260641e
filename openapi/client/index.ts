/**
 * @hoptrace/client: the typed Hoptrace client. openapi-fetch over the types generated from the
 * contract, every request signed (RFC 9421 with a fresh nonce, Content-Digest), every POST given an
 * Idempotency-Key, and network errors, 5xx and 429 retried with backoff under that same key, so the
 * hub acts once. Webhook and receipt verification, and typed errors for the hub's problems.
 */
import type { components, operations, paths } from "./schema.js";
import { hoptraceClient, type HoptraceClient } from "./client.js";
import { retryingFetch, type RetryOptions } from "./retry.js";
import { signedFetch, type SignOptions, type SigningKey } from "./signing.js";

export type { components, operations, paths };
export { hoptraceClient, idempotencyKeys, type HoptraceClient, type HoptracePaths } from "./client.js";
export { apiError, HoptraceApiError, HoptraceNetworkError, unwrap, type Problem } from "./errors.js";
export { backoffMs, retryAfterMs, retryingFetch, type RetryEvent, type RetryOptions } from "./retry.js";
export {
  jwkThumbprint,
  newSigningKey,
  publicJwkOf,
  signedFetch,
  signingKeyFromJwk,
  signRequest,
  type PrivateJwk,
  type PublicJwk,
  type RequestToSign,
  type SigningKey,
  type SignOptions,
} from "./signing.js";
export { keyProof, newAccountId, registrationRequest, type Registration } from "./registration.js";
export { InvalidReceiptError, verifyReceipt, type ReceiptClaims } from "./receipt.js";
export {
  verifyHubSignature,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookHeaders,
  type WebhookPayload,
  type WebhookVerificationCode,
} from "./webhooks.js";

export interface HoptraceClientOptions extends SignOptions {
  /** The public URL of the API, e.g. https://api.hoptrace.example (no trailing /v1). */
  baseUrl: string;
  key: SigningKey;
  fetch?: typeof fetch;
  /** Source of Idempotency-Keys; random UUIDs by default. */
  newIdempotencyKey?: () => string;
  /** How failed attempts are retried; `false` sends each request once. */
  retry?: RetryOptions | false;
}

export function createHoptraceClient(opts: HoptraceClientOptions): HoptraceClient {
  const { baseUrl, key, fetch: inner, newIdempotencyKey, retry, ...signOptions } = opts;
  const signed = signedFetch(key, { ...signOptions, ...(inner && { fetch: inner }) });
  return hoptraceClient(baseUrl, retry === false ? signed : retryingFetch(signed, retry), newIdempotencyKey);
}
