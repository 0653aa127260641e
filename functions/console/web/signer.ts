/**
 * Signing in the browser: an Ed25519 key made by WebCrypto, never extractable, and the request
 * profile shared with the generated client (openapi/client/request-signing.ts).
 */
import { keyProofStatement } from "../../../openapi/client/key-proof-statement.js";
import { base64url, bodyBytes, hasBody, prepareSignature, type RequestToSign, type SignOptions } from "../../../openapi/client/request-signing.js";

export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

export interface NewKey {
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
  keyId: string;
}

const ED25519 = { name: "Ed25519" };
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, no spaces. */
export async function thumbprint(jwk: PublicJwk): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical))));
}

export async function generateKey(): Promise<NewKey> {
  const pair = (await crypto.subtle.generateKey(ED25519, false, ["sign", "verify"])) as CryptoKeyPair;
  const exported = await crypto.subtle.exportKey("jwk", pair.publicKey);
  if (!exported.x) throw new Error("the browser returned a public key without x");
  const publicJwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x: exported.x };
  return { privateKey: pair.privateKey, publicJwk, keyId: await thumbprint(publicJwk) };
}

async function sign(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, data as BufferSource));
}

/** The proof of possession that registers the key to `accountId`. */
export async function keyProof(key: { privateKey: CryptoKey; keyId: string }, accountId: string): Promise<string> {
  return base64url(await sign(key.privateKey, utf8(keyProofStatement(accountId, key.keyId))));
}

export async function signRequest(key: { privateKey: CryptoKey; keyId: string }, req: RequestToSign, opts: SignOptions = {}): Promise<Headers> {
  const digest = hasBody(req) ? new Uint8Array(await crypto.subtle.digest("SHA-256", bodyBytes(req.body) as BufferSource)) : undefined;
  const pending = prepareSignature(key.keyId, req, digest, opts);
  return pending.finish(await sign(key.privateKey, pending.base));
}
