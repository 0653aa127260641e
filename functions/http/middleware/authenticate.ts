/**
 * RFC 9421 request authentication (PROTOCOL.md §1). Runs before the body is parsed, in the order
 * the protocol fixes: size cap, signature syntax/components/tag, key, time window, signature,
 * digest, replay. A signature is recorded as seen only once the request has fully verified, so a
 * copy with a tampered body cannot use up the genuine request's signature. Every failure is the
 * same 401: which check failed is logged, never returned.
 *
 * The few routes listed in unregistered-routes.ts are let through without a registered key: a
 * public one unsigned, and the enrolment signed by the key in its own body, which the route then
 * registers. Both count against their client address's rate rather than an account's.
 */
import { createHash, type KeyObject } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { SIGNATURE_TAG, messageFromHeaders, verifyMessage } from "../../crypto/httpsig.js";
import { verifyContentDigest } from "../../../openapi/client/content-digest.js";
import { importPublicJwk, InvalidKeyError } from "../../crypto/keys.js";
import type { SigningKeyRecord } from "../../domain/account.js";
import { readNewKey } from "../../usecases/accounts.js";
import type { AppDeps, AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { clientAddress, unregisteredAccess } from "../unregistered-routes.js";

const UNAUTHENTICATED = "the request signature could not be verified";

/** The components every request must cover; a request with a body also covers its digest. */
export function requiredComponents(hasBody: boolean, hasIdempotencyKey: boolean): string[] {
  return [
    "@method",
    "@target-uri",
    ...(hasBody ? ["content-type", "content-digest"] : []),
    ...(hasIdempotencyKey ? ["idempotency-key"] : []),
  ];
}

export function authenticate(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const { settings } = deps;
  const base = new URL(settings.publicUrl);
  const basePath = base.pathname.replace(/\/$/, "");

  return async (c, next) => {
    const access = unregisteredAccess(c.req.method, c.req.path);
    if (access === "public") {
      c.set("caller", `addr:${clientAddress(c)}`);
      return next();
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (Number.isFinite(declared) && declared > settings.maxBodyBytes) throw tooLarge(settings.maxBodyBytes);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.byteLength > settings.maxBodyBytes) throw tooLarge(settings.maxBodyBytes);

    const url = new URL(c.req.url);
    const targetUri = `${base.origin}${basePath}${url.pathname}${url.search}`;
    const hasBody = raw.byteLength > 0 || ["POST", "PUT", "PATCH"].includes(c.req.method);
    const idempotencyKey = c.req.header("idempotency-key");
    const message = messageFromHeaders({ method: c.req.method, targetUri, headers: c.req.raw.headers });
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    // An enrolment is signed by the key it registers: the only key it can be verified with.
    const selfKey = access === "self_signed" ? await keyInBody(raw) : undefined;

    let keyRecord: SigningKeyRecord | undefined;
    const result = await verifyMessage({
      message,
      now: nowSeconds,
      maxSkewSeconds: settings.maxClockSkewSeconds,
      maxLifetimeSeconds: settings.maxSignatureLifetimeSeconds,
      requiredTag: SIGNATURE_TAG,
      requireExpires: true,
      requiredComponents: requiredComponents(hasBody, idempotencyKey !== undefined),
      resolveKey: async (keyid) => {
        if (selfKey) return keyid === selfKey.keyId ? selfKey.key : undefined;
        const record = await deps.accounts.getKey(keyid);
        if (!record || record.status !== "active") return undefined;
        let key: KeyObject;
        try {
          key = importPublicJwk(record.publicJwk);
        } catch (err) {
          // A weak key stored before keys were checked at registration signs nothing.
          if (err instanceof InvalidKeyError) return undefined;
          throw err;
        }
        keyRecord = record;
        return key;
      },
    });
    const signer = selfKey ?? keyRecord;
    if (!result.ok || !signer) return refuse(deps, c.get("requestId"), result.ok ? "unknown_key" : result.reason);

    const contentDigest = c.req.header("content-digest");
    if (hasBody && (!contentDigest || !verifyContentDigest(contentDigest, raw))) return refuse(deps, c.get("requestId"), "digest_mismatch");

    const signatureHash = createHash("sha256").update(result.signature).digest("hex");
    const expires = (result.params.expires ?? nowSeconds) + settings.maxClockSkewSeconds;
    if (!(await deps.requests.firstSighting(signatureHash, expires, nowSeconds))) return refuse(deps, c.get("requestId"), "replay");

    if (keyRecord) {
      c.set("principal", { accountId: keyRecord.accountId, kind: keyRecord.accountKind, keyId: keyRecord.keyId, ...(keyRecord.person && { person: keyRecord.person }) });
      c.set("caller", `acc:${keyRecord.accountId}`);
    } else {
      c.set("enrolling", { keyId: signer.keyId, publicJwk: signer.publicJwk });
      c.set("caller", `addr:${clientAddress(c)}`);
    }
    c.set("signed", {
      method: c.req.method,
      targetUri,
      keyId: signer.keyId,
      publicJwk: signer.publicJwk,
      signatureInput: c.req.header("signature-input")!,
      signature: c.req.header("signature")!,
      body: new TextDecoder().decode(raw),
      ...(contentDigest !== undefined && { contentDigest }),
      ...(idempotencyKey !== undefined && { idempotencyKey }),
      ...(c.req.header("content-type") !== undefined && { contentType: c.req.header("content-type")! }),
    });
    await next();
  };
}

/** The `publicJwk` of a JSON body, checked as strictly as at any registration. */
function keyInBody(raw: Uint8Array): ReturnType<typeof readNewKey> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ProblemError(400, "malformed_request", "the request body is not valid JSON or has the wrong content type");
  }
  return readNewKey(typeof body === "object" && body !== null ? (body as { publicJwk?: unknown }).publicJwk : undefined, "");
}

function refuse(deps: AppDeps, requestId: string, reason: string): never {
  deps.log.warn("request signature refused", { requestId, reason });
  throw new ProblemError(401, "unauthenticated", UNAUTHENTICATED, undefined, { "www-authenticate": 'Signature realm="hoptrace"' });
}

function tooLarge(max: number): ProblemError {
  return new ProblemError(413, "payload_too_large", `the request body is larger than ${max} bytes`);
}
