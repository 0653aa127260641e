/**
 * A whole Merkle tree in memory: every complete subtree kept level by level as leaves arrive.
 * The reference the stored log is checked against, and a prover for trees small enough to hold.
 */
import { EMPTY_ROOT, nodeHash, type Hash } from "./hashing.js";
import { consistencySpans, inclusionSpans, ProofRangeError, spanHash, type NodeRef } from "./spans.js";

export class MemoryTree {
  private readonly levels: Hash[][] = [[]];

  constructor(leafHashes: Iterable<Hash> = []) {
    for (const leaf of leafHashes) this.append(leaf);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(leaf: Hash): void {
    let level = 0;
    let hash = leaf;
    for (;;) {
      const row = (this.levels[level] ??= []);
      row.push(hash);
      if (row.length % 2 === 1) return;
      hash = nodeHash(row[row.length - 2]!, hash);
      level++;
    }
  }

  /** The hash of a complete subtree. */
  node(ref: NodeRef): Hash {
    const hash = this.levels[ref.level]?.[ref.index];
    if (!hash) throw new ProofRangeError(`no complete subtree ${ref.level}/${ref.index} in a tree of ${this.size}`);
    return hash;
  }

  leaf(index: number): Hash {
    return this.node({ level: 0, index });
  }

  root(size = this.size): Hash {
    this.check(size);
    return size === 0 ? EMPTY_ROOT : spanHash({ start: 0, end: size }, (r) => this.node(r));
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    this.check(size);
    return inclusionSpans(index, size).map((s) => spanHash(s, (r) => this.node(r)));
  }

  consistencyProof(from: number, to = this.size): Hash[] {
    this.check(to);
    return consistencySpans(from, to).map((s) => spanHash(s, (r) => this.node(r)));
  }

  private check(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) throw new ProofRangeError(`the tree has ${this.size} leaves, not ${size}`);
  }
}
