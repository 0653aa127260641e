/**
 * Signs requests to Hoptrace per its protocol with a Node key: RFC 9421 with Ed25519, RFC 9530
 * Content-Digest, the Hoptrace tag, and a short validity window (the profile itself is in
 * request-signing.ts). Use `signedFetch` as the `fetch` of any HTTP client (the generated
 * openapi-fetch client takes it as an option).
 */
import { createPrivateKey, sign as edSign, type KeyObject } from "node:crypto";
import { digestBytes } from "../../functions/crypto/digest.js";
import { SignatureBaseError } from "../../functions/crypto/signature-base.js";
import { exportPublicJwk, jwkThumbprint } from "../../functions/crypto/keys.js";
import { hasBody, prepareSignature, signingFetch, type RequestToSign, type SignOptions } from "./request-signing.js";

export type { SignOptions } from "./request-signing.js";

export interface SigningKey {
  privateKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key: the `keyid` Hoptrace knows the key by. */
  keyId: string;
}

export async function signingKeyFromJwk(privateJwk: Record<string, unknown>): Promise<SigningKey> {
  const privateKey = createPrivateKey({ key: privateJwk as never, format: "jwk" });
  return { privateKey, keyId: await jwkThumbprint(exportPublicJwk(privateKey)) };
}

/**
 * The headers to add to a request: Content-Digest (with a body), Signature-Input, Signature. A
 * body streamed after signing is given by its digest (`contentDigest`) instead of its bytes.
 */
export function signRequest(key: SigningKey, req: RequestToSign, opts: SignOptions = {}): Headers {
  if (key.privateKey.type !== "private" || key.privateKey.asymmetricKeyType !== "ed25519") throw new SignatureBaseError("invalid_params", "signing needs an Ed25519 private key");
  const pending = prepareSignature(key.keyId, req, hasBody(req) ? digestBytes(req.body, "sha-256") : undefined, opts);
  return pending.finish(edSign(null, pending.base, key.privateKey));
}

/** A fetch that signs every request with `key`. */
export function signedFetch(key: SigningKey, opts: SignOptions & { fetch?: typeof fetch } = {}): typeof fetch {
  const { fetch: inner, ...signOptions } = opts;
  return signingFetch((req) => signRequest(key, req, signOptions), inner ? { fetch: inner } : {});
}
