/**
 * The console's API client: the generated client's types and Idempotency-Keys over the browser
 * signer. Every call is an ordinary signed request; the console has no session of its own.
 */
import { hoptraceClient, type HoptraceClient } from "../../../openapi/client/client.js";
import type { components } from "../../../openapi/client/schema.js";
import { signingFetch } from "../../../openapi/client/request-signing.js";
import { API_URL, sameOrigin } from "./env.js";
import { signRequest } from "./signer.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `the hub answered ${status}`);
    this.name = "ApiError";
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
}

/**
 * The hub's clock as last seen in a response's Date header. A browser whose clock is off by more
 * than the hub's allowed skew would otherwise have every signature refused.
 */
let clockOffsetMs = 0;
const hubNow = () => Date.now() + clockOffsetMs;

function noteServerDate(response: Response): void {
  const date = Date.parse(response.headers.get("date") ?? "");
  if (!Number.isNaN(date) && Math.abs(date - Date.now()) > 5_000) clockOffsetMs = date - Date.now();
}

export interface SignerKey {
  privateKey: CryptoKey;
  keyId: string;
}

/** A fetch that signs with `key`, for the public URL, and sends to this page's origin. */
export function consoleFetch(key: SignerKey): typeof fetch {
  const signed = signingFetch((req) => signRequest(key, req, { now: hubNow }), { sendTo: sameOrigin });
  return async (input, init) => {
    const response = await signed(input, init);
    noteServerDate(response);
    return response;
  };
}

export function createApi(key: SignerKey): HoptraceClient {
  return hoptraceClient(API_URL, consoleFetch(key));
}

async function problemOf(response: Response): Promise<Partial<Problem> | undefined> {
  try {
    return (await response.clone().json()) as Partial<Problem>;
  } catch {
    return undefined;
  }
}

/** The data of a typed call, or an ApiError carrying the hub's problem details. */
export async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (error !== undefined || !response.ok) throw new ApiError(response.status, (error as Partial<Problem> | undefined) ?? (await problemOf(response)));
  return data as T;
}

/**
 * A signed call to a route the console uses beyond the generated types (`path` from /v1 on).
 * Returns the parsed body, or throws the problem.
 */
export async function signedJson<T>(key: SignerKey, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const headers = new Headers({ accept: "application/json" });
  if (method === "POST") headers.set("idempotency-key", crypto.randomUUID());
  // Without it, fetch would label a string body text/plain.
  if (body !== undefined) headers.set("content-type", "application/json");
  const response = await consoleFetch(key)(`${API_URL}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return (await response.json()) as T;
}

/** A signed GET of another representation (`accept`), as a file's contents and the name the hub gives it. */
export async function signedFile(key: SignerKey, path: string, accept: string): Promise<{ blob: Blob; filename?: string }> {
  const response = await consoleFetch(key)(`${API_URL}${path}`, { headers: { accept } });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const filename = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1];
  return { blob: await response.blob(), ...(filename && { filename }) };
}

/** An unsigned read of a public route (an invitation before its key exists). */
export async function publicJson<T>(path: string): Promise<T> {
  const response = await fetch(sameOrigin(`${API_URL}${path}`), { headers: { accept: "application/json" } });
  noteServerDate(response);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return (await response.json()) as T;
}
