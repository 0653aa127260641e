/**
 * The tiled tree grows batch by batch exactly like the reference tree: same roots, same proofs,
 * reading only the edge tiles to append and only the tiles a proof names to prove.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash } from "../../../functions/crypto/merkle/hashing.js";
import { MemoryTree } from "../../../functions/crypto/merkle/memory-tree.js";
import { consistencySpans, inclusionSpans } from "../../../functions/crypto/merkle/spans.js";
import { appendToTiles, edgeTiles, tileKey, TileSet, tilesFor, tileWidth, widthAt, TILE_WIDTH, type Tile } from "../../../functions/crypto/merkle/tiles.js";

/** A tile store that only hands out the tiles asked for. */
class Store {
  readonly tiles = new Map<string, Tile>();
  reads = 0;
  write(tiles: Tile[]): void {
    for (const t of tiles) this.tiles.set(tileKey(t), t);
  }
  read(refs: { level: number; index: number }[]): TileSet {
    this.reads += refs.length;
    return new TileSet(refs.map((r) => this.tiles.get(tileKey(r))).filter((t): t is Tile => t !== undefined));
  }
}

function grow(batches: number[]): { store: Store; tree: MemoryTree; sizes: number[] } {
  const store = new Store();
  const tree = new MemoryTree();
  const sizes = [0];
  for (const k of batches) {
    const size = tree.size;
    const leaves = Array.from({ length: k }, (_, i) => leafHash(Buffer.from(`entry ${size + i}`)));
    const written = appendToTiles(size, leaves, store.read(edgeTiles(size)));
    for (const leaf of leaves) tree.append(leaf);
    for (const t of written) expect(tileWidth(t)).toBe(widthAt(t, tree.size));
    store.write(written);
    sizes.push(tree.size);
  }
  return { store, tree, sizes };
}

const root = (store: Store, size: number) => (size === 0 ? EMPTY_ROOT : store.read(tilesFor([{ start: 0, end: size }])).span({ start: 0, end: size }));
const hex = (h: Uint8Array) => Buffer.from(h).toString("hex");

describe("tiles", () => {
  it("hold every root, inclusion and consistency proof of batches of random sizes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 25 }), fc.nat(), (batches, pick) => {
        const { store, tree, sizes } = grow(batches);
        for (const size of sizes) expect(hex(root(store, size))).toBe(hex(tree.root(size)));
        const size = sizes[pick % sizes.length]!;
        fc.pre(size > 0);
        const index = pick % size;
        const inc = inclusionSpans(index, size);
        expect(inc.map((s) => hex(store.read(tilesFor([s])).span(s)))).toEqual(tree.inclusionProof(index, size).map(hex));
        const from = (pick % size) + 1;
        const con = consistencySpans(from, size);
        const set = store.read(tilesFor(con));
        expect(con.map((s) => hex(set.span(s)))).toEqual(tree.consistencyProof(from, size).map(hex));
      }),
      { numRuns: 150 },
    );
  });

  it("are rewritten one per level for a one-entry batch, and stay within 512 bytes", () => {
    const { store } = grow(Array.from({ length: 300 }, () => 1));
    for (const t of store.tiles.values()) expect(t.hashes.byteLength).toBeLessThanOrEqual(TILE_WIDTH * 32);
    expect(appendToTiles(300, [leafHash(Buffer.from("x"))], store.read(edgeTiles(300))).length).toBe(1);
    // 4095 → 4096 fills a tile on each of levels 0, 1 and 2, and starts the first of level 3.
    const big = grow([4095]);
    expect(appendToTiles(4095, [leafHash(Buffer.from("x"))], big.store.read(edgeTiles(4095))).map(tileKey)).toEqual(["0/255", "1/15", "2/0", "3/0"]);
  });

  it("need about one tile per four levels for a proof in a large tree", () => {
    const size = 1_000_003;
    expect(tilesFor(inclusionSpans(123_456, size)).length).toBeLessThanOrEqual(10);
    expect(tilesFor(consistencySpans(999_999, size)).length).toBeLessThanOrEqual(12);
    expect(edgeTiles(size).length).toBeLessThanOrEqual(5);
  });

  it("refuse to append when an edge tile is missing", () => {
    const { store } = grow([20]);
    expect(() => appendToTiles(20, [leafHash(Buffer.from("x"))], new TileSet())).toThrow(/missing hashes/);
    expect(() => appendToTiles(20, [leafHash(Buffer.from("x"))], store.read(edgeTiles(20)))).not.toThrow();
  });
});
