/**
 * Transcript similarity at scale: each transcript becomes a set of character shingles (robust
 * to misheard words and small paraphrases), summarised by a MinHash signature whose agreement
 * estimates the sets' Jaccard similarity; locality-sensitive hashing of signature bands finds
 * the pairs worth comparing without comparing all of them.
 */

/** Characters per shingle: long enough to carry words, short enough to survive a misheard letter. */
export const SHINGLE = 5;

/** Lower case letters and digits, single spaces: how a transcript is compared. */
export function normaliseTranscript(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The shingles of a normalised transcript, as 32-bit hashes. */
export function shingles(normalised: string): Uint32Array {
  const out = new Set<number>();
  for (let i = 0; i + SHINGLE <= normalised.length; i++) out.add(fnv1a(normalised, i, i + SHINGLE));
  if (out.size === 0 && normalised.length > 0) out.add(fnv1a(normalised, 0, normalised.length));
  return Uint32Array.from(out).sort();
}

function fnv1a(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit mix of `x` under `seed` (murmur3's finaliser), one independent hash function per seed. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface MinHasher {
  readonly size: number;
  signature(set: Uint32Array): Uint32Array;
}

/** `size` hash functions from fixed seeds: signatures are comparable across runs and processes. */
export function minHasher(size: number): MinHasher {
  const seeds = Array.from({ length: size }, (_, i) => mix(i + 1, 0x9e3779b9));
  return {
    size,
    signature(set) {
      const sig = new Uint32Array(size).fill(0xffffffff);
      for (const x of set) {
        for (let i = 0; i < size; i++) {
          const h = mix(x, seeds[i]!);
          if (h < sig[i]!) sig[i] = h;
        }
      }
      return sig;
    },
  };
}

/**
 * Each shingle's weight: the log of its rarity (transcripts over transcripts holding it), so that
 * what many scripts share counts for little and what is particular to a script for much, however
 * large its campaign.
 */
export function rarityWeights(sets: readonly Uint32Array[]): Map<number, number> {
  const holders = new Map<number, number>();
  for (const set of sets) for (const x of set) holders.set(x, (holders.get(x) ?? 0) + 1);
  return new Map([...holders].map(([x, n]) => [x, Math.log(sets.length / n)]));
}

/** A sorted set with each member's weight beside it and their sum: what `weightedJaccard` compares. */
export interface WeightedSet {
  readonly items: Uint32Array;
  readonly weights: Float64Array;
  readonly total: number;
}

/** The set with its members' weights looked up once, not at every comparison it takes part in. */
export function weightedSet(items: Uint32Array, weightOf: ReadonlyMap<number, number>): WeightedSet {
  const weights = new Float64Array(items.length);
  let total = 0;
  for (let i = 0; i < items.length; i++) total += weights[i] = weightOf.get(items[i]!) ?? 0;
  return { items, weights, total };
}

/**
 * The weighted Jaccard similarity of two sets: LSH finds the pairs, this decides them. Only the
 * shared members need adding up: the union's weight is both totals less what they share.
 */
export function weightedJaccard(a: WeightedSet, b: WeightedSet): number {
  const common = shared(a.items, b.items, a.weights);
  const union = a.total + b.total - common;
  return union <= 0 ? 0 : common / union;
}

/** What two sorted sets share: how many members, or the sum of their weights in `x` when given. */
function shared(x: ArrayLike<number>, y: ArrayLike<number>, weightsOfX?: Float64Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      common += weightsOfX ? weightsOfX[i]! : 1;
      i++;
      j++;
    } else if (x[i]! < y[j]!) i++;
    else j++;
  }
  return common;
}

/**
 * Candidate pairs: items whose signatures agree on every row of at least one band. With `bands`
 * bands of `rows` rows, a pair of similarity s is found with probability 1 - (1 - s^rows)^bands.
 * A bucket holding more than `maxBucket` items is boilerplate every script shares, and skipped.
 */
export function lshCandidates(signatures: ReadonlyArray<Uint32Array | undefined>, bands: number, rows: number, maxBucket = 200): Array<[number, number]> {
  const pairs = new Set<number>();
  const n = signatures.length;
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let item = 0; item < n; item++) {
      const sig = signatures[item];
      if (!sig) continue;
      const key = Array.from(sig.subarray(band * rows, band * rows + rows)).join(",");
      const bucket = buckets.get(key);
      if (bucket) bucket.push(item);
      else buckets.set(key, [item]);
    }
    for (const bucket of buckets.values()) {
      if (bucket.length < 2 || bucket.length > maxBucket) continue;
      for (let x = 0; x < bucket.length; x++) for (let y = x + 1; y < bucket.length; y++) pairs.add(bucket[x]! * n + bucket[y]!);
    }
  }
  return [...pairs].map((p) => [Math.floor(p / n), p % n]);
}

/** The plain Jaccard similarity of two sorted sets, for comparing a call with a few candidates as it comes. */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const common = shared(a, b);
  const union = a.length + b.length - common;
  return union === 0 ? 0 : common / union;
}
