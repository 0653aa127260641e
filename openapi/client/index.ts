/**
 * The typed Hoptrace client: openapi-fetch over the types generated from openapi/openapi.json,
 * with every request signed and every POST given an Idempotency-Key. A POST retried with the same
 * key (pass it in `params.header`) replays the stored response instead of acting twice.
 */
import type { components, operations, paths } from "./schema.js";
import { hoptraceClient, type HoptraceClient } from "./client.js";
import { signedFetch, type SignOptions, type SigningKey } from "./signing.js";

export type { components, operations, paths };
export { hoptraceClient, idempotencyKeys, type HoptraceClient, type HoptracePaths } from "./client.js";
export { signedFetch, signingKeyFromJwk, signRequest, type SigningKey, type SignOptions } from "./signing.js";
export { keyProof, newAccountId } from "./registration.js";
export { verifyHubSignature, verifyWebhook, WebhookVerificationError, type WebhookHeaders, type WebhookPayload } from "./webhooks.js";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

export interface HoptraceClientOptions extends SignOptions {
  /** The public URL of the API, e.g. https://api.hoptrace.example (no trailing /v1). */
  baseUrl: string;
  key: SigningKey;
  fetch?: typeof fetch;
  /** Source of Idempotency-Keys; random UUIDs by default. */
  newIdempotencyKey?: () => string;
}

export function createHoptraceClient(opts: HoptraceClientOptions): HoptraceClient {
  const { baseUrl, key, fetch: inner, newIdempotencyKey, ...signOptions } = opts;
  return hoptraceClient(baseUrl, signedFetch(key, { ...signOptions, ...(inner && { fetch: inner }) }), newIdempotencyKey);
}
