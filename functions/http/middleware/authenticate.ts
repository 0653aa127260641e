/**
 * RFC 9421 request authentication (docs/protocol.md §1). Runs after the body size cap (body-limit.ts)
 * and before the body is parsed, in the order the protocol fixes: signature syntax/components/tag,
 * key, time window, signature, digest, replay. A signature is recorded as seen only once the
 * request has fully verified, so a copy with a tampered body cannot use up the genuine request's
 * signature. Every failure is a 401 (signature-check.ts says how much of the reason it gives).
 */
import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { SIGNATURE_TAG, carriesBody, messageFromHeaders, requiredComponents, verifyMessage } from "../../crypto/httpsig.js";
import { verifyContentDigest } from "../../crypto/digest.js";
import type { SigningKeyRecord } from "../../domain/account.js";
import type { AppDeps, AppEnv } from "../env.js";
import { refuseSignature, signingKeyLookup, verifyRefusal, type SignatureRefusal } from "./signature-check.js";

export function authenticate(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const { settings } = deps;
  const base = new URL(settings.publicUrl);
  const basePath = base.pathname.replace(/\/$/, "");

  return async (c, next) => {
    // Already read, within the cap, by the body limit in front of this middleware.
    const raw = new Uint8Array(await c.req.arrayBuffer());

    const url = new URL(c.req.url);
    const targetUri = `${base.origin}${basePath}${url.pathname}${url.search}`;
    const hasBody = carriesBody(c.req.method, raw.byteLength);
    const idempotencyKey = c.req.header("idempotency-key");
    const message = messageFromHeaders({ method: c.req.method, targetUri, headers: c.req.raw.headers });
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);

    const required = requiredComponents(hasBody, idempotencyKey !== undefined);
    const refuse = (reason: SignatureRefusal) => refuseSignature(deps, c.get("requestId"), reason, { nowSeconds, required });
    const lookup = signingKeyLookup(deps);
    const result = await verifyMessage({
      message,
      now: nowSeconds,
      maxSkewSeconds: settings.maxClockSkewSeconds,
      maxLifetimeSeconds: settings.maxSignatureLifetimeSeconds,
      requiredTag: SIGNATURE_TAG,
      requireExpires: true,
      requiredComponents: required,
      resolveKey: lookup.resolveKey,
    });
    if (!result.ok) return refuse(verifyRefusal(result, c.req.raw.headers, lookup));
    const keyRecord = lookup.record()!;

    const contentDigest = c.req.header("content-digest");
    if (hasBody && (!contentDigest || !verifyContentDigest(contentDigest, raw))) return refuse("digest_mismatch");

    const signatureHash = createHash("sha256").update(result.signature).digest("hex");
    const expires = (result.params.expires ?? nowSeconds) + settings.maxClockSkewSeconds;
    if (!(await deps.requests.firstSighting(signatureHash, expires, nowSeconds))) return refuse("replayed");

    setSignedCaller(c, keyRecord, { targetUri, body: new TextDecoder().decode(raw), ...(contentDigest !== undefined && { contentDigest }), ...(idempotencyKey !== undefined && { idempotencyKey }) });
    await next();
  };
}

/** Names the verified caller and keeps what it signed, for its receipt and the evidence. */
export function setSignedCaller(
  c: Context<AppEnv>,
  keyRecord: SigningKeyRecord,
  signed: { targetUri: string; body: string; contentDigest?: string; idempotencyKey?: string },
): void {
  const contentType = c.req.header("content-type");
  c.set("principal", { accountId: keyRecord.accountId, kind: keyRecord.accountKind, keyId: keyRecord.keyId });
  c.set("signed", {
    method: c.req.method,
    targetUri: signed.targetUri,
    keyId: keyRecord.keyId,
    publicJwk: keyRecord.publicJwk,
    ...(keyRecord.proof !== undefined && { keyProof: keyRecord.proof }),
    signatureInput: c.req.header("signature-input")!,
    signature: c.req.header("signature")!,
    body: signed.body,
    ...(signed.contentDigest !== undefined && { contentDigest: signed.contentDigest }),
    ...(signed.idempotencyKey !== undefined && { idempotencyKey: signed.idempotencyKey }),
    ...(contentType !== undefined && { contentType }),
  });
}
