/**
 * The checks of one signed request of an evidence bundle, with nothing from the hub but its
 * JWKS: the signer's key is strong, named by its thumbprint and registered by its holder; the
 * RFC 9421 signature verifies with it as of when the hub accepted the request; the body matches
 * its Content-Digest; the receipt is the hub's, for exactly this request (and this response,
 * when the bundle carries it), and commits to the log entry the bundle proves.
 */
import type { KeyObject } from "node:crypto";
import { contentDigest, verifyContentDigest } from "../../openapi/client/content-digest.js";
import { carriesBody, messageFromHeaders, requiredComponents, SIGNATURE_TAG, verifyMessage } from "../crypto/httpsig.js";
import { verifyKeyProof } from "../crypto/key-proof.js";
import { importPublicJwk, jwkThumbprint } from "../crypto/keys.js";
import { verifyReceipt, type ReceiptClaims } from "../crypto/receipt.js";
import { logEntrySchema, requestEntry, requestStatement, statementDigest, type LogEntry } from "../domain/log/entry.js";
import type { EvidenceBundleBody } from "../http/schemas/evidence-bundle.js";

type LoggedRequest = EvidenceBundleBody["requests"][number];

/** What a request did, read from its method and target. */
export type RequestAction =
  | { kind: "create" | "create_batch" | "close" | "reopen"; tracebackId?: string }
  | { kind: "answer" | "amend" | "assign"; hopId: string }
  | { kind: "other"; path: string };

export interface CheckedRequest {
  statementId: string;
  action: RequestAction;
  /** The body as JSON, when it is JSON. */
  body: unknown;
  key: LoggedRequest["key"];
  /** When the hub accepted it: its log entry's time. */
  acceptedAt?: string;
  problems: string[];
}

/** A signature may be made this long before or after the hub accepted it (the hub's limits are tighter). */
const WINDOW_SECONDS = 300;
const LIFETIME_SECONDS = 300;

export async function checkRequest(r: LoggedRequest, ctx: { jwks: { keys: object[] }; issuer: string; entry: LogEntry | undefined }): Promise<CheckedRequest> {
  const problems: string[] = [];
  const { method, targetUri, headers, body } = r.request;
  const key = await checkKey(r.key, problems);

  let claims: ReceiptClaims | undefined;
  try {
    claims = await verifyReceipt(r.receipt, ctx.jwks);
  } catch {
    problems.push("the receipt is not signed by the hub's key");
  }
  const acceptedAt = claims?.log?.time;

  const hasBody = carriesBody(method, Buffer.byteLength(body));
  if (key && acceptedAt !== undefined) {
    const verified = await verifyMessage({
      message: messageFromHeaders({ method, targetUri, headers }),
      now: Math.floor(Date.parse(acceptedAt) / 1000),
      maxSkewSeconds: WINDOW_SECONDS,
      maxLifetimeSeconds: LIFETIME_SECONDS,
      requiredTag: SIGNATURE_TAG,
      requireExpires: true,
      requiredComponents: requiredComponents(hasBody, headers["idempotency-key"] !== undefined),
      resolveKey: async (keyid) => (keyid === r.key.keyId ? key : undefined),
    });
    if (!verified.ok) problems.push(`the RFC 9421 signature does not verify with the signer's key (${verified.reason})`);
  }
  if (hasBody && !(headers["content-digest"] !== undefined && verifyContentDigest(headers["content-digest"], body)))
    problems.push("the body does not match its Content-Digest");

  if (claims) checkReceipt(r, claims, ctx, problems);
  return {
    statementId: r.statementId,
    action: actionOf(method, targetUri, ctx.issuer),
    body: parseJson(body),
    key: r.key,
    ...(acceptedAt !== undefined && { acceptedAt }),
    problems,
  };
}

async function checkKey(snapshot: LoggedRequest["key"], problems: string[]): Promise<KeyObject | undefined> {
  let key: KeyObject;
  try {
    key = importPublicJwk(snapshot.publicJwk);
  } catch (err) {
    problems.push(`the signer's key is refused: ${(err as Error).message}`);
    return undefined;
  }
  if ((await jwkThumbprint(snapshot.publicJwk)) !== snapshot.keyId) problems.push("the key id is not the key's RFC 7638 thumbprint");
  if (snapshot.proof !== undefined && !provedKey(key, snapshot.publicJwk.x, snapshot.accountId, snapshot.keyId, snapshot.proof)) {
    problems.push(`the key's registration proof does not verify: its holder did not register it to ${snapshot.accountId}`);
  }
  return key;
}

