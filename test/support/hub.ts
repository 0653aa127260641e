/**
 * A running embedded hub for tests, with a consortium key and helpers to register accounts and
 * send signed requests over real HTTP.
 */
import { randomUUID } from "node:crypto";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import type { Clock } from "../../functions/domain/clock.js";
import { startEmbeddedHub, type EmbeddedHub, type EmbeddedOptions } from "../../functions/local/embedded.js";
import { ensureConsortium } from "../../functions/usecases/bootstrap.js";
import { keyProof, newAccountId } from "../../openapi/client/registration.js";
import { signRequest, type SigningKey } from "../../openapi/client/signing.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

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

export interface TestHub {
  hub: EmbeddedHub;
  url: string;
  consortium: Party;
  registerProvider(name: string, extra?: Record<string, unknown>): Promise<Party>;
  registerInitiator(name: string): Promise<Party>;
  stop(): Promise<void>;
}

export function apiFor(url: string, key: SigningKey, now?: () => number): Api {
  const send = async (method: string, path: string, body?: string, extra: Record<string, string> = {}) => {
    const target = `${url}${path}`;
    const headers = signRequest(key, { method, url: target, headers: new Headers(extra), ...(body !== undefined && { body }) }, now ? { now, lifetimeSeconds: 300 } : {});
    const res = await fetch(target, { method, headers, ...(body !== undefined && { body }) });
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

/** Registers an account through the consortium with one new key: the one place the tests build a key registration. */
export async function registerAccount(url: string, consortium: Api, kind: "providers" | "initiators", body: Record<string, unknown>, now?: () => number): Promise<Party> {
  const k = await newKey();
  const id = newAccountId();
  const res = await consortium.post(`/v1/${kind}`, { id, ...body, keys: [k.registration(id)] });
  if (res.status !== 201) throw new Error(`registering ${kind} failed: ${res.status} ${res.text}`);
  return { id: res.body.account.id, key: k.key, api: apiFor(url, k.key, now) };
}

export async function startTestHub(opts: EmbeddedOptions & { clock?: Clock } = {}): Promise<TestHub> {
  // Tests send bursts from one account on purpose; the rate limit has a test of its own.
  const hub = await startEmbeddedHub({ background: false, ...opts, env: { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000", PUBLIC_RATE_LIMIT_PER_SECOND: "100000", PUBLIC_RATE_LIMIT_BURST: "100000", ...opts.env } });
  const c = await newKey();
  const { accountId } = await ensureConsortium(hub.runtime.deps, c.publicJwk);
  // Clients sign with the hub's clock, so an accelerated hub still accepts their signatures.
  const now = opts.clock ? () => opts.clock!.now().getTime() : undefined;
  const consortium: Party = { id: accountId, key: c.key, api: apiFor(hub.url, c.key, now) };
  return {
    hub,
    url: hub.url,
    consortium,
    registerProvider: (name, extra = {}) => registerAccount(hub.url, consortium.api, "providers", providerRegistration(name, extra), now),
    registerInitiator: (name) => registerAccount(hub.url, consortium.api, "initiators", { name, contact: { name: "Unit", email: "unit@agency.example" } }, now),
    stop: () => hub.stop(),
  };
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
