/**
 * Strict Ed25519 verification. Node's verify (OpenSSL) implements RFC 8032 but accepts a public
 * key or an R of small order: with the identity as public key, R = [S]B "signs" every message.
 * The encodings of the small-order points and of coordinates y >= p are few and fixed, so they
 * are refused by comparing bytes before the native verify, which costs a tenth of a pure-JS
 * strict verify. Whether a registered key is free of a torsion component (the costly check) is
 * decided once, when the key is imported (keys.ts).
 */
import { verify, type KeyObject } from "node:crypto";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";

const SIGNATURE_BYTES = 64;
const POINT_BYTES = 32;

/**
 * The eight points of small order as RFC 8032 encodes them, and the two that set the sign bit of
 * x = 0 (the identity and the point of order 2), which strict decoding refuses anyway.
 */
const SMALL_ORDER_ENCODINGS = new Set([
  ...ED25519_TORSION_SUBGROUP,
  "0100000000000000000000000000000000000000000000000000000000000080",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]);

/** y, the low 255 bits of an encoded point, is reduced modulo p. */
function hasCanonicalY(encoded: Uint8Array): boolean {
  const y = Uint8Array.from(encoded);
  y[POINT_BYTES - 1] = y[POINT_BYTES - 1]! & 0x7f;
  return bytesToNumberLE(y) < ed25519.Point.Fp.ORDER;
}

/** An encoding a strict verifier accepts for A or R: canonical, and not a point of small order. */
export function isStrictPointEncoding(encoded: Uint8Array): boolean {
  return encoded.length === POINT_BYTES && hasCanonicalY(encoded) && !SMALL_ORDER_ENCODINGS.has(Buffer.from(encoded).toString("hex"));
}

const exported = new WeakMap<KeyObject, Uint8Array>();

/** The raw 32-byte public key of an Ed25519 KeyObject (exported once per key object). */
function publicKeyBytes(key: KeyObject): Uint8Array {
  let bytes = exported.get(key);
  if (!bytes) {
    bytes = Buffer.from(key.export({ format: "jwk" }).x ?? "", "base64url");
    exported.set(key, bytes);
  }
  return bytes;
}

/**
 * Verifies an Ed25519 signature with the checks RFC 8032 leaves optional: S < L (so no second
 * encoding of the same signature passes the replay check), and neither R nor the public key of
 * small order or encoded non-canonically.
 */
export function verifyStrict(message: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (key.type !== "public" || key.asymmetricKeyType !== "ed25519") return false;
  if (signature.length !== SIGNATURE_BYTES) return false;
  const r = signature.subarray(0, POINT_BYTES);
  const s = signature.subarray(POINT_BYTES);
  if (bytesToNumberLE(s) >= ed25519.Point.Fn.ORDER) return false;
  if (!isStrictPointEncoding(r) || !isStrictPointEncoding(publicKeyBytes(key))) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
