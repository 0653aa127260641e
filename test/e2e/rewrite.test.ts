/**
 * An intruder with write access to the table (not to the hub's key) edits an answer. Edited in
 * the hop alone, the change never reaches the log: the next checkpoints extend the witnessed
 * ones and include no entry for it, and the bundle no longer verifies. Edited everywhere the
 * table holds it, the answer's evidence, its entry and the stored tree included, the hub's next
 * checkpoint is over a tree that does not extend the one witnessed: the witness raises a fork,
 * and the bundle still fails, since the provider's signature and the hub's receipt cover the
 * original.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys, logKeys } from "../../functions/adapters/dynamo/keys.js";
import { readCheckpoint } from "../../functions/crypto/checkpoint.js";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import { verifyInclusion } from "../../functions/crypto/merkle/verify.js";
import { appendToTiles, TileSet } from "../../functions/crypto/merkle/tiles.js";
import { decodeEntry, encodeEntry, requestStatement, statementDigest } from "../../functions/domain/log/entry.js";
import { parseHopId } from "../../functions/domain/ids.js";
import { inclusionProof } from "../../functions/usecases/log-proofs.js";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { pollOnce } from "../../functions/verifier/witness-poll.js";
import { startTestHub, type TestHub } from "../support/hub.js";
import { bundleOf, evidenceWorld, traceThrough, type EvidenceWorld } from "../support/evidence.js";

let t: TestHub;
let w: EvidenceWorld;
let dir: string;

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  w = await evidenceWorld(t, 3);
  dir = await mkdtemp(join(tmpdir(), "hoptrace-rewrite-"));
}, 120_000);
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const db = () => t.hub.runtime.db;
const table = () => t.hub.runtime.config.TABLE_NAME;
const log = () => t.hub.runtime.deps.transparencyLog;

async function readItem(key: { pk: string; sk: string }): Promise<Record<string, any>> {
  return (await db().send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }))).Item!;
}
const writeItem = (item: Record<string, unknown>) => db().send(new PutCommand({ TableName: table(), Item: item }));

/** The hop 2 answer of a fresh traceback, as stored, with the statement id its receipt names. */
async function answeredHop() {
  const tbId = await traceThrough(w, { signed: false, amend: false });
  const bundle = await bundleOf(w.initiator.api, tbId);
  const hop = bundle.chain.hops[1];
  const ref = parseHopId(hop.id)!;
  const statement = bundle.requests.find((r: any) => r.request.targetUri.endsWith(`/${hop.id}/answer`));
  return { tbId, bundle, ref, hopKey: keys.hop(ref.tracebackId, ref.seq), statementId: statement.statementId as string };
}

/** The item keeping the evidence of an answer, which its hop item names. */
const evidenceKey = (ref: { tracebackId: string; seq: number }, hop: Record<string, any>) => keys.answerEvidence(ref.tracebackId, ref.seq, hop.evidenceId);

/** The hub goes on: new statements, integrated, a new checkpoint. */
async function hubGoesOn(): Promise<number> {
  const before = (await log().logStore.getHead())!.size;
  await traceThrough(w, { signed: false, amend: false });
  for (let i = 0; i < 200 && (await log().logStore.getHead())!.size <= before; i++) await new Promise((r) => setTimeout(r, 20));
  return (await log().logStore.getHead())!.size;
}

