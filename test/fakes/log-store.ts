/** The transparency log's entries, batches, tiles and head in memory: the LogStore contract. */
import type { Tile, TileRef } from "../../functions/crypto/merkle/tiles.js";
import { LogIntegrityError, type LogHead, type LogStore, type SequencedBatch, type StoredEntry } from "../../functions/usecases/log-ports.js";
import { copy, dueBefore } from "./paging.js";

export class MemoryLogStore implements LogStore {
  readonly entries = new Map<string, StoredEntry>();
  private readonly batches = new Map<number, SequencedBatch>();
  private readonly tiles = new Map<string, Tile>();
  private head?: LogHead;

  async putEntry(entry: StoredEntry): Promise<{ created: true } | { created: false; existing: StoredEntry }> {
    const existing = this.entries.get(entry.statementId);
    if (existing) return { created: false, existing: copy(existing) };
    const { index: _unsequenced, ...fresh } = entry;
    this.entries.set(entry.statementId, copy(fresh));
    return { created: true };
  }

  async getEntry(statementId: string): Promise<StoredEntry | undefined> {
    const e = this.entries.get(statementId);
    return e && copy(e);
  }

  async getEntries(statementIds: string[]): Promise<StoredEntry[]> {
    return statementIds.flatMap((id) => (this.entries.has(id) ? [copy(this.entries.get(id)!)] : []));
  }

  async entriesOf(subject: string): Promise<StoredEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.statementId.startsWith(`${subject}/`))
      .sort((a, b) => (a.statementId < b.statementId ? -1 : 1))
      .map(copy);
  }

  async pendingEntries(limit: number): Promise<Array<{ statementId: string; acceptedAt: string }>> {
    const rows = [...this.entries.values()]
      .filter((e) => e.index === undefined)
      .map((e) => ({ sk: `${e.acceptedAt}#${e.statementId}`, value: { statementId: e.statementId, acceptedAt: e.acceptedAt } }));
    return dueBefore(rows, "~", limit);
  }

  async getBatch(from: number): Promise<SequencedBatch | undefined> {
    const b = this.batches.get(from);
    return b && copy(b);
  }

  async putBatch(batch: SequencedBatch): Promise<boolean> {
    if (this.batches.has(batch.from)) return false;
    this.batches.set(batch.from, copy(batch));
    return true;
  }

  async markSequenced(statementId: string, index: number): Promise<void> {
    const e = this.entries.get(statementId);
    if (!e || (e.index !== undefined && e.index !== index))
      throw new LogIntegrityError(`entry ${statementId} is missing or already sequenced at another index than ${index}`);
    e.index = index;
  }

  async getTiles(refs: TileRef[]): Promise<Tile[]> {
    return refs.flatMap((r) => {
      const t = this.tiles.get(`${r.level}#${r.index}`);
      return t ? [copy(t)] : [];
    });
  }

  /** A tile already stored wider is left as it is. */
  async putTiles(tiles: Tile[]): Promise<void> {
    for (const t of tiles) {
      const held = this.tiles.get(`${t.level}#${t.index}`);
      if (!held || held.hashes.byteLength <= t.hashes.byteLength) this.tiles.set(`${t.level}#${t.index}`, copy(t));
    }
  }

  async getHead(): Promise<LogHead | undefined> {
    return this.head && copy(this.head);
  }

  async advanceHead(head: LogHead): Promise<void> {
    if (!this.head || this.head.size < head.size) this.head = copy(head);
  }
}
