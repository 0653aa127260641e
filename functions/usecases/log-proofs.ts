/**
 * What the log proves to anyone: its latest checkpoint, that an entry is in it, and that an
 * older tree is a prefix of a newer one. Proofs are served only up to the head, the largest
 * size with a signed checkpoint, so every proof can be checked against one.
 */
import { tilesFor, TileSet } from "../crypto/merkle/tiles.js";
import { consistencySpans, inclusionSpans } from "../crypto/merkle/spans.js";
import { ConflictError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import type { LogDeps, LogHead } from "./log-ports.js";

/** A tree size or index past what the log has signed. */
const beyondLog = (detail: string, pointer: string) => new RuleViolationError("beyond_log", detail, pointer);

export interface InclusionProof {
  index: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  /** The signed checkpoint of `treeSize` when it is the head's. */
  checkpoint?: string;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  proof: Uint8Array[];
}

export async function latestCheckpoint(deps: LogDeps): Promise<LogHead> {
  const head = await deps.logStore.getHead();
  if (!head) throw new NotFoundError("the log has no checkpoint yet");
  return head;
}

export async function inclusionProof(deps: LogDeps, query: { index: number } | { statementId: string }, treeSize?: number): Promise<InclusionProof> {
  let head: LogHead;
  let index: number;
  if ("statementId" in query) {
    // The statement before the head: one accepted before the first checkpoint is "not integrated
    // yet", as any other is until its run, not "not found".
    const entry = await deps.logStore.getEntry(query.statementId);
    if (!entry) throw new NotFoundError(`statement ${query.statementId} is not in the log`);
    const latest = await deps.logStore.getHead();
    if (!latest || entry.index === undefined || entry.index >= latest.size)
      throw new ConflictError("not_integrated", `statement ${query.statementId} is accepted and not integrated yet; retry in a second`);
    head = latest;
    index = entry.index;
  } else {
    head = await latestCheckpoint(deps);
    index = query.index;
  }
  const size = treeSize ?? head.size;
  if (size > head.size) throw beyondLog(`the log has signed ${head.size} entries, not ${size}`, "/treeSize");
  if (index >= size) throw beyondLog(`entry ${index} is not in the tree of ${size}`, "statementId" in query ? "/treeSize" : "/index");
  const [proved] = await inclusionProofsIn(deps, size, [index]);
  return { index, treeSize: size, ...proved!, ...(size === head.size && { checkpoint: head.checkpoint }) };
}

/**
 * The leaf hashes and audit paths of entries in the tree of `size` (at most the head's), from
 * one read of every tile they need.
 */
export async function inclusionProofsIn(deps: LogDeps, size: number, indexes: number[]): Promise<Array<{ leafHash: Uint8Array; proof: Uint8Array[] }>> {
  const spans = indexes.map((index) => inclusionSpans(index, size));
  const tiles = new TileSet(await deps.logStore.getTiles(tilesFor([...spans.flat(), ...indexes.map((index) => ({ start: index, end: index + 1 }))])));
  return indexes.map((index, i) => ({ leafHash: tiles.node({ level: 0, index }), proof: spans[i]!.map((s) => tiles.span(s)) }));
}

export async function consistencyProof(deps: LogDeps, from: number, to?: number): Promise<ConsistencyProof> {
  const head = await latestCheckpoint(deps);
  const size = to ?? head.size;
  if (size > head.size) throw beyondLog(`the log has signed ${head.size} entries, not ${size}`, "/to");
  if (from > size) throw beyondLog(`a tree of ${from} cannot be a prefix of a tree of ${size}`, "/from");
  const spans = consistencySpans(from, size);
  const tiles = new TileSet(spans.length ? await deps.logStore.getTiles(tilesFor(spans)) : []);
  return { from, to: size, proof: spans.map((s) => tiles.span(s)) };
}
