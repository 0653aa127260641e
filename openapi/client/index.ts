/**
 * The typed Hoptrace client: openapi-fetch over the types generated from openapi/openapi.json,
 * with every request signed and every POST given an Idempotency-Key. A POST retried with the same
 * key (pass it in `params.header`) replays the stored response instead of acting twice.
 */
import { randomUUID } from "node:crypto";
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";
import { signedFetch, type SignOptions, type SigningKey } from "./signing.js";

export type { components, operations, paths };
export { signedFetch, signingKeyFromJwk, signRequest, type SigningKey, type SignOptions } from "./signing.js";
export { keyProof, newAccountId } from "./registration.js";
export { verifyHubSignature, verifyWebhook, WebhookVerificationError, type WebhookHeaders, type WebhookPayload } from "./webhooks.js";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** The Idempotency-Key is required by the contract; the client supplies one when the caller does not. */
type IdempotencyKeyOptional<Op> = Op extends { parameters: { header: infer H } }
  ? H extends { "idempotency-key": string }
    ? Omit<Op, "parameters"> & { parameters: Omit<Op["parameters"], "header"> & { header?: Omit<H, "idempotency-key"> & { "idempotency-key"?: string } } }
    : Op
  : Op;

export type HoptracePaths = { [P in keyof paths]: { [M in keyof paths[P]]: IdempotencyKeyOptional<paths[P][M]> } };

export type HoptraceClient = Client<HoptracePaths>;

export interface HoptraceClientOptions extends SignOptions {
  /** The public URL of the API, e.g. https://api.hoptrace.example (no trailing /v1). */
  baseUrl: string;
  key: SigningKey;
  fetch?: typeof fetch;
  /** Source of Idempotency-Keys; random UUIDs by default. */
  newIdempotencyKey?: () => string;
}

export function idempotencyKeys(newKey: () => string = randomUUID): Middleware {
  return {
    onRequest({ request }) {
      if (request.method === "POST" && !request.headers.has("idempotency-key")) request.headers.set("idempotency-key", newKey());
      return request;
    },
  };
}

export function createHoptraceClient(opts: HoptraceClientOptions): HoptraceClient {
  const { baseUrl, key, fetch: inner, newIdempotencyKey, ...signOptions } = opts;
  const client = createClient<HoptracePaths>({
    baseUrl: baseUrl.replace(/\/$/, ""),
    fetch: signedFetch(key, { ...signOptions, ...(inner && { fetch: inner }) }),
  });
  client.use(idempotencyKeys(newIdempotencyKey));
  return client;
}
