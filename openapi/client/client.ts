/**
 * The typed client over any signing fetch: openapi-fetch with the types generated from
 * openapi/openapi.json, every POST given an Idempotency-Key. Nothing here imports Node, so the
 * browser console builds its client from this module with its own WebCrypto signer.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema.js";

/** The Idempotency-Key is required by the contract; the client supplies one when the caller does not. */
type IdempotencyKeyOptional<Op> = Op extends { parameters: { header: infer H } }
  ? H extends { "idempotency-key": string }
    ? Omit<Op, "parameters"> & { parameters: Omit<Op["parameters"], "header"> & { header?: Omit<H, "idempotency-key"> & { "idempotency-key"?: string } } }
    : Op
  : Op;

export type HoptracePaths = { [P in keyof paths]: { [M in keyof paths[P]]: IdempotencyKeyOptional<paths[P][M]> } };

export type HoptraceClient = Client<HoptracePaths>;

const randomKey = () => crypto.randomUUID();

export function idempotencyKeys(newKey: () => string = randomKey): Middleware {
  return {
    onRequest({ request }) {
      if (request.method === "POST" && !request.headers.has("idempotency-key")) request.headers.set("idempotency-key", newKey());
      return request;
    },
  };
}

/** `baseUrl` is the API's public URL (no trailing /v1); `fetch` signs what it sends. */
export function hoptraceClient(baseUrl: string, fetch: typeof globalThis.fetch, newIdempotencyKey?: () => string): HoptraceClient {
  const client = createClient<HoptracePaths>({ baseUrl: baseUrl.replace(/\/$/, ""), fetch });
  client.use(idempotencyKeys(newIdempotencyKey));
  return client;
}
