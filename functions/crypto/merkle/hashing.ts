/**
 * RFC 9162 section 2.1.1 tree hashing with SHA-256. The one-byte prefixes keep a leaf from ever
 * hashing like an interior node (second-preimage resistance across levels).
 */
import { createHash, hash, timingSafeEqual } from "node:crypto";

export type Hash = Uint8Array;

export const HASH_BYTES = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH of the empty tree: the hash of the empty string. */
export const EMPTY_ROOT: Hash = createHash("sha256").digest();

/*
 * One-shot hashing of the prefixed bytes: a proof's check or a tree's update hashes hundreds of
 * nodes, and a Hash object per node costs about as much as the hash.
 */
export function leafHash(entry: Uint8Array): Hash {
  const input = new Uint8Array(1 + entry.byteLength);
  input[0] = LEAF_PREFIX[0]!;
  input.set(entry, 1);
  return hash("sha256", input, "buffer");
}

export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(1 + left.byteLength + right.byteLength);
  input[0] = NODE_PREFIX[0]!;
  input.set(left, 1);
  input.set(right, 1 + left.byteLength);
  return hash("sha256", input, "buffer");
}

export function isHash(value: Uint8Array): boolean {
  return value.byteLength === HASH_BYTES;
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === HASH_BYTES && b.byteLength === HASH_BYTES && timingSafeEqual(a, b);
}
