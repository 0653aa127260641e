/** The tree hashing and both proof kinds against the published RFC 6962 / RFC 9162 vectors. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash } from "../../../functions/crypto/merkle/hashing.js";
import { MemoryTree } from "../../../functions/crypto/merkle/memory-tree.js";
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "../../../functions/crypto/merkle/verify.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/merkle/${name}`, import.meta.url), "utf8"));
const reference = fixture("reference-tree.json") as {
  leaves: string[];
  roots: string[];
  emptyTreeHash: string;
  inclusion: Array<{ leaf: number; size: number; proof: string[] }>;
  consistency: Array<{ size1: number; size2: number; proof: string[] }>;
};
const testdata = fixture("transparency-dev-testdata.json") as {
  inclusion: Array<{ file: string; leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; wantErr: boolean }>;
  consistency: Array<{ file: string; size1: number; size2: number; root1: string; root2: string; proof: string[] | null; wantErr: boolean }>;
};

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const toHex = (h: Uint8Array) => Buffer.from(h).toString("hex");

const tree = new MemoryTree(reference.leaves.map((l) => leafHash(hex(l))));

describe("the 8-leaf reference tree", () => {
  it("hashes the empty tree to SHA-256 of nothing", () => {
    expect(toHex(EMPTY_ROOT)).toBe(reference.emptyTreeHash);
    expect(toHex(new MemoryTree().root())).toBe(reference.emptyTreeHash);
  });

  it.each(reference.roots.map((root, i) => [i + 1, root] as const))("MTH of the first %i leaves", (size, root) => {
    expect(toHex(tree.root(size))).toBe(root);
  });

  it.each(reference.inclusion.map((v) => [v.leaf - 1, v.size, v] as const))("inclusion proof of leaf %i in a tree of %i", (index, size, v) => {
    expect(tree.inclusionProof(index, size).map(toHex)).toEqual(v.proof);
    const root = hex(reference.roots[size - 1]!);
    expect(verifyInclusion(index, size, tree.leaf(index), v.proof.map(hex), root)).toBe(true);
    expect(toHex(rootFromInclusionProof(index, size, tree.leaf(index), v.proof.map(hex))!)).toBe(reference.roots[size - 1]);
  });

  it.each(reference.consistency.map((v) => [v.size1, v.size2, v] as const))("consistency proof from %i to %i", (from, to, v) => {
    expect(tree.consistencyProof(from, to).map(toHex)).toEqual(v.proof);
    expect(verifyConsistency(from, to, hex(reference.roots[from - 1]!), hex(reference.roots[to - 1]!), v.proof.map(hex))).toBe(true);
  });

  it("proves and verifies every leaf and every pair of sizes of the reference tree", () => {
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        expect(verifyInclusion(index, size, tree.leaf(index), tree.inclusionProof(index, size), tree.root(size))).toBe(true);
      }
      for (let from = 0; from <= size; from++) {
        expect(verifyConsistency(from, size, tree.root(from), tree.root(size), tree.consistencyProof(from, size))).toBe(true);
      }
    }
  });
});

describe("transparency-dev/merkle testdata", () => {
  it.each(testdata.inclusion.map((v) => [v.file, v] as const))("%s", (_file, v) => {
    const ok = verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    expect(ok).toBe(!v.wantErr);
    if (!v.wantErr) expect(tree.inclusionProof(v.leafIdx, v.treeSize).map((h) => Buffer.from(h).toString("base64"))).toEqual(v.proof ?? []);
  });

  it.each(testdata.consistency.map((v) => [v.file, v] as const))("%s", (_file, v) => {
    const ok = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    expect(ok).toBe(!v.wantErr);
    if (!v.wantErr) expect(tree.consistencyProof(v.size1, v.size2).map((h) => Buffer.from(h).toString("base64"))).toEqual(v.proof ?? []);
  });
});

describe("malformed input fails verification instead of throwing", () => {
  const root = tree.root(8);
  const proof = tree.inclusionProof(5, 8);
  it.each([
    ["an index past the tree", () => verifyInclusion(8, 8, tree.leaf(5), proof, root)],
    ["a negative index", () => verifyInclusion(-1, 8, tree.leaf(5), proof, root)],
    ["a fractional size", () => verifyInclusion(5, 8.5, tree.leaf(5), proof, root)],
    ["an unsafe size", () => verifyInclusion(5, 2 ** 60, tree.leaf(5), proof, root)],
    ["an empty tree", () => verifyInclusion(0, 0, tree.leaf(0), [], EMPTY_ROOT)],
    ["a short root", () => verifyInclusion(5, 8, tree.leaf(5), proof, root.subarray(0, 31))],
    ["a consistency from a larger tree", () => verifyConsistency(8, 7, root, tree.root(7), tree.consistencyProof(7, 8))],
    ["equal sizes with different roots", () => verifyConsistency(8, 8, root, tree.root(7), [])],
    ["equal sizes with a proof", () => verifyConsistency(8, 8, root, root, [root])],
    ["the empty tree with a proof", () => verifyConsistency(0, 8, EMPTY_ROOT, root, [root])],
  ])("%s", (_name, check) => {
    expect(check()).toBe(false);
  });
});
