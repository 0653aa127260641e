/**
 * What authenticated requests and streamed uploads share: the key lookup behind a signature, and
 * the 401 that refuses one. On AWS every refusal is the same opaque 401, so a forger learns
 * nothing about which check stopped it; the reason is logged with the request id (never the
 * signature, the body or a key). In the local mode, where the person reading the 401 is the one
 * writing the client, the problem says which check failed in `detail` and names it in `reason`.
 */
import type { KeyObject } from "node:crypto";
import type { VerifyFailure } from "../../crypto/httpsig.js";
import { importPublicJwk, InvalidKeyError } from "../../crypto/keys.js";
import type { SigningKeyRecord } from "../../domain/account.js";
import type { AppDeps } from "../env.js";
import { ProblemError } from "../problem.js";
import type { SIGNATURE_REFUSALS } from "../schemas/common.js";

export type SignatureRefusal = (typeof SIGNATURE_REFUSALS)[number];

const OPAQUE = "the request signature could not be verified";

export interface RefusalContext {
  nowSeconds: number;
  required: string[];
}

function explain(reason: SignatureRefusal, deps: AppDeps, at: RefusalContext): string {
  const { maxClockSkewSeconds: skew, maxSignatureLifetimeSeconds: lifetime } = deps.settings;
  switch (reason) {
    case "missing_signature":
      return "the request has no Signature and Signature-Input headers: every request under /v1 is signed (RFC 9421)";
    case "malformed":
      return "Signature or Signature-Input cannot be read: each must be an RFC 8941 dictionary with the same label, keyid and created must be given, and Signature-Input must be sent exactly as serialised";
    case "missing_component":
      return `the signature must cover ${at.required.join(", ")} for this request, and each covered header must be present`;
    case "wrong_tag":
      return 'the signature must have tag="hoptrace-v1"';
    case "wrong_alg":
      return 'the signature must be Ed25519 (alg="ed25519", or no alg)';
    case "unknown_key":
      return "no key is registered under the signature's keyid (the RFC 7638 thumbprint of the public JWK)";
    case "not_self_signed":
      return "an enrolment is signed by the key it enrols: the signature's keyid must be the RFC 7638 thumbprint of the body's publicJwk";
    case "key_not_active":
      return "the signature's key is registered but not active (revoked or retired)";
    case "weak_key":
      return "the signature's key was registered before keys were checked and is refused as weak: register a new key";
    case "not_yet_valid":
      return `created is in the future: it must be no more than ${skew} s ahead of the hub's clock (now ${at.nowSeconds})`;
    case "expired":
      return `the signature has expired: expires must be no more than ${skew} s before the hub's clock (now ${at.nowSeconds})`;
    case "lifetime_too_long":
      return `expires must be given, at most ${lifetime} s after created`;
    case "bad_signature":
      return "the signature does not verify over the signature base: the method, target URI (scheme, host and path as the hub sees them), covered headers or Signature-Input differ from what was signed";
    case "digest_mismatch":
      return "Content-Digest does not match the body as received";
    case "digest_unsupported":
      return "Content-Digest must give sha-256 or sha-512";
    case "replayed":
      return "this signature has been used already: sign every request anew, with a fresh nonce";
  }
}

export function refuseSignature(deps: AppDeps, requestId: string, reason: SignatureRefusal, at: RefusalContext): never {
  deps.log.warn("request signature refused", { requestId, reason });
  const headers = { "www-authenticate": 'Signature realm="hoptrace"' };
  if (!deps.settings.explainSignatureRefusals) throw new ProblemError(401, "unauthenticated", OPAQUE, undefined, headers);
  throw new ProblemError(401, "unauthenticated", explain(reason, deps, at), undefined, headers, { reason });
}

/**
 * The key lookup for `verifyMessage`, remembering the key's record when it is usable and why
 * not when it is not: a key that is absent, no longer active, or too weak to sign anything. Keys
 * come from the instance's cache (`deps.signingKeys`, at most 30 s old). An enrolment is
 * verified with the key its body carries and no other.
 */
export function signingKeyLookup(
  deps: AppDeps,
  enrolling?: { keyId: string; key: KeyObject },
): {
  resolveKey: (keyid: string) => Promise<KeyObject | undefined>;
  record: () => SigningKeyRecord | undefined;
  refusal: () => SignatureRefusal;
} {
  let record: SigningKeyRecord | undefined;
  let refusal: SignatureRefusal = "unknown_key";
  return {
    resolveKey: async (keyid) => {
      if (enrolling) {
        if (keyid === enrolling.keyId) return enrolling.key;
        refusal = "not_self_signed";
        return undefined;
      }
      const found = await deps.signingKeys.get(keyid);
      if (!found) return undefined;
      if (found.status !== "active") {
        refusal = "key_not_active";
        return undefined;
      }
      let key: KeyObject;
      try {
        key = importPublicJwk(found.publicJwk);
      } catch (err) {
        // A weak key stored before keys were checked at registration signs nothing.
        if (!(err instanceof InvalidKeyError)) throw err;
        refusal = "weak_key";
        return undefined;
      }
      record = found;
      return key;
    },
    record: () => record,
    refusal: () => refusal,
  };
}

/** The refusal for a failed `verifyMessage`: its own reason, or why the key was not usable. */
export function verifyRefusal(result: { ok: false; reason: VerifyFailure }, headers: Headers, lookup: { refusal(): SignatureRefusal }): SignatureRefusal {
  if (!headers.has("signature") && !headers.has("signature-input")) return "missing_signature";
  return result.reason === "unknown_key" ? lookup.refusal() : result.reason;
}