/**
 * A key signs many requests, each carrying the same proof: a proof is checked once per key,
 * account, key id and proof (all it depends on), however many bundles show it.
 */
const proofs = new Map<string, boolean>();
const PROOFS_MAX = 10_000;

function provedKey(key: KeyObject, x: string, accountId: string, keyId: string, proof: string): boolean {
  const id = `${x}\n${accountId}\n${keyId}\n${proof}`;
  let ok = proofs.get(id);
  if (ok === undefined) {
    ok = verifyKeyProof(key, accountId, keyId, proof);
    if (proofs.size >= PROOFS_MAX) proofs.delete(proofs.keys().next().value!);
    proofs.set(id, ok);
  }
  return ok;
}

function checkReceipt(r: LoggedRequest, claims: ReceiptClaims, ctx: { issuer: string; entry: LogEntry | undefined }, problems: string[]): void {
  const h = r.request.headers;
  const expected: Record<string, string | undefined> = {
    method: r.request.method,
    target_uri: r.request.targetUri,
    keyid: r.key.keyId,
    signature_input: h["signature-input"],
    signature: h.signature,
    content_digest: h["content-digest"],
    idempotency_key: h["idempotency-key"],
  };
  const differing = Object.keys(expected).filter((k) => (claims.req as Record<string, string | undefined>)[k] !== expected[k]);
  if (differing.length > 0) problems.push(`the receipt is for another request (${differing.join(", ")})`);
  if (claims.iss !== ctx.issuer) problems.push(`the receipt was issued by ${claims.iss}, not ${ctx.issuer}`);
  if (claims.sub !== r.key.accountId) problems.push(`the receipt names the caller ${claims.sub}, not the key's account ${r.key.accountId}`);
  if (claims.res.status >= 300) problems.push(`the receipt is for a refusal (${claims.res.status})`);
  if (r.response && (claims.res.status !== r.response.status || claims.res.content_digest !== contentDigest(r.response.body)))
    problems.push("the response is not the one the receipt covers");
  if (!claims.log) {
    problems.push("the receipt commits to no log entry");
    return;
  }
  if (claims.log.id !== r.statementId) problems.push(`the receipt commits to statement ${claims.log.id}, not ${r.statementId}`);
  if (claims.log.sha256 !== statementDigest(requestStatement(r.request))) problems.push("the receipt commits to the entry of another request");
  let committed: LogEntry;
  try {
    committed = requestEntry(claims.log, r.receipt);
  } catch {
    problems.push("the receipt's log claim is not a log entry");
    return;
  }
  if (ctx.entry && !sameEntry(ctx.entry, committed)) problems.push("the log entry proved is not the one the receipt commits to");
}

/**
 * Two entries of the schema's fields, each a string or a number, are the same entry (their
 * canonical bytes are equal) when every field is.
 */
const ENTRY_FIELDS = Object.keys(logEntrySchema.shape) as Array<keyof LogEntry>;
const sameEntry = (a: LogEntry, b: LogEntry) => ENTRY_FIELDS.every((k) => a[k] === b[k]);

/** The action of a request, from its target relative to the hub's URL. */
export function actionOf(method: string, targetUri: string, issuer: string): RequestAction {
  let path: string;
  try {
    const url = new URL(targetUri);
    const base = new URL(issuer);
    const prefix = base.pathname.replace(/\/$/, "");
    if (url.origin !== base.origin || !url.pathname.startsWith(`${prefix}/`)) return { kind: "other", path: targetUri };
    path = url.pathname.slice(prefix.length);
  } catch {
    return { kind: "other", path: targetUri };
  }
  if (method !== "POST") return { kind: "other", path };
  if (path === "/v1/tracebacks") return { kind: "create" };
  if (path === "/v1/tracebacks:batch") return { kind: "create_batch" };
  const tb = /^\/v1\/tracebacks\/([^/]+)\/(close|reopen)$/.exec(path);
  if (tb) return { kind: tb[2] as "close" | "reopen", tracebackId: decodeURIComponent(tb[1]!) };
  const hop = /^\/v1\/hop-requests\/([^/]+)\/(answer|amendments|assign)$/.exec(path);
  if (hop) return { kind: hop[2] === "amendments" ? "amend" : (hop[2] as "answer" | "assign"), hopId: decodeURIComponent(hop[1]!) };
  return { kind: "other", path };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
