/**
 * Raw signed requests for tests that need to send exactly the bytes and headers they choose:
 * replays, tampered bodies, foreign signers.
 */
import { randomUUID } from "node:crypto";
import { signRequest, type SigningKey } from "../../openapi/client/signing.js";
import type { Fetcher } from "../support/api.js";

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function send(
  url: string,
  init: { method: string; headers: Headers | Record<string, string>; body?: string },
  fetcher: Fetcher = fetch,
): Promise<RawResponse> {
  const res = await fetcher(url, { method: init.method, headers: init.headers, ...(init.body !== undefined && { body: init.body }) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Headers for a signed JSON POST, ready to be sent (or altered) by the caller. */
export function signedPost(
  url: string,
  key: SigningKey,
  body: string,
  opts: { idempotencyKey?: string; now?: () => number; headers?: Record<string, string> } = {},
): Headers {
  const headers = new Headers({ "idempotency-key": opts.idempotencyKey ?? randomUUID(), ...opts.headers });
  return signRequest(key, { method: "POST", url, headers, body }, opts.now ? { now: opts.now } : {});
}

export function signedGet(url: string, key: SigningKey, opts: { now?: () => number } = {}): Headers {
  return signRequest(key, { method: "GET", url, headers: new Headers() }, opts.now ? { now: opts.now } : {});
}

export const PROBLEM = "application/problem+json";
