/**
 * RFC 9421 request authentication (docs/protocol.md §1). Runs after the body size cap (body-limit.ts)
 * and before the body is parsed, in the order the protocol fixes: signature syntax/components/tag,
 * key, time window, signature, digest, replay. A signature is recorded as seen only once the
 * request has fully verified, so a copy with a tampered body cannot use up the genuine request's
 * signature; where it is recorded depends on the request (`replayRecord`). Every failure is a 401
 * (signature-check.ts says how much of the reason it gives).
 *
 * The few routes listed in unregistered-routes.ts are let through without a registered key: a
 * public one unsigned, and the enrolment signed by the key in its own body, which the route then
 * registers. Both count against their client address's rate rather than an account's.
 */
import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { SIGNATURE_TAG, carriesBody, messageFromHeaders, requiredComponents, verifyMessage } from "../../crypto/httpsig.js";
import { verifyContentDigest } from "../../../openapi/client/content-digest.js";
import type { Ed25519PublicJwk } from "../../crypto/keys.js";
import { principalOf, type SigningKeyRecord } from "../../domain/account.js";
import { signerOf } from "../../domain/signer.js";
import { readNewKey } from "../../usecases/accounts.js";
import type { AppDeps, AppEnv, SignedRequest } from "../env.js";
import { ProblemError } from "../problem.js";
import { clientAddress, unregisteredAccess } from "../unregistered-routes.js";
import { RecentSignatures } from "./recent-signatures.js";
import { refuseSignature, signingKeyLookup, verifyRefusal, type SignatureRefusal } from "./signature-check.js";

export function authenticate(deps: AppDeps, replayRefusedByState: RegExp[] = []): MiddlewareHandler<AppEnv> {
  const { settings } = deps;
  const firstSighting = replayRecord(deps, replayRefusedByState);
  const base = new URL(settings.publicUrl);
  const basePath = base.pathname.replace(/\/$/, "");

  return async (c, next) => {
    const access = unregisteredAccess(c.req.method, c.req.path);
    if (access === "public") {
      c.set("caller", `addr:${clientAddress(c)}`);
      return next();
    }
    // Already read, within the cap, by the body limit in front of this middleware.
    const raw = new Uint8Array(await c.req.arrayBuffer());

    const url = new URL(c.req.url);
    const targetUri = `${base.origin}${basePath}${url.pathname}${url.search}`;
    const hasBody = carriesBody(c.req.method, raw.byteLength);
    const idempotencyKey = c.req.header("idempotency-key");
    const message = messageFromHeaders({ method: c.req.method, targetUri, headers: c.req.raw.headers });
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    // An enrolment is signed by the key it registers: the only key it can be verified with.
    const selfKey = access === "self_signed" ? await keyInBody(raw) : undefined;

    const required = requiredComponents(hasBody, idempotencyKey !== undefined);
    const refuse = (reason: SignatureRefusal) => refuseSignature(deps, c.get("requestId"), reason, { nowSeconds, required });
    const lookup = signingKeyLookup(deps, selfKey);
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

    const contentDigest = c.req.header("content-digest");
    if (hasBody && (!contentDigest || !verifyContentDigest(contentDigest, raw))) return refuse("digest_mismatch");

    const signatureHash = createHash("sha256").update(result.signature).digest("hex");
    const expires = (result.params.expires ?? nowSeconds) + settings.maxClockSkewSeconds;
    if (!(await firstSighting(c.req.method, c.req.path, signatureHash, expires, nowSeconds))) return refuse("replayed");

    setSignedCaller(c, selfKey ? { enrolling: selfKey } : lookup.record()!, {
      targetUri,
      body: new TextDecoder().decode(raw),
      ...(contentDigest !== undefined && { contentDigest }),
      ...(idempotencyKey !== undefined && { idempotencyKey }),
    });
    await next();
  };
}

/**
 * Where a signature is recorded as seen (docs/adr/0010): a read's in this instance's memory, for
 * as long as its time window lasts; a write's in the table, unless the route's own conditional
 * write refuses to apply it twice and answers the copy from what it stored
 * (`replayRefusedByState`: the answer to a hop request).
 */
function replayRecord(
  deps: AppDeps,
  replayRefusedByState: RegExp[],
): (method: string, path: string, signatureHash: string, expiresAtSeconds: number, nowSeconds: number) => Promise<boolean> {
  const reads = new RecentSignatures(deps.requests);
  return async (method, path, signatureHash, expiresAtSeconds, nowSeconds) => {
    if (method === "GET" || method === "HEAD") return reads.firstSighting(signatureHash, expiresAtSeconds, nowSeconds);
    if (method === "POST" && replayRefusedByState.some((route) => route.test(path))) return true;
    return deps.requests.firstSighting(signatureHash, expiresAtSeconds, nowSeconds);
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

/**
 * Names the verified caller and keeps what it signed, for its receipt and the evidence: a
 * registered key's account, or, on an enrolment, the new key (its request counts against its
 * client address until the route registers it).
 */
export function setSignedCaller(
  c: Context<AppEnv>,
  by: SigningKeyRecord | { enrolling: { keyId: string; publicJwk: Ed25519PublicJwk } },
  signed: { targetUri: string; body: string; contentDigest?: string; idempotencyKey?: string },
): void {
  const contentType = c.req.header("content-type");
  const key = "enrolling" in by ? by.enrolling : by;
  if ("enrolling" in by) {
    c.set("enrolling", { keyId: key.keyId, publicJwk: key.publicJwk });
    c.set("caller", `addr:${clientAddress(c)}`);
  } else {
    c.set("principal", principalOf(by));
    c.set("caller", `acc:${by.accountId}`);
  }
  c.set("signed", {
    method: c.req.method,
    targetUri: signed.targetUri,
    keyId: key.keyId,
    publicJwk: key.publicJwk,
    ...(!("enrolling" in by) && heldBy(by)),
    signatureInput: c.req.header("signature-input")!,
    signature: c.req.header("signature")!,
    body: signed.body,
    ...(signed.contentDigest !== undefined && { contentDigest: signed.contentDigest }),
    ...(signed.idempotencyKey !== undefined && { idempotencyKey: signed.idempotencyKey }),
    ...(contentType !== undefined && { contentType }),
  });
}

/** What a registered key's evidence keeps of its holder: the registration proof and, on a person key, the person. */
export function heldBy(key: SigningKeyRecord): Pick<SignedRequest, "keyProof" | "keyPerson"> {
  return { ...(key.proof !== undefined && { keyProof: key.proof }), ...(key.person && { keyPerson: signerOf(principalOf(key)).person }) };
}
