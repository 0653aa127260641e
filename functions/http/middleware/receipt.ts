/**
 * Signed receipts (docs/protocol.md §2): every accepted write is answered with a receipt signed by the
 * hub key over the response status and body and the caller's own signature, so neither side can
 * later deny the exchange. The receipt commits to the request's transparency log entry, written
 * before the receipt leaves (usecases/log-exchange.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { contentDigest } from "../../../openapi/client/content-digest.js";
import { requestStatementId } from "../../usecases/log-exchange.js";
import type { SealedResponse, SignedExchange } from "../../usecases/ports.js";
import type { AppDeps, AppEnv } from "../env.js";

export const RECEIPT_HEADER = "hoptrace-receipt";

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
    key: {
      keyId: signed.keyId,
      publicJwk: { ...signed.publicJwk },
      accountId: c.get("principal").accountId,
      ...(signed.keyProof && { proof: signed.keyProof }),
      ...(signed.keyPerson && { person: signed.keyPerson }),
    },
  };
}

/** The statement id the request's log entry has: under the route's subject, or the caller. */
export function requestStatementOf(c: Context<AppEnv>): string {
  return requestStatementId(c.get("subject") ?? c.get("principal").accountId, c.get("requestId"));
}

/**
 * Seals a response: `at` is when the hub accepted the request (the entry's time), as the route
 * recorded it (`c.set("acceptedAt")`) or now. The subject is the route's (`c.set("subject")`), or
 * the caller.
 */
function seal(deps: AppDeps, c: Context<AppEnv>, status: number, body: string): Promise<SealedResponse> {
  const caller = c.get("principal").accountId;
  return deps.receipts.seal({
    requestId: c.get("requestId"),
    subject: c.get("subject") ?? caller,
    caller,
    signed: signedExchange(c),
    response: { status, body },
    at: c.get("acceptedAt") ?? deps.clock.now(),
  });
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
    const sealed = await seal(deps, c, c.res.status, body);
    await sealed.log();
    const headers = new Headers(c.res.headers);
    headers.set("content-digest", contentDigest(body));
    headers.set(RECEIPT_HEADER, sealed.receipt);
    c.res = new Response(body, { status: c.res.status, headers });
  };
}
