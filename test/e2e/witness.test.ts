/**
 * `npm run witness` against a running hub: it pins the JWKS, follows the log as it grows, and
 * when an intruder rewrites the stored tree it raises the alarm with the evidence. An intruder
 * who rewrites an entry instead is caught by its inclusion proof.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logKeys } from "../../functions/adapters/dynamo/keys.js";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import { verifyInclusion } from "../../functions/crypto/merkle/verify.js";
import { readCheckpoint } from "../../functions/crypto/checkpoint.js";
import { startEmbeddedHub, type EmbeddedHub } from "../../functions/local/embedded.js";
import { appendStatement } from "../../functions/usecases/log-append.js";
import { integrate } from "../../functions/usecases/log-integrate.js";
import { inclusionProof } from "../../functions/usecases/log-proofs.js";
import { tsxArgs } from "../support/tsx.js";

const run = promisify(execFile);
const CLI = "functions/verifier/witness-cli.ts";

let hub: EmbeddedHub;
let dir: string;

beforeAll(async () => {
  hub = await startEmbeddedHub({ background: false });
  dir = await mkdtemp(join(tmpdir(), "hoptrace-witness-"));
});
afterAll(async () => {
  await hub?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function witness(state: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...tsxArgs(CLI), "--hub", hub.url, "--state", state, "--once"], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function grow(from: number, to: number): Promise<void> {
  const log = hub.runtime.deps.transparencyLog;
  for (let i = from; i < to; i++) await appendStatement(log, { kind: "request", id: `req_w_${i}`, subject: "tb_W", bytes: `statement ${i}` });
  await integrate(log);
}

describe("the witness", () => {
  it("follows a log that grows, and alarms with the evidence once the stored tree is rewritten", async () => {
    const state = join(dir, "state.json");
    expect((await witness(state)).stdout).toMatch(/no checkpoint yet/);

    await grow(0, 10);
    const first = await witness(state);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ first \S+ size=10 /);
    expect((await stat(state)).mode & 0o777).toBe(0o600);
    const pinned = JSON.parse(await readFile(state, "utf8"));
    expect(pinned.jwks).toEqual(await (await fetch(`${hub.url}/.well-known/jwks.json`)).json());

    await grow(10, 14);
    const second = await witness(state);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ advanced \S+ size=14 /);
    expect((await witness(state)).stdout).toMatch(/ unchanged \S+ size=14 /);

    // An intruder with table access replaces a leaf of the stored tree (tile 0/0, leaf 2)...
    const db = hub.runtime.db;
    const table = hub.runtime.config.TABLE_NAME;
    const tiles = await hub.runtime.deps.transparencyLog.logStore.getTiles([{ level: 0, index: 0 }]);
    const hashes = Uint8Array.from(tiles[0]!.hashes);
    hashes.set(leafHash(Buffer.from("a rewritten answer")), 2 * 32);
    await db.send(new PutCommand({ TableName: table, Item: { ...logKeys.tile("main", 0, 0), entity: "log_tile", level: 0, index: 0, width: 14, hashes } }));
    // ...and the hub goes on: its next checkpoint is over the rewritten tree.
    await grow(14, 18);
    const alarm = await witness(state);
    expect(alarm.code).toBe(3);
    expect(alarm.stderr).toMatch(/ALARM fork: the tree of 18 entries does not extend the tree of 14 entries/);
    const evidenceFile = (await readdir(dir)).find((f) => f.startsWith("state.json.alarm-"));
    const evidence = JSON.parse(await readFile(join(dir, evidenceFile!), "utf8"));
    expect(evidence).toMatchObject({ alarm: "fork", lastAccepted: { size: 14 } });
    expect(readCheckpoint(evidence.served.checkpoint).size).toBe(18);
    // The state still holds the last good checkpoint: the alarm repeats until someone looks.
    expect(JSON.parse(await readFile(state, "utf8")).last.size).toBe(14);
    expect((await witness(state)).code).toBe(3);
  }, 120_000);

  it("is not fooled by a rewritten entry either: its inclusion proof no longer holds", async () => {
    const log = hub.runtime.deps.transparencyLog;
    await appendStatement(log, { kind: "request", id: "req_entry_edit", subject: "tb_W", bytes: "the genuine answer" });
    await integrate(log);
    const proof = await inclusionProof(log, { statementId: "req_entry_edit" });
    const root = readCheckpoint(proof.checkpoint!).rootHash;
    const stored = await log.logStore.getEntry("req_entry_edit");
    expect(verifyInclusion(proof.index, proof.treeSize, leafHash(stored!.entry), proof.proof, root)).toBe(true);
    const edited = Buffer.from(stored!.entry)
      .toString("utf8")
      .replace(/"sha256":"[^"]+"/, `"sha256":"${"A".repeat(43)}"`);
    expect(verifyInclusion(proof.index, proof.treeSize, leafHash(Buffer.from(edited)), proof.proof, root)).toBe(false);
  });

  it("refuses bad arguments with its usage", async () => {
    try {
      await run(process.execPath, [...tsxArgs(CLI), "--hub", "not a url", "--state", join(dir, "x.json"), "--once"]);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: number }).code).toBe(2);
      expect((err as { stderr: string }).stderr).toMatch(/usage: hoptrace-witness/);
    }
  });
});
