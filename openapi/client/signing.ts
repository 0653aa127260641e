/**
 * Signs requests to Hoptrace per its protocol with a Node key: RFC 9421 with Ed25519, RFC 9530
 * Content-Digest, the Hoptrace tag, a fresh nonce and a short validity window (the profile itself
 * is in request-signing.ts). Use `signedFetch` as the `fetch` of any HTTP client (the generated
 * openapi-fetch client takes it as an option).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { digestBytes } from "./content-digest.js";
import { hasBody, prepareSignature, signingFetch, type RequestToSign, type SignOptions } from "./request-signing.js";
import { SignatureBaseError } from "./signature-base.js";

export type { RequestToSign, SignOptions } from "./request-signing.js";

export interface SigningKey {
  privateKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key: the `keyid` Hoptrace knows the key by. */
  keyId: string;
}

// Type aliases rather than interfaces, so that they fit the contract's open JWK objects.
export type PublicJwk = { kty: "OKP"; crv: "Ed25519"; x: string };

export type PrivateJwk = PublicJwk & { d: string };

/** The public JWK of an Ed25519 key, private or public: what is registered with the hub. */
export function publicJwkOf(key: KeyObject): PublicJwk {
  const { kty, crv, x } = (key.type === "private" ? createPublicKey(key) : key).export({ format: "jwk" });
  if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string") throw new SignatureBaseError("invalid_params", "not an Ed25519 key");
  return { kty, crv, x };
}

/** The RFC 7638 thumbprint of a public JWK. */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "sha256");
}

export async function signingKeyFromJwk(privateJwk: Record<string, unknown>): Promise<SigningKey> {
  const privateKey = createPrivateKey({ key: privateJwk as never, format: "jwk" });
  return { privateKey, keyId: await jwkThumbprint(publicJwkOf(privateKey)) };
}

/** A new Ed25519 key: the signing key, and its JWKs (keep the private one secret, register the public one). */
export async function newSigningKey(): Promise<{ key: SigningKey; privateJwk: PrivateJwk; publicJwk: PublicJwk }> {
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicJwk = publicJwkOf(privateKey);
  const { d } = privateKey.export({ format: "jwk" });
  return { key: { privateKey, keyId: await jwkThumbprint(publicJwk) }, privateJwk: { ...publicJwk, d: d! }, publicJwk };
}

/**
 * The headers to add to a request: Content-Digest (with a body), Signature-Input, Signature. A
 * body streamed after signing is given by its digest (`contentDigest`) instead of its bytes.
 */
export function signRequest(key: SigningKey, req: RequestToSign, opts: SignOptions = {}): Headers {
  if (key.privateKey.type !== "private" || key.privateKey.asymmetricKeyType !== "ed25519")
    throw new SignatureBaseError("invalid_params", "signing needs an Ed25519 private key");
  const pending = prepareSignature(key.keyId, req, hasBody(req) ? digestBytes(req.body, "sha-256") : undefined, opts);
  return pending.finish(edSign(null, pending.base, key.privateKey));
}

/** A fetch that signs every request with `key` (each attempt anew: a retry is a new signature). */
export function signedFetch(key: SigningKey, opts: SignOptions & { fetch?: typeof fetch } = {}): typeof fetch {
  const { fetch: inner, ...signOptions } = opts;
  return signingFetch((req) => signRequest(key, req, signOptions), inner ? { fetch: inner } : {});
}
