/** A transparency log over any log store for tests, and the checks of its invariants. */
import { expect } from "vitest";
import { verifyCheckpoint } from "../../functions/crypto/checkpoint.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { MemoryTree } from "../../functions/crypto/merkle/memory-tree.js";
import { verifyConsistency, verifyInclusion } from "../../functions/crypto/merkle/verify.js";
import { publicJwks } from "../../functions/crypto/receipt.js";
import { systemClock, type Clock } from "../../functions/domain/clock.js";
import type { LogDeps, LogStore } from "../../functions/usecases/log-ports.js";
import { consistencyProof, inclusionProof } from "../../functions/usecases/log-proofs.js";

export const LOG_ORIGIN = "127.0.0.1/log";

export interface TestLog {
  deps: LogDeps;
  store: LogStore;
  jwks: { keys: object[] };
}

let logCounter = 0;

export async function openLog(newStore: (name: string) => LogStore, clock: Clock = systemClock): Promise<TestLog> {
  const key = await generateSigningKey();
  const store = newStore(`test${process.pid}x${++logCounter}`);
  return {
    store,
    deps: { logStore: store, clock, hubKey: { privateKey: key.privateKey, publicJwk: key.publicJwk }, logOrigin: LOG_ORIGIN },
    jwks: publicJwks([{ publicJwk: key.publicJwk, kid: key.kid }]),
  };
}

export class Crash extends Error {
  constructor() {
    super("the process died here");
  }
}

/**
 * The store of a process that dies after `calls` calls: every call after that throws, as if
 * the process were gone (calls already under way finish).
 */
export function dyingAfter(store: LogStore, calls: number): { store: LogStore; died: () => boolean; made: () => number } {
  let made = 0;
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (made++ >= calls) return Promise.reject(new Crash());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, died: () => made > calls, made: () => Math.min(made, calls) };
}

/**
 * The log holds exactly these statements: dense indexes 0..n-1 each given once, nothing left
 * pending, the head's root is the reference tree's over the leaves in index order, the
 * checkpoint verifies with the JWKS, and proofs of every entry verify against it.
 */
export async function expectExactLog(log: TestLog, statementIds: string[], opts: { proofs: "all" | "sample" } = { proofs: "all" }): Promise<MemoryTree> {
  const head = await log.store.getHead();
  expect(head?.size).toBe(statementIds.length);
  const entries = await log.store.getEntries(statementIds);
  expect(entries).toHaveLength(statementIds.length);
  const byIndex = [...entries].sort((a, b) => a.index! - b.index!);
  expect(byIndex.map((e) => e.index)).toEqual(statementIds.map((_, i) => i));
  expect(await log.store.pendingEntries(1000)).toEqual([]);
  const tree = new MemoryTree(byIndex.map((e) => e.leafHash));
  expect(Buffer.from(head!.rootHash).equals(Buffer.from(tree.root()))).toBe(true);
  const checkpoint = verifyCheckpoint(head!.checkpoint, log.jwks, { origin: LOG_ORIGIN });
  expect(checkpoint.size).toBe(statementIds.length);
  expect(Buffer.from(checkpoint.rootHash).equals(Buffer.from(tree.root()))).toBe(true);
  const proved =
    opts.proofs === "all" ? byIndex : [byIndex[0], byIndex[Math.floor(byIndex.length / 2)], byIndex[byIndex.length - 1]].filter((e) => e !== undefined);
  for (const e of proved) {
    const p = await inclusionProof(log.deps, { statementId: e.statementId });
    expect(verifyInclusion(e.index!, p.treeSize, e.leafHash, p.proof, checkpoint.rootHash)).toBe(true);
  }
  for (const from of [0, 1, Math.floor(tree.size / 3), tree.size - 1]) {
    if (from < 0 || from > tree.size) continue;
    const p = await consistencyProof(log.deps, from);
    expect(verifyConsistency(from, tree.size, tree.root(from), checkpoint.rootHash, p.proof)).toBe(true);
  }
  return tree;
}
