/**
 * RFC 9162 section 2.1.1 tree hashing with SHA-256. The one-byte prefixes keep a leaf from ever
 * hashing like an interior node (second-preimage resistance across levels).
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type Hash = Uint8Array;

export const HASH_BYTES = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH of the empty tree: the hash of the empty string. */
export const EMPTY_ROOT: Hash = createHash("sha256").digest();

export function leafHash(entry: Uint8Array): Hash {
  return createHash("sha256").update(LEAF_PREFIX).update(entry).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

export function isHash(value: Uint8Array): boolean {
  return value.byteLength === HASH_BYTES;
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === HASH_BYTES && b.byteLength === HASH_BYTES && timingSafeEqual(a, b);
}
