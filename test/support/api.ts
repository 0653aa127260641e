/**
 * Signed requests to a hub as the tests make them: parties with their keys, account registration
 * through the consortium, the call and evidence most tests use. Over real HTTP by default, or
 * through any fetch (an application's in-process `request`).
 */
import { randomUUID } from "node:crypto";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import type { AppDeps } from "../../functions/http/env.js";
import { keyProof, newAccountId } from "../../openapi/client/registration.js";
import { signRequest, type SigningKey } from "../../openapi/client/signing.js";

/** A hub the tests talk to, over HTTP or in process: its parties, and its ports for what no route shows. */
export interface HubParties {
  url: string;
  deps: AppDeps;
  consortium: Party;
  registerProvider(name: string, extra?: Record<string, unknown>): Promise<Party>;
  registerInitiator(name: string): Promise<Party>;
  /** Requests signed with `key`, reaching this hub. */
  apiFor(key: SigningKey): Api;
  /** Reaches this hub with a request as it is (unsigned, or signed by the caller). */
  fetch: Fetcher;
  stop(): Promise<void>;
}

/** How a request reaches the hub. */
export type Fetcher = (url: string, init: RequestInit) => Response | Promise<Response>;

export interface Party {
  id: string;
  key: SigningKey;
  api: Api;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface Api {
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body: unknown, opts?: { idempotencyKey?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
}

export function apiFor(url: string, key: SigningKey, now?: () => number, fetcher: Fetcher = fetch): Api {
  const send = async (method: string, path: string, body?: string, extra: Record<string, string> = {}) => {
    const target = `${url}${path}`;
    const headers = signRequest(
      key,
      { method, url: target, headers: new Headers(extra), ...(body !== undefined && { body }) },
      now ? { now, lifetimeSeconds: 300 } : {},
    );
    const res = await fetcher(target, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as any };
  };
  return {
    get: (path) => send("GET", path),
    post: (path, body, opts = {}) => {
      const idem = opts.idempotencyKey === undefined ? randomUUID() : opts.idempotencyKey;
      return send("POST", path, JSON.stringify(body), { ...(idem !== null && { "idempotency-key": idem }), ...opts.headers });
    },
  };
}

export interface NewKey {
  key: SigningKey;
  publicJwk: { kty: "OKP"; crv: "Ed25519"; x: string };
  /** The body that registers this key to `accountId`: its public JWK and its proof for that account. */
  registration(accountId: string, label?: string): { publicJwk: { kty: "OKP"; crv: "Ed25519"; x: string }; proof: string; label?: string };
}

export async function newKey(): Promise<NewKey> {
  const k = await generateSigningKey();
  const key = { privateKey: k.privateKey, keyId: k.kid };
  return {
    key,
    publicJwk: k.publicJwk,
    registration: (accountId, label) => ({ publicJwk: k.publicJwk, proof: keyProof(key, accountId), ...(label !== undefined && { label }) }),
  };
}

let frnCounter = 1_000_000;

/** A provider's registration as the tests make it: a fresh FRN and a NOC contact. */
export function providerRegistration(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, frn: String(frnCounter++).padStart(10, "0"), contact: { name: "NOC", email: "noc@carrier.example" }, ...extra };
}

/** An initiator's registration as the tests make it. */
export function initiatorRegistration(name: string): Record<string, unknown> {
  return { name, contact: { name: "Unit", email: "unit@agency.example" } };
}

/** Registers an account through the consortium with one new key: the one place the tests build a key registration. */
export async function registerAccount(
  url: string,
  consortium: Api,
  kind: "providers" | "initiators",
  body: Record<string, unknown>,
  now?: () => number,
  fetcher?: Fetcher,
): Promise<Party> {
  const k = await newKey();
  const id = newAccountId();
  const res = await consortium.post(`/v1/${kind}`, { id, ...body, keys: [k.registration(id)] });
  if (res.status !== 201) throw new Error(`registering ${kind} failed: ${res.status} ${res.text}`);
  return { id: res.body.account.id, key: k.key, api: apiFor(url, k.key, now, fetcher) };
}

export const CALL = { callingNumber: "+1 (305) 555-0123", calledNumber: "12025550143", callTime: "2024-06-03T12:00:00-04:00" };

export const EVIDENCE = { ingressTrunk: "TRUNK-7", sipCallId: "a84b4c76e66710@pc33.example" };

/** Answers the open hop request of a traceback that `p` was asked, as `p`; fails the test unless accepted. */
export async function answerOpenHop(p: Party, tracebackId: string, body: Record<string, unknown>): Promise<ApiResponse> {
  const open = await p.api.get("/v1/hop-requests?status=open&limit=100");
  const hop = open.body.items.find((h: { tracebackId: string }) => h.tracebackId === tracebackId);
  if (!hop) throw new Error(`${p.id} has no open hop request of ${tracebackId}`);
  const res = await p.api.post(`/v1/hop-requests/${hop.id}/answer`, body);
  if (res.status !== 200) throw new Error(`answer refused: ${res.status} ${res.text}`);
  return res;
}