describe("an answer rewritten in the table", () => {
  it("in the hop only: the log never takes it in, the witness sees the log grow consistently, the bundle fails", async () => {
    const state = join(dir, "hop-only.json");
    const { tbId, ref, hopKey, statementId } = await answeredHop();
    expect((await pollOnce({ hub: t.url, statePath: state })).verdict).toMatchObject({ kind: "first" });

    const hop = await readItem(hopKey);
    const { evidence } = await readItem(evidenceKey(ref, hop));
    const genuine = hop.answer.upstream.providerId;
    hop.answer = { ...hop.answer, upstream: { providerId: w.providers[0]!.id } };
    await writeItem(hop);

    const size = await hubGoesOn();
    const verdict = (await pollOnce({ hub: t.url, statePath: state })).verdict as { kind: string; accepted: { size: number } };
    expect(verdict.kind).toBe("advanced");
    expect(verdict.accepted.size).toBeGreaterThanOrEqual(size);

    // The log still holds the signed answer, and nothing for the edited one.
    const entry = decodeEntry((await log().logStore.getEntry(statementId))!.entry);
    const signed = JSON.parse(evidence.request.body);
    expect(signed.upstream.providerId).toBe(genuine);
    expect(entry.sha256).toBe(statementDigest(requestStatement(evidence.request)));
    const edited = requestStatement({ ...evidence.request, body: JSON.stringify(hop.answer) });
    expect((await log().logStore.entriesOf(tbId)).some((e) => decodeEntry(e.entry).sha256 === statementDigest(edited))).toBe(false);

    const report = await verifyBundle(await bundleOf(w.initiator.api, tbId), { jwks: w.jwks });
    expect(report.ok).toBe(false);
    expect(report.hops[1]!.problems).toContain("hop 2's answer is not the one its provider signed");
  }, 120_000);

  it("with its evidence, its entry and the stored tree: the next checkpoint is a fork the witness catches, and the bundle still fails", async () => {
    const state = join(dir, "everywhere.json");
    const { tbId, ref, hopKey, statementId } = await answeredHop();
    expect((await pollOnce({ hub: t.url, statePath: state })).verdict).toMatchObject({ kind: "first" });
    const witnessed = readCheckpoint((await log().logStore.getHead())!.checkpoint);

    // The answer and the request that "signed" it, rewritten together.
    const hop = await readItem(hopKey);
    hop.answer = { ...hop.answer, upstream: { providerId: w.providers[0]!.id } };
    const body = JSON.stringify(hop.answer);
    const kept = await readItem(evidenceKey(ref, hop));
    kept.evidence.request = { ...kept.evidence.request, body, headers: { ...kept.evidence.request.headers, "content-digest": contentDigest(body) } };
    await writeItem(hop);
    await writeItem(kept);
    // Its log entry, now the digest of the rewritten request...
    const entryKey = logKeys.entry("main", statementId);
    const item = await readItem(entryKey);
    const rewritten = encodeEntry({ ...decodeEntry(item.entry), sha256: statementDigest(requestStatement(kept.evidence.request)) });
    await writeItem({ ...item, entry: rewritten, leafHash: leafHash(rewritten) });
    // ...and every tile of the tree recomputed over the rewritten leaf.
    const leaves: Uint8Array[] = [];
    for (let batch = await log().logStore.getBatch(0); batch; batch = await log().logStore.getBatch(leaves.length)) {
      for (const l of batch.leaves) leaves.push(l.statementId === statementId ? leafHash(rewritten) : l.leafHash);
    }
    expect(leaves.length).toBe(witnessed.size);
    for (const tile of appendToTiles(0, leaves, new TileSet([]))) {
      await writeItem({
        ...logKeys.tile("main", tile.level, tile.index),
        entity: "log_tile",
        level: tile.level,
        index: tile.index,
        width: tile.hashes.byteLength / 32,
        hashes: tile.hashes,
      });
    }

    // The hub signs its next checkpoint over the stored tree: not an extension of the witnessed one.
    await hubGoesOn();
    const poll = await pollOnce({ hub: t.url, statePath: state });
    expect(poll.verdict).toMatchObject({ kind: "fork" });
    expect("alarmFile" in poll && poll.alarmFile).toBeTruthy();

    // The rewritten entry is "in" the new tree, yet the bundle fails: no signature or receipt covers it.
    const proof = await inclusionProof(log(), { statementId });
    expect(verifyInclusion(proof.index, proof.treeSize, leafHash(rewritten), proof.proof, readCheckpoint(proof.checkpoint!).rootHash)).toBe(true);
    const report = await verifyBundle(await bundleOf(w.initiator.api, tbId), { jwks: w.jwks });
    expect(report.ok).toBe(false);
    const problems = report.hops[1]!.statements.flatMap((s) => s.problems);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/RFC 9421 signature does not verify/), "the receipt commits to the entry of another request"]),
    );
  }, 120_000);
});
