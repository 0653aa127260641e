/**
 * The stored form of the tree: tiles of height 4. Tile (L, N) holds up to 16 consecutive hashes
 * of tree level 4L (N × 16 onwards); every complete subtree of levels 4L to 4L+3 is recomputed
 * from the one tile under it. A batch of new leaves rewrites one partial tile per level and
 * finishes the tiles it fills; a proof or a root reads about one tile per four levels (six for a
 * tree of 16 million leaves), all in one batch read.
 *
 * Why 16 and not the 256 of C2SP tlog-tiles: a tile is rewritten on every batch while it fills,
 * and DynamoDB bills writes per kilobyte. 16 hashes (512 bytes) keep every tile write within one
 * write unit even when batches hold a single entry.
 *
 * Hashes in a tile never change once written (they are complete subtrees), so a tile read from
 * a larger tree serves every smaller size too, and writing a tile again with the same width
 * rewrites the same bytes.
 */
import { HASH_BYTES, nodeHash, type Hash } from "./hashing.js";
import { nodesOf, ProofRangeError, spanHash, type NodeRef, type Span } from "./spans.js";

export const TILE_HEIGHT = 4;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileRef {
  level: number;
  index: number;
}

export interface Tile extends TileRef {
  /** `width` hashes of 32 bytes, concatenated. */
  hashes: Uint8Array;
}

export const tileKey = (t: TileRef): string => `${t.level}/${t.index}`;
export const tileWidth = (t: Tile): number => t.hashes.byteLength / HASH_BYTES;

/** The tile a complete subtree is recomputed from. */
export function tileOf(node: NodeRef): TileRef {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const below = node.level - level * TILE_HEIGHT;
  return { level, index: Math.floor((node.index * 2 ** below) / TILE_WIDTH) };
}

/** The tiles the hashes of these spans (proof elements, a root) are computed from. */
export function tilesFor(spans: Span[]): TileRef[] {
  return tilesOf(nodesOf(spans));
}

export function tilesOf(nodes: NodeRef[]): TileRef[] {
  const seen = new Map<string, TileRef>();
  for (const n of nodes) {
    const t = tileOf(n);
    seen.set(tileKey(t), t);
  }
  return [...seen.values()];
}

/** How many hashes tile `ref` holds in a tree of `size` leaves. */
export function widthAt(ref: TileRef, size: number): number {
  const count = Math.floor(size / TILE_WIDTH ** ref.level);
  return Math.max(0, Math.min(TILE_WIDTH, count - ref.index * TILE_WIDTH));
}

/** Complete subtree hashes out of a set of tiles. */
export class TileSet {
  private readonly tiles = new Map<string, Uint8Array>();

  constructor(tiles: Iterable<Tile> = []) {
    for (const t of tiles) this.put(t);
  }

  put(tile: Tile): void {
    const current = this.tiles.get(tileKey(tile));
    // A wider copy of a tile includes the narrower one.
    if (!current || current.byteLength < tile.hashes.byteLength) this.tiles.set(tileKey(tile), tile.hashes);
  }

  hashesOf(ref: TileRef): Uint8Array | undefined {
    return this.tiles.get(tileKey(ref));
  }

  node(ref: NodeRef): Hash {
    const tile = tileOf(ref);
    const hashes = this.tiles.get(tileKey(tile));
    const below = ref.level - tile.level * TILE_HEIGHT;
    const span = 2 ** below;
    const first = ref.index * span - tile.index * TILE_WIDTH;
    if (!hashes || hashes.byteLength < (first + span) * HASH_BYTES)
      throw new ProofRangeError(`tile ${tileKey(tile)} does not hold subtree ${ref.level}/${ref.index}`);
    return subtreeHash(hashes, first, span);
  }

  span(span: Span): Hash {
    return spanHash(span, (n) => this.node(n));
  }
}

/** The partial tiles on the right edge of a tree of `size`: what appending to it rewrites. */
export function edgeTiles(size: number): TileRef[] {
  const out: TileRef[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    if (count % TILE_WIDTH !== 0) out.push({ level, index: Math.floor(count / TILE_WIDTH) });
  }
  return out;
}

/**
 * The tiles that change when `leaves` are appended to a tree of `size`, with their whole new
 * content. `existing` must hold the edge tiles of the tree of `size` (wider copies do too).
 */
export function appendToTiles(size: number, leaves: readonly Hash[], existing: TileSet): Tile[] {
  const out: Tile[] = [];
  let before = size;
  let added: Hash[] = [...leaves];
  for (let level = 0; added.length > 0; level++) {
    const after = before + added.length;
    const next: Hash[] = [];
    for (let index = Math.floor(before / TILE_WIDTH); index * TILE_WIDTH < after; index++) {
      const start = index * TILE_WIDTH;
      const kept = Math.max(0, before - start);
      const width = Math.min(TILE_WIDTH, after - start);
      const hashes = new Uint8Array(width * HASH_BYTES);
      if (kept > 0) {
        const stored = existing.hashesOf({ level, index });
        if (!stored || stored.byteLength < kept * HASH_BYTES) throw new ProofRangeError(`tile ${level}/${index} is missing hashes the tree of ${size} has`);
        hashes.set(stored.subarray(0, kept * HASH_BYTES));
      }
      for (let j = kept; j < width; j++) hashes.set(added[start + j - before]!, j * HASH_BYTES);
      out.push({ level, index, hashes });
      if (width === TILE_WIDTH) next.push(subtreeHash(hashes, 0, TILE_WIDTH));
    }
    before = Math.floor(before / TILE_WIDTH);
    added = next;
  }
  return out;
}

/** The hash of `count` (a power of two) consecutive hashes of a row, starting at `first`. */
function subtreeHash(row: Uint8Array, first: number, count: number): Hash {
  let level: Hash[] = [];
  for (let i = 0; i < count; i++) level.push(row.subarray((first + i) * HASH_BYTES, (first + i + 1) * HASH_BYTES));
  while (level.length > 1) {
    const up: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    level = up;
  }
  return level[0]!;
}
