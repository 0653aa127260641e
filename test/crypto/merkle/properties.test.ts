/**
 * Random trees: every proof the tree makes verifies, and every mutation of a proof (a flipped
 * bit, a dropped, added, swapped or duplicated element, another index, size or root) fails.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leafHash, type Hash } from "../../../functions/crypto/merkle/hashing.js";
import { MemoryTree } from "../../../functions/crypto/merkle/memory-tree.js";
import { verifyConsistency, verifyInclusion } from "../../../functions/crypto/merkle/verify.js";

// Entries are made distinct (their position is part of them): with two equal entries, swapping
// their indexes is no forgery.
const trees = fc
  .array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 300 })
  .map((entries) => new MemoryTree(entries.map((e, i) => leafHash(Buffer.concat([Buffer.from(`${i}:`), e])))));

const withIndex = trees
  .chain((tree) => fc.record({ tree: fc.constant(tree), size: fc.integer({ min: 1, max: tree.size }) }))
  .chain(({ tree, size }) => fc.record({ tree: fc.constant(tree), size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));

const withSizes = trees
  .chain((tree) => fc.record({ tree: fc.constant(tree), to: fc.integer({ min: 1, max: tree.size }) }))
  .chain(({ tree, to }) => fc.record({ tree: fc.constant(tree), to: fc.constant(to), from: fc.integer({ min: 1, max: to }) }));

type Mutation = (proof: Hash[]) => Hash[] | undefined;

function flipBit(position: number, bit: number): Mutation {
  return (proof) => {
    if (proof.length === 0) return undefined;
    const i = position % proof.length;
    const copy = proof.map((h) => Uint8Array.from(h));
    copy[i]![bit % 32]! ^= 1 << (bit % 8);
    return copy;
  };
}

const mutations = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(255)).map(([p, b]) => flipBit(p, b)),
  fc.constant<Mutation>((p) => (p.length ? p.slice(0, -1) : undefined)),
  fc.constant<Mutation>((p) => (p.length ? p.slice(1) : undefined)),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map<Mutation>((extra) => (p) => [...p, extra]),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map<Mutation>((extra) => (p) => [extra, ...p]),
  fc.constant<Mutation>((p) => (p.length >= 2 && !sameBytes(p[0]!, p[1]!) ? [p[1]!, p[0]!, ...p.slice(2)] : undefined)),
  fc.constant<Mutation>((p) => (p.length ? [p[0]!, ...p] : undefined)),
);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe("inclusion proofs of random trees", () => {
  it("verify for every leaf and size", () => {
    fc.assert(
      fc.property(withIndex, ({ tree, size, index }) => {
        expect(verifyInclusion(index, size, tree.leaf(index), tree.inclusionProof(index, size), tree.root(size))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("fail once mutated", () => {
    fc.assert(
      fc.property(withIndex, mutations, ({ tree, size, index }, mutate) => {
        const mutated = mutate(tree.inclusionProof(index, size));
        fc.pre(mutated !== undefined);
        expect(verifyInclusion(index, size, tree.leaf(index), mutated!, tree.root(size))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("fail for another leaf, another index, another size or another root", () => {
    fc.assert(
      fc.property(withIndex, fc.integer({ min: 1, max: 1000 }), ({ tree, size, index }, shift) => {
        const proof = tree.inclusionProof(index, size);
        const leaf = tree.leaf(index);
        const otherIndex = (index + shift) % size;
        if (!sameBytes(tree.leaf(otherIndex), leaf)) expect(verifyInclusion(index, size, tree.leaf(otherIndex), proof, tree.root(size))).toBe(false);
        if (otherIndex !== index) expect(verifyInclusion(otherIndex, size, leaf, proof, tree.root(size))).toBe(false);
        const otherSize = ((size - 1 + shift) % tree.size) + 1;
        if (otherSize !== size && !sameBytes(tree.root(otherSize), tree.root(size))) {
          expect(verifyInclusion(index, size, leaf, proof, tree.root(otherSize))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("consistency proofs of random trees", () => {
  it("verify for every pair of sizes", () => {
    fc.assert(
      fc.property(withSizes, ({ tree, from, to }) => {
        expect(verifyConsistency(from, to, tree.root(from), tree.root(to), tree.consistencyProof(from, to))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("fail once mutated", () => {
    fc.assert(
      fc.property(withSizes, mutations, ({ tree, from, to }, mutate) => {
        const mutated = mutate(tree.consistencyProof(from, to));
        fc.pre(mutated !== undefined);
        expect(verifyConsistency(from, to, tree.root(from), tree.root(to), mutated!)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("fail against a tree that differs in any one leaf (a fork)", () => {
    fc.assert(
      fc.property(withSizes, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), ({ tree, from, to }, at, data) => {
        fc.pre(from < to);
        const leaves = Array.from({ length: to }, (_, i) => tree.leaf(i));
        const i = at % to;
        const forged = leafHash(data);
        fc.pre(!sameBytes(forged, leaves[i]!));
        leaves[i] = forged;
        const fork = new MemoryTree(leaves);
        // The honest old root, a rewritten new tree and its own proof: never consistent.
        expect(verifyConsistency(from, to, tree.root(from), fork.root(to), fork.consistencyProof(from, to))).toBe(i >= from);
      }),
      { numRuns: 300 },
    );
  });
});
