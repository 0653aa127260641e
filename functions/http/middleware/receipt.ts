/**
 * Signed receipts (docs/protocol.md §2): every accepted write is answered with a receipt signed by the
 * hub key over the response status and body and the caller's own signature, so neither side can
 * later deny the exchange.
 *
 * Every accepted request is also an entry of the transparency log, and its receipt commits to
 * that entry: the entry's fields are fixed first (statement id, subject, time, nonce, the
 * request's digest) and signed into the receipt's `log` claim; the entry then takes the
 * receipt's digest, and one conditional put writes it. From the receipt alone anyone rebuilds
 * the entry and its leaf hash and asks the log for its inclusion proof; the index is the proof's.
 */
import { randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { contentDigest } from "../../crypto/digest.js";
import { signReceipt } from "../../crypto/receipt.js";
import { requestEntry, requestLogClaim, requestStatement, statementIdFor, type LogEntry } from "../../domain/log/entry.js";
import { appendEntry } from "../../usecases/log-append.js";
import type { SignedExchange } from "../../usecases/ports.js";
import type { AppDeps, AppEnv } from "../env.js";

export const RECEIPT_HEADER = "hoptrace-receipt";

export interface SealedResponse {
  receipt: string;
  /** The request's log entry, which the receipt commits to. */
  entry: LogEntry;
  /**
   * Appends the entry, with the exchange kept beside it unless `keptElsewhere` (an answer keeps
   * its own, on its hop). Idempotent: the same entry again is the one already there.
   */
  log(opts?: { keptElsewhere?: boolean }): Promise<void>;
}

/** The request as received and the key that signed it, as evidence keeps them. */
export function signedExchange(c: Context<AppEnv>): Omit<SignedExchange, "receipt"> {
  const signed = c.get("signed");
  const headers: Record<string, string> = {
    "signature-input": signed.signatureInput,
    signature: signed.signature,
    ...(signed.contentDigest && { "content-digest": signed.contentDigest }),
    ...(signed.contentType && { "content-type": signed.contentType }),
    ...(signed.idempotencyKey && { "idempotency-key": signed.idempotencyKey }),
  };
  return {
    request: { method: signed.method, targetUri: signed.targetUri, headers, body: signed.body },
    key: { keyId: signed.keyId, publicJwk: { ...signed.publicJwk }, accountId: c.get("principal").accountId, ...(signed.keyProof && { proof: signed.keyProof }) },
  };
}

/**
 * Seals a response: `at` is when the hub accepted the request (the entry's time), as the route
 * recorded it (`c.set("acceptedAt")`) or now. The subject is the route's (`c.set("subject")`), or
 * the caller.
 */
export function sealer(deps: AppDeps, c: Context<AppEnv>): (status: number, body: string, at?: Date) => Promise<SealedResponse> {
  return async (status, body, at) => {
    const signed = c.get("signed");
    const hubKey = deps.hubKeys.current;
    const exchange = signedExchange(c);
    const subject = c.get("subject") ?? c.get("principal").accountId;
    const log = requestLogClaim(
      { id: statementIdFor(subject, c.get("requestId")), subject, time: at ?? c.get("acceptedAt") ?? deps.clock.now(), bytes: requestStatement(exchange.request) },
      (deps.transparencyLog.randomBytes ?? randomBytes)(16),
    );
    const receipt = await signReceipt(
      { privateKey: hubKey.privateKey, kid: hubKey.kid },
      {
        iss: deps.settings.publicUrl,
        iat: Math.floor(deps.clock.now().getTime() / 1000),
        jti: c.get("requestId"),
        sub: c.get("principal").accountId,
        req: {
          method: signed.method,
          target_uri: signed.targetUri,
          keyid: signed.keyId,
          signature_input: signed.signatureInput,
          signature: signed.signature,
          ...(signed.contentDigest !== undefined && { content_digest: signed.contentDigest }),
          ...(signed.idempotencyKey !== undefined && { idempotency_key: signed.idempotencyKey }),
        },
        res: { status, content_digest: contentDigest(body) },
        log,
      },
    );
    const entry = requestEntry(log, receipt);
    return {
      receipt,
      entry,
      log: async (opts = {}) => void (await appendEntry(deps.transparencyLog, entry, opts.keptElsewhere ? undefined : { ...exchange, receipt })),
    };
  };
}

/** A JSON response with its Content-Digest and receipt, for routes that seal their own body. */
export function sealedJson(body: string, status: number, receipt: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json", "content-digest": contentDigest(body), [RECEIPT_HEADER]: receipt },
  });
}

/**
 * Seals every successful write that a route did not seal itself, logging the request first:
 * the receipt leaves only once its entry is stored. An idempotent replay never gets here.
 */
export function receipts(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.res.status >= 300 || c.res.headers.has(RECEIPT_HEADER)) return;
    const body = await c.res.clone().text();
    const sealed = await sealer(deps, c)(c.res.status, body);
    await sealed.log();
    const headers = new Headers(c.res.headers);
    headers.set("content-digest", contentDigest(body));
    headers.set(RECEIPT_HEADER, sealed.receipt);
    c.res = new Response(body, { status: c.res.status, headers });
  };
}
