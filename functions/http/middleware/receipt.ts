/**
 * Signed receipts (PROTOCOL.md §2): every accepted write is answered with a receipt signed by the
 * hub key over the response status and body and the caller's own signature, so neither side can
 * later deny the exchange.
 */
import type { Context, MiddlewareHandler } from "hono";
import { contentDigest } from "../../../openapi/client/content-digest.js";
import { signReceipt } from "../../crypto/receipt.js";
import type { AppDeps, AppEnv } from "../env.js";

export const RECEIPT_HEADER = "hoptrace-receipt";

export function sealer(deps: AppDeps, c: Context<AppEnv>): (status: number, body: string) => Promise<string> {
  return (status, body) => {
    const signed = c.get("signed");
    const hubKey = deps.hubKeys.current;
    return signReceipt(
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
      },
    );
  };
}

/** A JSON response with its Content-Digest and receipt, for routes that seal their own body. */
export function sealedJson(body: string, status: number, receipt: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json", "content-digest": contentDigest(body), [RECEIPT_HEADER]: receipt },
  });
}

/** Seals every successful write that a route did not seal itself. */
export function receipts(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.res.status >= 300 || c.res.headers.has(RECEIPT_HEADER)) return;
    const body = await c.res.clone().text();
    const receipt = await sealer(deps, c)(c.res.status, body);
    const headers = new Headers(c.res.headers);
    headers.set("content-digest", contentDigest(body));
    headers.set(RECEIPT_HEADER, receipt);
    c.res = new Response(body, { status: c.res.status, headers });
  };
}
