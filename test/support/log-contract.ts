/**
 * What a transparency log store must do, whatever holds it: appends are idempotent, integration
 * gives dense indexes once each, whatever runs concurrently and wherever a process dies, and the
 * tree it builds is the reference tree. Run on dynalite and on the in-memory store alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogStore } from "../../functions/usecases/log-ports.js";
import { verifyCheckpoint } from "../../functions/crypto/checkpoint.js";
import { EMPTY_ROOT } from "../../functions/crypto/merkle/hashing.js";
import { verifyConsistency } from "../../functions/crypto/merkle/verify.js";
import { ConflictError, NotFoundError } from "../../functions/domain/errors.js";
import { decodeEntry } from "../../functions/domain/log/entry.js";
import { appendStatement, type Statement } from "../../functions/usecases/log-append.js";
import { LogIntegrityError } from "../../functions/usecases/log-ports.js";
import { integrate, integratePending } from "../../functions/usecases/log-integrate.js";
import { consistencyProof, inclusionProof, latestCheckpoint } from "../../functions/usecases/log-proofs.js";
import { killPointsOf, type KillPoints } from "./kill-points.js";
import { Crash, dyingAfter, expectExactLog, LOG_ORIGIN, openLog, type TestLog } from "./log.js";

export interface LogStores {
  /** A log of this name, apart from every other. */
  newStore(name: string): LogStore;
  stop(): Promise<void>;
}

export interface LogContractOptions {
  /** Before which store calls of its run the dying integrator dies. */
  crashes: KillPoints;
}

