/**
 * Which subtrees an RFC 9162 proof is made of (section 2.1.3.1 PATH and 2.1.4.1 SUBPROOF), as
 * leaf ranges, and how a range's MTH folds from complete power-of-two subtrees. Stores hold only
 * complete subtrees (they never change once formed); every proof element and every root is a
 * right fold of at most log2(n) of them, so any storage that can hand out complete subtrees can
 * prove anything about any size.
 *
 * Sizes and indexes stay below 2^53: plain arithmetic only, no 32-bit bit operators.
 */
import { nodeHash, type Hash } from "./hashing.js";

/** The leaves [start, end) of an RFC 9162 subtree, as the recursion of the RFC cuts them. */
export interface Span {
  start: number;
  end: number;
}

/** A complete subtree: 2^level leaves starting at leaf index × 2^level. */
export interface NodeRef {
  level: number;
  index: number;
}

export class ProofRangeError extends Error {
  readonly code = "invalid_proof_range";
}

/** The largest power of two strictly smaller than n (n ≥ 2): the RFC's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The audit path of leaf `index` in the tree of `size` leaves, from the leaf's sibling up. */
export function inclusionSpans(index: number, size: number): Span[] {
  assertSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new ProofRangeError(`leaf ${index} is not in a tree of ${size}`);
  let start = 0;
  let end = size;
  let m = index;
  const stack: Span[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  // PATH lists the deepest sibling first.
  return stack.reverse();
}

/** PROOF(m, D[n]): the consistency proof between the trees of `from` and `to` leaves. */
export function consistencySpans(from: number, to: number): Span[] {
  assertSize(from);
  assertSize(to);
  if (from > to) throw new ProofRangeError(`a tree of ${from} cannot be a prefix of a tree of ${to}`);
  if (from === 0 || from === to) return [];
  const stack: Span[] = [];
  let start = 0;
  let end = to;
  let m = from;
  let whole = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!whole) stack.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
  return stack.reverse();
}

/**
 * The complete subtrees whose right fold is the span's MTH, left to right. Spans cut by the RFC
 * recursion start at a multiple of the smallest power of two covering them, so the binary
 * digits of their length, highest first, are aligned subtrees.
 */
export function completeSubtrees(span: Span): NodeRef[] {
  const out: NodeRef[] = [];
  let start = span.start;
  let remaining = span.end - span.start;
  while (remaining > 0) {
    let size = 1;
    let level = 0;
    while (size * 2 <= remaining) {
      size *= 2;
      level++;
    }
    if (start % size !== 0) throw new ProofRangeError(`the span [${span.start}, ${span.end}) is not one the RFC 9162 recursion cuts`);
    out.push({ level, index: start / size });
    start += size;
    remaining -= size;
  }
  return out;
}

/** MTH of a span from the hashes of complete subtrees. */
export function spanHash(span: Span, node: (ref: NodeRef) => Hash): Hash {
  const parts = completeSubtrees(span).map(node);
  let acc = parts[parts.length - 1];
  if (!acc) throw new ProofRangeError("an empty span has no subtree hash");
  for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(parts[i]!, acc);
  return acc;
}

/** Every complete subtree a set of spans needs, without repeats. */
export function nodesOf(spans: Span[]): NodeRef[] {
  const seen = new Map<string, NodeRef>();
  for (const span of spans) for (const ref of completeSubtrees(span)) seen.set(`${ref.level}/${ref.index}`, ref);
  return [...seen.values()];
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new ProofRangeError(`${size} is not a tree size`);
}
