/**
 * GET /v1/tracebacks/{id}/evidence on a running hub, and `npx hoptrace-verify` on what it
 * returns: a five-hop signed traceback verifies offline with the hub's JWKS alone, hop by hop;
 * the bundle is for the consortium and the initiator only; a trusted older checkpoint is
 * proved consistent with the bundle's.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../functions/crypto/checkpoint.js";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { EvidenceBundleSchema } from "../../functions/http/schemas/evidence-bundle.js";
import { startTestHub, type TestHub } from "../support/hub.js";
import { bundleOf, evidenceWorld, traceThrough, type EvidenceWorld } from "../support/evidence.js";
import { VERIFY_BIN } from "../support/tsx.js";

const run = promisify(execFile);
const REPO = new URL("../../", import.meta.url).pathname;

let t: TestHub;
let w: EvidenceWorld;
let tbId: string;
let bundle: any;
let dir: string;

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  w = await evidenceWorld(t);
  tbId = await traceThrough(w);
  bundle = await bundleOf(w.initiator.api, tbId);
  dir = await mkdtemp(join(tmpdir(), "hoptrace-bundle-"));
}, 120_000);
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the evidence bundle", () => {
  it("holds the chain, every signed request with its key and receipt, the certificate and a proof of every entry", async () => {
    expect(EvidenceBundleSchema.safeParse(bundle).success).toBe(true);
    expect(bundle.chain.traceback).toMatchObject({ id: tbId, status: "completed", result: { outcome: "originator_found" } });
    expect(bundle.chain.hops).toHaveLength(5);
    expect(bundle.chain.signerInquiries).toHaveLength(1);
    // Creation, five answers, one amendment, the inquiry's answer.
    expect(bundle.requests).toHaveLength(8);
    // Each hop and the inquiry placed, the outcome, and the findings of its signatures and its KYC findings filed with it.
    expect(bundle.decisions.map((d: { decision: { type: string } }) => d.decision.type).sort()).toEqual([
      "findings",
      "hop_placed",
      "hop_placed",
      "hop_placed",
      "hop_placed",
      "hop_placed",
      "hop_placed",
      "outcome",
      "rmd_findings",
    ]);
    expect(bundle.log.entries).toHaveLength(17);
    expect(bundle.certificates).toHaveLength(1);
    expect(bundle.certificates[0].sha256).toBe(bundle.chain.traceback.signatures[0].certificateSha256);
    expect(readCheckpoint(bundle.log.checkpoint).size).toBeGreaterThanOrEqual(8);
    for (const r of bundle.requests) expect(r.statementId.startsWith(`${tbId}/req_`)).toBe(true);
    // Nothing but this traceback: no statement about another subject.
    expect(bundle.log.entries.every((e: { entry: { subject: string } }) => e.entry.subject === tbId)).toBe(true);
  });

  it("verifies offline with the hub's JWKS, every hop and statement", async () => {
    const report = await verifyBundle(bundle, { jwks: w.jwks });
    expect(report.problems).toEqual([]);
    expect(report.traceback.problems).toEqual([]);
    expect(report.hops.flatMap((h) => [...h.problems, ...h.statements.flatMap((s) => s.problems)])).toEqual([]);
    expect(report).toMatchObject({ ok: true, tracebackId: tbId, outcome: "originator_found", keysFrom: "given" });
    expect(report.hops.map((h) => [h.seq, h.statements.map((s) => s.label)])).toEqual([
      [1, ["answer", "hop_placed"]],
      [2, ["answer", "amendment", "hop_placed"]],
      [3, ["answer", "hop_placed"]],
      [4, ["answer", "hop_placed"]],
      [5, ["answer", "hop_placed"]],
      [901, ["answer", "hop_placed"]],
    ]);
    expect(report.traceback.statements.map((s) => s.label)).toEqual(["creation", "outcome", "findings", "rmd_findings"]);
    expect(report.notes).toEqual([]);
  });

  it("is for the consortium and the initiator: 404 for a provider on the chain, another initiator, an unknown id", async () => {
    expect((await t.consortium.api.get(`/v1/tracebacks/${tbId}/evidence`)).status).toBe(200);
    const other = await t.registerInitiator("Other AG");
    for (const [who, id] of [
      [w.providers[0]!, tbId],
      [other, tbId],
      [w.initiator, "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9"],
    ] as const) {
      const res = await who.api.get(`/v1/tracebacks/${id}/evidence`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });

  it("carries the consistency proof from a trusted size, and refuses a size past the log", async () => {
    const head = readCheckpoint(bundle.log.checkpoint).size;
    const trusted = (await (await fetch(`${t.url}/log/v1/checkpoint`)).json()) as { checkpoint: string; treeSize: number };
    // More statements after the trusted checkpoint: the bundle's tree is larger.
    await traceThrough(w, { signed: false, amend: false });
    const later = await bundleOf(w.initiator.api, tbId, `?trustedSize=${trusted.treeSize}`);
    expect(later.log.consistency.from).toBe(trusted.treeSize);
    expect(readCheckpoint(later.log.checkpoint).size).toBeGreaterThan(head);
    const report = await verifyBundle(later, { jwks: w.jwks, trustedCheckpoint: trusted.checkpoint });
    expect(report).toMatchObject({ ok: true, trusted: { size: trusted.treeSize, consistent: true } });
    const beyond = await w.initiator.api.get(`/v1/tracebacks/${tbId}/evidence?trustedSize=${10 ** 9}`);
    expect(beyond.status).toBe(422);
    expect(beyond.body.code).toBe("beyond_log");
  });

  it("hoptrace-verify prints a report per hop and exits 0; 1 when the bundle was altered; 2 on bad arguments", async () => {
    const file = join(dir, "bundle.json");
    const alteredFile = join(dir, "altered.json");
    const jwksFile = join(dir, "jwks.json");
    const altered = structuredClone(bundle);
    altered.chain.hops[2].answer.upstream.providerId = w.providers[0]!.id;
    await writeFile(file, JSON.stringify(bundle));
    await writeFile(alteredFile, JSON.stringify(altered));
    await writeFile(jwksFile, JSON.stringify(w.jwks));
    // Three runs of the tool, each on its own file: at once, as they share nothing.
    const [good, bad, usage] = await Promise.all([
      run("npx", ["hoptrace-verify", file, "--jwks", jwksFile], { cwd: REPO, timeout: 60_000 }),
      run("npm", ["run", "-s", "verify", "--", alteredFile, "--jwks", jwksFile], { cwd: REPO, timeout: 60_000 }).then(
        () => expect.unreachable(),
        (err: { code: number; stdout: string }) => err,
      ),
      run(process.execPath, [VERIFY_BIN], { cwd: REPO, timeout: 60_000 }).then(
        () => expect.unreachable(),
        (err: { code: number; stderr: string }) => err,
      ),
    ]);
    expect(good.stdout).toMatch(new RegExp(`^VERIFIED: traceback ${tbId}, outcome originator_found`));
    expect(good.stdout).toMatch(/\[ok {2}\] hop 5 hop_\S+: answered, asked of acc_/);
    expect(good.stdout).toMatch(/\[ok {2}\] answer signed by acc_\S+ \(key .{12}…\) at \S+, log entry \d+/);

    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^NOT VERIFIED/);
    expect(bad.stdout).toMatch(/\[FAIL\] hop 3 .*\n\s+- hop 3's answer is not the one its provider signed/);

    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^give at least one bundle\n\nUsage: npx hoptrace-verify/);
  }, 120_000);
});
