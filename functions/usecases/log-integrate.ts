/**
 * The integrator: gives pending entries their indexes, extends the tree and signs a checkpoint.
 *
 * The sequence is decided by one conditional write: the batch item that starts at the current
 * size. Whoever writes it decides indexes [size, size + k); a concurrent integrator fails that
 * write, finishes the winner's batch and goes on after it. Everything after the batch write
 * (tiles, the entries' indexes, the head) is idempotent and is redone from the batch by the next
 * run if this one stops half-way. No index is ever given twice, none is skipped, and an entry
 * is in at most one batch because a new batch is only chosen once every earlier one is applied
 * and its entries read back, consistently, as sequenced.
 */
import { readCheckpoint, signCheckpoint } from "../crypto/checkpoint.js";
import { EMPTY_ROOT } from "../crypto/merkle/hashing.js";
import { appendToTiles, edgeTiles, tileKey, TileSet, tilesFor, widthAt, type TileRef } from "../crypto/merkle/tiles.js";
import { LogIntegrityError, type LogDeps, type LogStore, type SequencedBatch } from "./log-ports.js";

export interface IntegrationOptions {
  /** Entries per batch; a batch item holds about 80 bytes per entry. */
  maxBatch?: number;
  /** Batches per run, so one run cannot go on forever under a steady stream. */
  maxBatches?: number;
}

export interface IntegrationResult {
  size: number;
  /** Entries this run sequenced itself. */
  sequenced: number;
  /** Nothing was left pending when the run ended (it did not stop at its batch limit). */
  drained: boolean;
  /** The checkpoint of `size`. */
  checkpoint: string;
}

const DEFAULTS = { maxBatch: 256, maxBatches: 16 };
const MARK_CONCURRENCY = 64;

export async function integrate(deps: LogDeps, opts: IntegrationOptions = {}): Promise<IntegrationResult> {
  const { maxBatch, maxBatches } = { ...DEFAULTS, ...opts };
  const store = deps.logStore;
  const head = await store.getHead();
  // A log keeps the identity of its first checkpoint, whatever the URL it is served at later.
  const origin = head ? readCheckpoint(head.checkpoint).origin : deps.logOrigin;
  let published = head;
  let size = head?.size ?? 0;
  let sequenced = 0;

  // Each batch ends in a checkpoint, so an entry waits for one batch, not for the whole run.
  const publish = async (tiles: TileSet | undefined): Promise<void> => {
    const rootHash = size === 0 ? EMPTY_ROOT : (tiles ?? (await tilesAt(store, size))).span({ start: 0, end: size });
    const checkpoint = signCheckpoint(deps.hubKey, { origin, size, rootHash }, Math.floor(deps.clock.now().getTime() / 1000));
    await store.advanceHead({ size, rootHash, checkpoint });
    published = { size, rootHash, checkpoint };
  };

  // Batches decided past the head belong to a run that stopped: finish them first.
  let tiles: TileSet | undefined;
  for (let batch = await store.getBatch(size); batch; batch = await store.getBatch(size)) {
    tiles = await applyBatch(store, batch);
    size += batch.leaves.length;
  }
  if (!published || published.size !== size) await publish(tiles);

  let drained = false;
  for (let round = 0; round < maxBatches && !drained; round++) {
    const candidate = await nextBatch(deps, size, maxBatch);
    if (!candidate) {
      drained = true;
      break;
    }
    const won = await store.putBatch(candidate);
    const batch = won ? candidate : await store.getBatch(size);
    if (!batch) throw new LogIntegrityError(`the batch at ${size} was refused as taken but cannot be read`);
    const extended = await applyBatch(store, batch);
    size += batch.leaves.length;
    if (won) sequenced += batch.leaves.length;
    await publish(extended);
    drained = won && candidate.leaves.length < maxBatch;
  }
  return { size, sequenced, drained, checkpoint: published!.checkpoint };
}

/** The oldest pending entries, read back consistently, without those already sequenced. */
async function nextBatch(deps: LogDeps, from: number, max: number): Promise<SequencedBatch | undefined> {
  const pending = await deps.logStore.pendingEntries(max);
  if (pending.length === 0) return undefined;
  const entries = (await deps.logStore.getEntries(pending.map((p) => p.statementId)))
    .filter((e) => e.index === undefined)
    .sort((a, b) => (a.acceptedAt === b.acceptedAt ? compare(a.statementId, b.statementId) : compare(a.acceptedAt, b.acceptedAt)));
  if (entries.length === 0) return undefined;
  return { from, leaves: entries.map((e) => ({ statementId: e.statementId, leafHash: e.leafHash })), sequencedAt: deps.clock.now().toISOString() };
}

/**
 * Extends the tiles by the batch and gives its entries their indexes. Returns the tiles the root
 * of the extended tree is computed from.
 */
async function applyBatch(store: LogStore, batch: SequencedBatch): Promise<TileSet> {
  const end = batch.from + batch.leaves.length;
  // The edge tiles to extend, and the tiles of the new root that exist already: one read.
  const wanted = new Map<string, TileRef>();
  for (const ref of [...edgeTiles(batch.from), ...tilesFor([{ start: 0, end }])]) if (widthAt(ref, batch.from) > 0) wanted.set(tileKey(ref), ref);
  const tiles = new TileSet(await store.getTiles([...wanted.values()]));
  const written = appendToTiles(
    batch.from,
    batch.leaves.map((l) => l.leafHash),
    tiles,
  );
  await store.putTiles(written);
  for (const t of written) tiles.put(t);
  for (let i = 0; i < batch.leaves.length; i += MARK_CONCURRENCY) {
    await Promise.all(batch.leaves.slice(i, i + MARK_CONCURRENCY).map((l, j) => store.markSequenced(l.statementId, batch.from + i + j)));
  }
  return tiles;
}

async function tilesAt(store: LogStore, size: number): Promise<TileSet> {
  return new TileSet(await store.getTiles(tilesFor([{ start: 0, end: size }])));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What one trigger of the integrator does: runs until a run leaves nothing pending, or until
 * `deadline` (epoch ms) has passed, so a function stops before its timeout. What is appended
 * meanwhile is the next trigger's.
 */
export async function integratePending(deps: LogDeps, opts: IntegrationOptions & { deadline?: number } = {}): Promise<IntegrationResult> {
  const { deadline = Number.POSITIVE_INFINITY, ...run } = opts;
  for (;;) {
    const result = await integrate(deps, run);
    if (result.drained || deps.clock.now().getTime() >= deadline) return result;
  }
}
