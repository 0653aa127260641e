/**
 * What the transparency log needs from storage. The store offers single-item conditional writes
 * only (DynamoDB and dynalite alike, no transactions): the sequenced batch is the commit point,
 * and every other write is idempotent, so a run that stops anywhere is finished by the next.
 */
import type { Tile, TileRef } from "../crypto/merkle/tiles.js";
import type { Clock } from "../domain/clock.js";

export interface StoredEntry {
  statementId: string;
  /** The canonical entry bytes (see domain/log/entry.ts). */
  entry: Uint8Array;
  leafHash: Uint8Array;
  acceptedAt: string;
  /** Set once sequenced; never changes after. */
  index?: number;
  /**
   * The statement the entry commits to, with what verifies it (a signed request, its signer's
   * key, its receipt), kept on the entry's item when no other item keeps it. Never served by the
   * public log routes.
   */
  evidence?: Record<string, unknown>;
}

/** Leaves [from, from + leaves.length), in order: written once, the sequence is decided. */
export interface SequencedBatch {
  from: number;
  leaves: Array<{ statementId: string; leafHash: Uint8Array }>;
  sequencedAt: string;
}

/** The integrated size, its root and the checkpoint signed for it. */
export interface LogHead {
  size: number;
  rootHash: Uint8Array;
  checkpoint: string;
}

export interface LogStore {
  /** Writes an entry not yet sequenced; when its statement id is taken, returns what is stored. */
  putEntry(entry: StoredEntry): Promise<{ created: true } | { created: false; existing: StoredEntry }>;
  getEntry(statementId: string): Promise<StoredEntry | undefined>;
  /** Strongly consistent reads; ids that do not exist are left out. */
  getEntries(statementIds: string[]): Promise<StoredEntry[]>;
  /** Every entry of a subject (statement ids `<subject>/…`), with its evidence. */
  entriesOf(subject: string): Promise<StoredEntry[]>;
  /** Entries waiting to be sequenced, oldest first. May lag: an entry just sequenced can still show. */
  pendingEntries(limit: number): Promise<Array<{ statementId: string; acceptedAt: string }>>;
  getBatch(from: number): Promise<SequencedBatch | undefined>;
  /** False when a batch already starts at `from`: another integrator decided that part. */
  putBatch(batch: SequencedBatch): Promise<boolean>;
  /** Records the entry's index and takes it off the pending list; refuses another index. */
  markSequenced(statementId: string, index: number): Promise<void>;
  getTiles(refs: TileRef[]): Promise<Tile[]>;
  /** Writes tiles; a tile already stored wider is left as it is. */
  putTiles(tiles: Tile[]): Promise<void>;
  getHead(): Promise<LogHead | undefined>;
  /** Moves the head forward; a head already at `head.size` or past it stays. */
  advanceHead(head: LogHead): Promise<void>;
}

export interface LogDeps {
  logStore: LogStore;
  clock: Clock;
  /** The hub key signs checkpoints; its JWKS verifies them. */
  hubKey: { privateKey: import("node:crypto").KeyObject; publicJwk: { x: string } };
  /** The checkpoint origin, e.g. `api.hoptrace.example/log`. */
  logOrigin: string;
  /** Entry nonces; crypto.randomBytes unless a test fixes them. */
  randomBytes?: (n: number) => Uint8Array;
  /** Told of every new entry, so an integrator in the same process can start at once. */
  onAppended?: () => void;
}

/** The stored tree contradicts its own sequence: never expected, always fatal for the run. */
export class LogIntegrityError extends Error {
  readonly code = "log_integrity";
}
