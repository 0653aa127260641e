/**
 * Ed25519 keys exchanged as JWK (RFC 8037). Providers register public keys in this form and the
 * RFC 7638 thumbprint of the public key is the `keyid` of their signatures, so a keyid names
 * exactly one key and cannot be chosen to collide with another provider's.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { ed25519 } from "@noble/curves/ed25519.js";
import { jwkThumbprint } from "../../openapi/client/signing.js";

export interface Ed25519PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

export interface Ed25519PrivateJwk extends Ed25519PublicJwk {
  d: string;
}

/** `weak_key`: a point on the curve that signs unsafely; `invalid_key`: anything else wrong. */
export type InvalidKeyCode = "invalid_key" | "weak_key";

export class InvalidKeyError extends Error {
  constructor(
    message: string,
    readonly code: InvalidKeyCode = "invalid_key",
  ) {
    super(message);
    this.name = "InvalidKeyError";
  }
}

export interface SigningKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
  privateJwk: Ed25519PrivateJwk;
  kid: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** 32 bytes in unpadded base64url is exactly 43 characters. */
const KEY_BYTES_B64URL = /^[A-Za-z0-9_-]{43}$/;

function isKeyBytes(value: unknown): value is string {
  return (
    typeof value === "string" &&
    KEY_BYTES_B64URL.test(value) &&
    Buffer.from(value, "base64url").length === 32 &&
    Buffer.from(value, "base64url").toString("base64url") === value
  );
}

function asRecord(jwk: unknown): Record<string, unknown> {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new InvalidKeyError("a JWK must be a JSON object");
  }
  return jwk as Record<string, unknown>;
}

function checkCurve(record: Record<string, unknown>): string {
  if (record.kty !== "OKP" || record.crv !== "Ed25519") {
    throw new InvalidKeyError("only Ed25519 keys (kty OKP, crv Ed25519) are accepted");
  }
  if (!isKeyBytes(record.x)) {
    throw new InvalidKeyError("x must be 32 bytes in base64url");
  }
  return record.x;
}

function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  const exported = key.export({ format: "jwk" });
  if (exported.kty !== "OKP" || exported.crv !== "Ed25519" || typeof exported.x !== "string") {
    throw new InvalidKeyError("not an Ed25519 key");
  }
  return { kty: "OKP", crv: "Ed25519", x: exported.x };
}

function decodesAsPoint(bytes: Uint8Array, zip215: boolean): boolean {
  try {
    ed25519.Point.fromBytes(bytes, zip215);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses the public keys that anyone can sign for, or whose signatures verify differently from
 * one implementation to the next: points of small order (with one, a signature verifies for every
 * message), encodings with y >= p or with the sign bit set for x = 0, and points carrying a
 * torsion component. Native imports accept all of them.
 */
function checkStrongPoint(x: string): void {
  const bytes = Buffer.from(x, "base64url");
  if (!decodesAsPoint(bytes, false)) {
    // The permissive (ZIP 215) decoding tells a non-canonical encoding from no point at all.
    if (decodesAsPoint(bytes, true)) throw new InvalidKeyError("x is a non-canonical point encoding", "weak_key");
    throw new InvalidKeyError("x is not a point of Ed25519");
  }
  const point = ed25519.Point.fromBytes(bytes);
  if (point.isSmallOrder()) throw new InvalidKeyError("x is a point of small order, for which anyone can sign", "weak_key");
  if (!point.isTorsionFree()) throw new InvalidKeyError("x is not in the prime-order subgroup (it has a torsion component)", "weak_key");
}

/**
 * Keys that passed the checks, by x. The subgroup check costs about a millisecond, and every
 * signed request imports its key; a bounded map keeps the hot keys.
 */
const checkedKeys = new Map<string, KeyObject>();
const CHECKED_KEYS_MAX = 1024;

/**
 * Accepts only a public Ed25519 JWK of a strong key. A JWK carrying `d` is refused outright: a
 * provider that uploads its private key has leaked it, and storing it would make us a holder of
 * that secret.
 */
export function importPublicJwk(jwk: unknown): KeyObject {
  const record = asRecord(jwk);
  if ("d" in record) {
    throw new InvalidKeyError("a public key must not contain the private member d");
  }
  const x = checkCurve(record);
  const known = checkedKeys.get(x);
  if (known) return known;
  checkStrongPoint(x);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  } catch {
    throw new InvalidKeyError("x is not a valid Ed25519 public key");
  }
  if (checkedKeys.size >= CHECKED_KEYS_MAX) checkedKeys.delete(checkedKeys.keys().next().value!);
  checkedKeys.set(x, key);
  return key;
}

export function importPrivateJwk(jwk: unknown): KeyObject {
  const record = asRecord(jwk);
  const x = checkCurve(record);
  if (!isKeyBytes(record.d)) {
    throw new InvalidKeyError("d must be 32 bytes in base64url");
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x, d: record.d }, format: "jwk" });
  } catch {
    throw new InvalidKeyError("not a valid Ed25519 private key");
  }
  // Node derives the public half from d; a stale or mismatched x would otherwise go unnoticed
  // and every signature made with this key would fail against the published one.
  if (publicJwkOf(createPublicKey(privateKey)).x !== x) {
    throw new InvalidKeyError("x does not belong to d");
  }
  return privateKey;
}

export { jwkThumbprint };

export async function generateSigningKey(): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync("ed25519");
  const publicJwk = publicJwkOf(publicKey);
  const exported = privateKey.export({ format: "jwk" });
  if (typeof exported.d !== "string") {
    throw new InvalidKeyError("generated key has no private component");
  }
  const privateJwk: Ed25519PrivateJwk = { ...publicJwk, d: exported.d };
  return { privateKey, publicKey, publicJwk, privateJwk, kid: await jwkThumbprint(publicJwk) };
}

/** The public JWK of an Ed25519 KeyObject, public or private. */
export function exportPublicJwk(key: KeyObject): Ed25519PublicJwk {
  return publicJwkOf(key.type === "private" ? createPublicKey(key) : key);
}
