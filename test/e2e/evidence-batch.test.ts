/**
 * Tracebacks started by POST /v1/tracebacks:batch verify offline. The batch request is logged
 * under its caller (it concerns many tracebacks); each traceback it starts has the hub's logged
 * decision naming that entry and its call's index, and its bundle carries the batch request with
 * its key, receipt and inclusion proof. `hoptrace-verify` accepts both bundles of a batch of two;
 * a bundle whose decision names another index of the batch fails.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { startTestHub, type Party, type TestHub } from "../support/hub.js";
import { bundleOf } from "../support/evidence.js";
import { VERIFY_BIN } from "../support/tsx.js";

const run = promisify(execFile);
const REPO = new URL("../../", import.meta.url).pathname;

let t: TestHub;
let initiator: Party;
let provider: Party;
let jwks: { keys: object[] };
let tracebackIds: string[];
let bundles: any[];
let dir: string;

const CALLS = [
  { callKey: "honeypot-9/000001", callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T16:00:00Z", campaign: "warranty" },
  {
    callKey: "honeypot-9/000002",
    callingNumber: "+13055550177",
    calledNumber: "+12025550188",
    callTime: "2024-06-03T16:00:41Z",
    notes: "second call of the minute",
  },
];

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  provider = await t.registerProvider("Batch Terminating Co");
  initiator = await t.registerInitiator("Batch Honeypot AG");
  jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
  const res = await initiator.api.post("/v1/tracebacks:batch", { terminatingProviderId: provider.id, calls: CALLS });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ created: 2, existing: 0, rejected: 0, failed: 0 });
  tracebackIds = res.body.results.map((r: { tracebackId: string }) => r.tracebackId);
  bundles = await Promise.all(tracebackIds.map((id) => bundleOf(initiator.api, id)));
  dir = await mkdtemp(join(tmpdir(), "hoptrace-batch-bundle-"));
}, 120_000);
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the evidence bundle of a traceback started by a batch", () => {
  it("carries the batch request, logged under its caller, and the hub's decision naming it and the call's index", () => {
    bundles.forEach((bundle, index) => {
      const [request, ...others] = bundle.requests;
      expect(others).toEqual([]);
      expect(request.request.targetUri).toMatch(/\/v1\/tracebacks:batch$/);
      expect(request.statementId.startsWith(`${initiator.id}/`)).toBe(true);
      const created = bundle.decisions.find((d: { decision: { type: string } }) => d.decision.type === "batch_created");
      expect(created.decision).toEqual({
        type: "batch_created",
        tracebackId: tracebackIds[index],
        request: request.statementId,
        index,
        createdAt: bundle.chain.traceback.createdAt,
      });
      const batchEntry = bundle.log.entries.find((e: { entry: { id: string } }) => e.entry.id === request.statementId);
      expect(batchEntry.entry).toMatchObject({ kind: "request", subject: initiator.id });
      // The same batch request backs both tracebacks.
      expect(request.statementId).toBe(bundles[0].requests[0].statementId);
    });
  });

  it("verifies offline with the hub's JWKS, each traceback against its own call of the batch", async () => {
    for (const [i, bundle] of bundles.entries()) {
      const report = await verifyBundle(bundle, { jwks });
      expect(report.problems).toEqual([]);
      expect(report.traceback.problems).toEqual([]);
      expect(report.hops.flatMap((h) => [...h.problems, ...h.statements.flatMap((s) => s.problems)])).toEqual([]);
      expect(report).toMatchObject({ ok: true, tracebackId: tracebackIds[i], keysFrom: "given" });
      expect(report.traceback.statements.map((s) => [s.label, s.ok])).toEqual(
        expect.arrayContaining([
          ["batch creation", true],
          ["batch_created", true],
        ]),
      );
    }
  });

  it("fails a bundle whose decision names another call of the batch", async () => {
    const tampered = structuredClone(bundles[0]);
    tampered.decisions.find((d: { decision: { type: string } }) => d.decision.type === "batch_created").decision.index = 1;
    const report = await verifyBundle(tampered, { jwks });
    expect(report.ok).toBe(false);
    // The decision is not the one logged, and the call at that index is the other traceback's.
    expect(report.traceback.statements.find((s) => s.label === "batch_created")?.ok).toBe(false);
    expect(report.traceback.problems).toContain("the call is not the one the creation gave");
  });

  it("fails a bundle without the batch request, or with its call's fields changed", async () => {
    const without = structuredClone(bundles[1]);
    without.requests = [];
    without.log.entries = without.log.entries.filter((e: { entry: { kind: string } }) => e.entry.kind !== "request");
    const report = await verifyBundle(without, { jwks });
    expect(report.ok).toBe(false);
    expect(report.traceback.problems.join("\n")).toMatch(/the batch request .* that started the traceback is not in the bundle/);

    const edited = structuredClone(bundles[1]);
    edited.chain.traceback.notes = "another note";
    expect((await verifyBundle(edited, { jwks })).traceback.problems).toContain("the notes is not the creation's");
  });

  it("hoptrace-verify exits 0 on both bundles and 1 on the tampered one", async () => {
    const files = await Promise.all(
      bundles.map(async (b, i) => {
        const file = join(dir, `batch-${i}.json`);
        await writeFile(file, JSON.stringify(b));
        return file;
      }),
    );
    const jwksFile = join(dir, "jwks.json");
    await writeFile(jwksFile, JSON.stringify(jwks));
    const good = await run(process.execPath, [VERIFY_BIN, ...files, "--jwks", jwksFile], { cwd: REPO, timeout: 60_000 });
    for (const id of tracebackIds) expect(good.stdout).toMatch(new RegExp(`^VERIFIED: traceback ${id}`, "m"));
    expect(good.stdout).not.toMatch(/NOT VERIFIED|FAIL/);

    const tampered = structuredClone(bundles[1]);
    tampered.decisions.find((d: { decision: { type: string } }) => d.decision.type === "batch_created").decision.index = 0;
    const bad = join(dir, "tampered.json");
    await writeFile(bad, JSON.stringify(tampered));
    const failed = await run(process.execPath, [VERIFY_BIN, bad, "--jwks", jwksFile], { cwd: REPO, timeout: 60_000 }).then(
      () => expect.unreachable(),
      (err: { code: number; stdout: string }) => err,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^NOT VERIFIED/);
  }, 120_000);
});