export function logStoreContract(open: () => Promise<LogStores>, opts: LogContractOptions): void {
  let stores: LogStores;
  const newStore = (name: string) => stores.newStore(name);
  beforeAll(async () => {
    stores = await open();
  });
  afterAll(async () => {
    await stores?.stop();
  });

  const statement = (id: string, body = `statement ${id}`): Statement => ({ kind: "request", id, subject: "tb_TEST", bytes: body });

  async function appendAll(log: TestLog, ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => appendStatement(log.deps, statement(id))));
  }

  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(4, "0")}`);

  describe("appending", () => {
    it("stores one entry per statement id, and a retry returns it", async () => {
      const log = await openLog(newStore);
      const first = await appendStatement(log.deps, statement("req_A"));
      const again = await appendStatement(log.deps, statement("req_A"));
      expect(Buffer.from(again.leafHash).equals(Buffer.from(first.leafHash))).toBe(true);
      expect(again.entry).toEqual(first.entry);
      expect(await log.store.pendingEntries(10)).toEqual([{ statementId: "req_A", acceptedAt: first.acceptedAt }]);
      expect(decodeEntry((await log.store.getEntry("req_A"))!.entry)).toEqual(first.entry);
    });

    it("refuses the same id with other content", async () => {
      const log = await openLog(newStore);
      await appendStatement(log.deps, statement("req_B"));
      await expect(appendStatement(log.deps, statement("req_B", "something else"))).rejects.toThrow(ConflictError);
      await expect(appendStatement(log.deps, { ...statement("req_B"), subject: "tb_OTHER" })).rejects.toThrow(ConflictError);
    });
  });

  describe("integrating", () => {
    it("signs an empty checkpoint for an empty log", async () => {
      const log = await openLog(newStore);
      await expect(latestCheckpoint(log.deps)).rejects.toThrow(NotFoundError);
      const result = await integrate(log.deps);
      expect(result).toMatchObject({ size: 0, sequenced: 0 });
      const cp = verifyCheckpoint(result.checkpoint, log.jwks, { origin: LOG_ORIGIN });
      expect(Buffer.from(cp.rootHash).equals(Buffer.from(EMPTY_ROOT))).toBe(true);
    });

    it("sequences every pending entry into the reference tree, batch after batch, consistent with every earlier checkpoint", async () => {
      const log = await openLog(newStore);
      const all: string[] = [];
      const checkpoints: Array<{ size: number; root: Uint8Array }> = [];
      for (const n of [1, 7, 16, 33, 2]) {
        const batch = ids(`req_${all.length}`, n);
        await appendAll(log, batch);
        all.push(...batch);
        const result = await integrate(log.deps, { maxBatch: 10 });
        expect(result.size).toBe(all.length);
        const cp = verifyCheckpoint(result.checkpoint, log.jwks);
        checkpoints.push({ size: cp.size, root: cp.rootHash });
      }
      const tree = await expectExactLog(log, all);
      for (const old of checkpoints) {
        const p = await consistencyProof(log.deps, old.size);
        expect(verifyConsistency(old.size, tree.size, old.root, tree.root(), p.proof)).toBe(true);
      }
      // Nothing pending: the run changes nothing and re-signs nothing.
      expect(await integrate(log.deps)).toMatchObject({ size: all.length, sequenced: 0, checkpoint: (await latestCheckpoint(log.deps)).checkpoint });
    });

    it("one trigger drains a backlog larger than a run, and stops starting runs past its deadline", async () => {
      const log = await openLog(newStore);
      const all = ids("req_backlog", 25);
      await appendAll(log, all);
      // A run takes at most three batches of two: the first trigger stops at its deadline after one run.
      const first = await integratePending(log.deps, { maxBatch: 2, maxBatches: 3, deadline: 0 });
      expect(first).toMatchObject({ size: 6, sequenced: 6, drained: false });
      const rest = await integratePending(log.deps, { maxBatch: 2, maxBatches: 3 });
      expect(rest).toMatchObject({ size: 25, drained: true });
      await expectExactLog(log, all);
    });

    it("keeps the origin of its first checkpoint when served under another name later", async () => {
      const log = await openLog(newStore);
      await appendStatement(log.deps, statement("req_o1"));
      await integrate(log.deps);
      await appendStatement(log.deps, statement("req_o2"));
      const moved = await integrate({ ...log.deps, logOrigin: "other.example/log" });
      expect(verifyCheckpoint(moved.checkpoint, log.jwks, { origin: LOG_ORIGIN }).size).toBe(2);
    });

    it("orders a batch by acceptance time", async () => {
      const log = await openLog(newStore);
      for (const id of ["req_z", "req_y", "req_x"]) {
        await appendStatement(log.deps, statement(id));
        await new Promise((r) => setTimeout(r, 3));
      }
      await integrate(log.deps);
      const entries = await log.store.getEntries(["req_x", "req_y", "req_z"]);
      expect(Object.fromEntries(entries.map((e) => [e.statementId, e.index]))).toEqual({ req_z: 0, req_y: 1, req_x: 2 });
    });

    it("proves only what a checkpoint covers, with precise errors", async () => {
      const log = await openLog(newStore);
      await appendAll(log, ids("req_p", 3));
      await integrate(log.deps);
      await appendStatement(log.deps, statement("req_late"));
      await expect(inclusionProof(log.deps, { statementId: "req_late" })).rejects.toMatchObject({ code: "not_integrated" });
      await expect(inclusionProof(log.deps, { statementId: "req_never" })).rejects.toThrow(NotFoundError);
      await expect(inclusionProof(log.deps, { index: 3 })).rejects.toMatchObject({ code: "beyond_log" });
      await expect(inclusionProof(log.deps, { index: 0 }, 4)).rejects.toMatchObject({ code: "beyond_log" });
      await expect(consistencyProof(log.deps, 2, 4)).rejects.toMatchObject({ code: "beyond_log" });
      await expect(consistencyProof(log.deps, 3, 2)).rejects.toMatchObject({ code: "beyond_log" });
      const p = await inclusionProof(log.deps, { index: 1 }, 2);
      expect(p).toMatchObject({ index: 1, treeSize: 2 });
      expect(p.checkpoint).toBeUndefined();
      expect((await inclusionProof(log.deps, { index: 1 })).checkpoint).toBe((await latestCheckpoint(log.deps)).checkpoint);
    });
  });

  describe("the store's guards", () => {
    it("never cuts a tile back nor moves an entry to another index", async () => {
      const log = await openLog(newStore);
      const wide = { level: 0, index: 0, hashes: new Uint8Array(5 * 32).fill(7) };
      await log.store.putTiles([wide]);
      await log.store.putTiles([{ level: 0, index: 0, hashes: new Uint8Array(3 * 32).fill(7) }]);
      expect((await log.store.getTiles([{ level: 0, index: 0 }]))[0]!.hashes.byteLength).toBe(5 * 32);
      await appendStatement(log.deps, statement("req_idx"));
      await log.store.markSequenced("req_idx", 4);
      await log.store.markSequenced("req_idx", 4);
      await expect(log.store.markSequenced("req_idx", 5)).rejects.toThrow(LogIntegrityError);
      await expect(log.store.markSequenced("req_missing", 0)).rejects.toThrow(LogIntegrityError);
      expect(await log.store.pendingEntries(10)).toEqual([]);
    });
  });

  describe("integrators racing", () => {
    it("give dense, unique indexes while appends keep arriving", async () => {
      const log = await openLog(newStore);
      const all = ids("req_race", 160);
      let appending = true;
      const integrators = Array.from({ length: 4 }, async () => {
        let runs = 0;
        while (appending || runs === 0) {
          await integrate(log.deps, { maxBatch: 8, maxBatches: 3 });
          runs++;
        }
        return runs;
      });
      for (let i = 0; i < all.length; i += 20) await appendAll(log, all.slice(i, i + 20));
      appending = false;
      const runs = await Promise.all(integrators);
      expect(runs.every((r) => r > 0)).toBe(true);
      await integrate(log.deps);
      await expectExactLog(log, all);
    });

    it("converge when two integrators decide the same batch at the same instant", async () => {
      const log = await openLog(newStore);
      const all = ids("req_same", 40);
      await appendAll(log, all);
      const results = await Promise.all([integrate(log.deps, { maxBatch: 16 }), integrate(log.deps, { maxBatch: 16 }), integrate(log.deps, { maxBatch: 16 })]);
      expect(results.reduce((n, r) => n + r.sequenced, 0)).toBe(40);
      await integrate(log.deps);
      await expectExactLog(log, all);
    });
  });

  describe("a process dying between any two store calls", () => {
    it("loses nothing and doubles nothing: the next run finishes exactly", async () => {
      /** A run whose integrator dies before its store call number `calls` (if it makes that many). */
      const dyingBefore = async (calls: number) => {
        const log = await openLog(newStore);
        const before = ids("req_old", 5);
        await appendAll(log, before);
        await integrate(log.deps);
        const after = ids("req_new", 11);
        await appendAll(log, after);
        const dying = dyingAfter(log.store, calls);
        await integrate({ ...log.deps, logStore: dying.store }, { maxBatch: 4 }).catch((err) => expect(err).toBeInstanceOf(Crash));
        // A restarted integrator (and a second one, in case the first stops early) finish the job.
        await integrate(log.deps, { maxBatch: 4 });
        await integrate(log.deps, { maxBatch: 4 });
        await expectExactLog(log, [...before, ...after], { proofs: "sample" });
        return dying;
      };
      const total = (await dyingBefore(Number.POSITIVE_INFINITY)).made();
      // Three batches (each: pending list, read-back, decision, tiles read and written, four
      // indexes) and the head: every gap between two of those calls is a place to die.
      expect(total).toBeGreaterThanOrEqual(24);
      for (const calls of killPointsOf(opts.crashes, total)) expect((await dyingBefore(calls)).died(), `a death before call ${calls}`).toBe(true);
    }, 240_000);
  });
}
