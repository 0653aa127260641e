/**
 * The RMD import over real HTTP on the embedded stack, with the committed sample exports and a
 * generated 10,000-row one: snapshots and their diffs, "was X listed on date D?", the streamed
 * upload's guards, and the findings of tracebacks against the snapshot at their call.
 */
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadRmdExport } from "../../functions/rmd-import/upload.js";
import { signRequest } from "../../openapi/client/signing.js";
import { EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { laterRmdExport, RMD_FIXTURES, rmdFixture, syntheticRmdExport } from "../support/rmd-export.js";
import { tsxArgs } from "../support/tsx.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SAMPLE_1 = `${RMD_FIXTURES}rmd-2025-08-01.csv`;
const SAMPLE_2 = `${RMD_FIXTURES}rmd-2025-08-26.csv`;
const BAD = `${RMD_FIXTURES}rmd-bad-rows.csv`;

let t: TestHub;
let dir: string;
beforeAll(async () => {
  t = await startTestHub();
  dir = mkdtempSync(join(tmpdir(), "hoptrace-rmd-"));
});
afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const upload = (file: string, asOf: string, extra: { allowMassRemoval?: boolean; party?: Party; idempotencyKey?: string } = {}) =>
  uploadRmdExport({
    hub: t.url,
    key: (extra.party ?? t.consortium).key,
    file,
    asOf,
    ...(extra.allowMassRemoval && { allowMassRemoval: true }),
    ...(extra.idempotencyKey && { idempotencyKey: extra.idempotencyKey }),
  });

/** A signed upload whose body the test controls, byte for byte, after signing. */
function signedUpload(body: Uint8Array, opts: { asOf: string; digestOf?: Uint8Array; contentType?: string; key?: Party["key"] }) {
  const url = `${t.url}/v1/rmd/imports?asOf=${opts.asOf}`;
  const digest = `sha-256=:${createHash("sha256")
    .update(opts.digestOf ?? body)
    .digest("base64")}:`;
  const headers = signRequest(opts.key ?? t.consortium.key, {
    method: "POST",
    url,
    headers: new Headers({ "content-type": opts.contentType ?? "text/csv", "idempotency-key": randomUUID() }),
    contentDigest: digest,
  });
  return { url, headers, send: (bytes: Uint8Array = body) => fetch(url, { method: "POST", headers, body: bytes }) };
}

describe("RMD snapshots through the API", () => {
  let first: any;
  let second: any;

  it("imports the sample export, then a later one, and keeps the diff between them", async () => {
    const a = await upload(SAMPLE_1, "2025-08-01");
    expect(a.status, a.text).toBe(201);
    expect(a.headers.get("hoptrace-receipt")).toMatch(/^ey/);
    first = a.body;
    expect(first).toMatchObject({
      asOf: "2025-08-01T00:00:00.000Z",
      status: "committed",
      filings: 12,
      added: 12,
      removed: 0,
      fileBytes: rmdFixture("rmd-2025-08-01.csv").byteLength,
    });
    expect(first.fileSha256).toBe(createHash("sha256").update(rmdFixture("rmd-2025-08-01.csv")).digest("hex"));

    const b = await upload(SAMPLE_2, "2025-08-26");
    expect(b.status, b.text).toBe(201);
    second = b.body;
    expect(second).toMatchObject({ previousImportId: first.id, filings: 11, added: 1, changed: 2, removed: 2, unchanged: 8 });

    const list = await t.consortium.api.get("/v1/rmd/imports");
    expect(list.body.items.map((i: any) => i.id)).toEqual([second.id, first.id]);
    const changed = await t.consortium.api.get(`/v1/rmd/imports/${second.id}/changes?kind=changed`);
    expect(changed.body.items.map((c: any) => [c.number, c.changes.map((x: any) => x.field)])).toEqual([
      ["RMD0900002", ["implementation", "gateway_provider_choice", "last_updated"]],
      ["RMD0900005", ["robocall_mitigation_contact_name", "last_updated"]],
    ]);
    expect(changed.body.items[0].changes[1]).toEqual({ field: "gateway_provider_choice", before: "No", after: "Yes" });
    const all = await t.consortium.api.get(`/v1/rmd/imports/${second.id}/changes?limit=2`);
    expect(all.body.items.map((c: any) => `${c.change} ${c.number}`)).toEqual(["added RMD0900013", "changed RMD0900002"]);
    const rest = await t.consortium.api.get(`/v1/rmd/imports/${second.id}/changes?limit=10&cursor=${all.body.nextCursor}`);
    expect(rest.body.items.map((c: any) => `${c.change} ${c.number}`)).toEqual(["changed RMD0900005", "removed RMD0900008", "removed RMD0900009"]);
    // The quoted, multi-line and doubled-quote cells of the sample arrive as the FCC wrote them.
    const quoted = await t.consortium.api.get("/v1/rmd/lookup?rmdNumber=RMD0900007&at=2025-08-02");
    expect(quoted.body.match.filing).toMatchObject({
      business_name: '"Quoted" Example Telecom',
      business_address: '700 Quote Street, Unit "B"\nComma, Town CA 90001',
    });
  });

  it("says whether a provider was listed on a date, by RMD number or FRN, and only suggests by name", async () => {
    const at = async (query: string) => (await t.consortium.api.get(`/v1/rmd/lookup?${query}`)).body;
    expect((await at("rmdNumber=RMD0900008&at=2025-07-31")).match.listing).toBe("no_snapshot");
    expect((await at("rmdNumber=RMD0900008&at=2025-08-10")).match).toMatchObject({ listing: "listed", by: ["rmd_number"], snapshot: { importId: first.id } });
    expect((await at("rmdNumber=rmd0900008&at=2025-09-02T10:00:00-04:00")).match).toMatchObject({
      listing: "removed",
      removedIn: { importId: second.id, asOf: "2025-08-26T00:00:00.000Z" },
    });
    expect((await at("frn=0099000205&at=2025-09-02")).match).toMatchObject({ listing: "listed", by: ["frn"], filing: { number: "RMD0900005" } });
    expect((await at("frn=0099000008&at=2025-09-02")).match).toMatchObject({ listing: "removed", by: ["frn"], filing: { number: "RMD0900008" } });
    expect((await at("frn=0099000013&at=2025-08-25")).match.listing).toBe("not_listed");
    expect((await at("frn=0099000013&at=2025-08-26")).match.listing).toBe("listed");
    const byName = await at("name=fictional%20terminating%20telco%20llc&at=2025-09-02");
    expect(byName.match.listing).toBe("unverifiable");
    expect(byName.match.suggestions.map((s: any) => s.number).sort()).toEqual(["RMD0900001", "RMD0900011"]);
    expect((await t.consortium.api.get("/v1/rmd/lookup?at=2025-09-02")).status).toBe(400);
    expect((await t.consortium.api.get("/v1/rmd/lookup?frn=12&at=2025-09-02")).status).toBe(400);
  });

  it("refuses an export with bad rows, each by line, and imports none of it", async () => {
    const res = await upload(BAD, "2025-08-27");
    expect(res.status).toBe(422);
    expect((res.body as any).code).toBe("rmd_rows_invalid");
    expect((res.body as any).errors.map((e: any) => e.pointer)).toEqual([
      "/lines/3/frn",
      "/lines/4/number",
      "/lines/5/gateway_provider_choice",
      "/lines/6/row",
      "/lines/7/row",
      "/lines/8/last_updated",
      "/lines/9/number",
    ]);
    expect((await t.consortium.api.get("/v1/rmd/imports")).body.items).toHaveLength(2);
    expect((await t.consortium.api.get("/v1/rmd/lookup?rmdNumber=RMD0900101&at=2025-09-01")).body.match.listing).toBe("not_listed");
  });

  it("refuses an export older than the snapshot in effect, and one that removes most filings", async () => {
    const older = await upload(SAMPLE_2, "2025-08-20");
    expect([older.status, (older.body as any).code]).toEqual([409, "rmd_snapshot_not_newer"]);
    const tiny = join(dir, "tiny.csv");
    writeFileSync(
      tiny,
      rmdFixture("rmd-bad-rows.csv")
        .toString("utf8")
        .split("\n")
        .slice(0, 3)
        .filter((_, i) => i !== 2)
        .join("\n"),
    );
    const massive = await upload(tiny, "2025-08-28");
    expect([massive.status, (massive.body as any).code]).toEqual([422, "rmd_mass_removal"]);
  });

  it("takes the body only from a verified signer, and lets a tampered copy burn nothing", async () => {
    const genuine = rmdFixture("rmd-2025-08-26.csv");
    const tampered = Buffer.from(genuine.toString("utf8").replace("Robin Example", "Robin Exempel"));
    const req = signedUpload(genuine, { asOf: "2025-08-30" });
    const forged = await req.send(tampered);
    expect(forged.status).toBe(401);
    expect((await t.consortium.api.get("/v1/rmd/imports")).body.items).toHaveLength(2);
    // The genuine request, with the very signature the tampered copy carried, still goes through.
    const ok = await req.send(genuine);
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect(await ok.json()).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 11 });
    // And only once: the same signature again is a replay.
    expect((await req.send(genuine)).status).toBe(401);

    const provider = await t.registerProvider("Curious Provider");
    const notConsortium = await upload(SAMPLE_2, "2025-08-31", { party: provider });
    expect([notConsortium.status, (notConsortium.body as any).code]).toEqual([403, "forbidden"]);
    const json = await signedUpload(genuine, { asOf: "2025-08-31", contentType: "application/json" }).send();
    expect(json.status).toBe(415);
    expect(json.headers.get("content-type")).toBe("application/problem+json");
    const gzip = signedUpload(genuine, { asOf: "2025-08-31" });
    gzip.headers.set("content-encoding", "gzip");
    expect((await gzip.send()).status).toBe(415);
  });

  it("stops reading an upload at its size bound", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    const count = 120;
    const digest = createHash("sha256");
    for (let i = 0; i < count; i++) digest.update(chunk);
    const url = `${t.url}/v1/rmd/imports?asOf=2025-08-31`;
    const headers = signRequest(t.consortium.key, {
      method: "POST",
      url,
      headers: new Headers({ "content-type": "text/csv", "idempotency-key": randomUUID() }),
      contentDigest: `sha-256=:${digest.digest("base64")}:`,
    });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < count) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(url, { method: "POST", headers, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
    // The hub stopped reading past its bound, 48 MiB, and closed the connection.
    expect(sent).toBeLessThan(count);
  });

  it("replays a retried import under the same Idempotency-Key instead of importing it twice", async () => {
    const key = randomUUID();
    const a = await upload(SAMPLE_2, "2025-09-01", { idempotencyKey: key });
    expect(a.status).toBe(201);
    const b = await upload(SAMPLE_2, "2025-09-01", { idempotencyKey: key });
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(b.text).toBe(a.text);
    const other = await upload(SAMPLE_1, "2025-09-01", { idempotencyKey: key });
    expect([other.status, (other.body as any).code]).toEqual([422, "idempotency_key_reused"]);
  });
});

describe("npm run rmd:import", () => {
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, tsxArgs("functions/rmd-import/cli.ts", ...args), { cwd: dir, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );

  it("explains itself", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: npm run rmd:import -- <export.csv>");
    expect((await cli([])).code).toBe(2);
  });

  it("imports a file with the consortium key, and lists every bad row by line", async () => {
    const hub = await startTestHub();
    try {
      const keyFile = join(dir, "consortium.jwk.json");
      writeFileSync(keyFile, JSON.stringify(hub.consortium.key.privateKey.export({ format: "jwk" })), { mode: 0o600 });
      const ok = await cli([SAMPLE_1, "--hub", hub.url, "--key", keyFile, "--as-of", "2025-08-01"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^snapshot rmd_\w+ of 2025-08-01T00:00:00.000Z: 12 filings \(12 added, 0 changed, 0 removed, 0 unchanged\)/);
      expect(ok.stderr).toContain("rmd-2025-08-01.csv: 100 %");
      const bad = await cli([BAD, "--hub", hub.url, "--key", keyFile, "--as-of", "2025-08-02"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("rmd_rows_invalid");
      expect(bad.stderr).toContain('line 3: frn "12345" is not an FRN (10 digits)');
    } finally {
      await hub.stop();
    }
  });
});

describe("a generated export of 10,000 filings", () => {
  it("imports within 60 s, then a later one with 1,203 removals is diffed against it", async () => {
    const hub = await startTestHub();
    try {
      const file = join(dir, "rmd-10k.csv");
      writeFileSync(file, syntheticRmdExport(10_000, 7).csv);
      const started = Date.now();
      const res = await uploadRmdExport({ hub: hub.url, key: hub.consortium.key, file, asOf: "2025-08-01" });
      const seconds = (Date.now() - started) / 1000;
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ filings: 10_000, added: 10_000 });
      console.log(`RMD import of 10,000 filings (${((res.body as any).fileBytes / 1e6).toFixed(1)} MB): ${seconds.toFixed(1)} s`);
      expect(seconds).toBeLessThanOrEqual(60);

      const later = laterRmdExport(10_000, { removed: 1_203, changed: 300, added: 50 }, 7);
      writeFileSync(file, later.csv);
      const diffStarted = Date.now();
      const diff = await uploadRmdExport({ hub: hub.url, key: hub.consortium.key, file, asOf: "2025-08-25" });
      expect(diff.status, diff.text).toBe(201);
      expect(diff.body).toMatchObject({ filings: 8_847, added: 50, changed: 300, removed: 1_203, unchanged: 8_497 });
      console.log(`RMD import of the later export (1,203 removed, 300 changed, 50 added): ${((Date.now() - diffStarted) / 1000).toFixed(1)} s`);
      const gone = later.removedNumbers[600]!;
      expect((await hub.consortium.api.get(`/v1/rmd/lookup?rmdNumber=${gone}&at=2025-08-24`)).body.match.listing).toBe("listed");
      expect((await hub.consortium.api.get(`/v1/rmd/lookup?rmdNumber=${gone}&at=2025-08-25`)).body.match.listing).toBe("removed");
      const changed = await hub.consortium.api.get(`/v1/rmd/lookup?rmdNumber=${later.changedNumbers[0]}&at=2025-08-26`);
      expect(changed.body.match.filing.robocall_mitigation_contact_name).toMatch(/^New /);
    } finally {
      await hub.stop();
    }
  }, 180_000);
});

describe("findings of a traceback against the RMD at its call", () => {
  let terminating: Party;
  let transit: Party;
  let misfiled: Party;
  let initiator: Party;

  beforeAll(async () => {
    // The snapshots of 2025-08-01 and 2025-08-26 were imported above, on the same hub.
    terminating = await t.registerProvider("Fictional Terminating Telco, LLC", { frn: "0099000001", rmdNumber: "RMD0900001" });
    transit = await t.registerProvider("Imaginary Transit Networks Inc", { frn: "0099000002", rmdNumber: "RMD0900002" });
    misfiled = await t.registerProvider("Pretend Originations LLC", { frn: "0099000004", rmdNumber: "RMD0900099" });
    initiator = await t.registerInitiator("State AG Example");
  });

  async function traceback(callTime: string): Promise<string> {
    const res = await initiator.api.post("/v1/tracebacks", {
      callingNumber: "+13055550123",
      calledNumber: "+12025550143",
      callTime,
      terminatingProviderId: terminating.id,
    });
    expect(res.status, res.text).toBe(201);
    return res.body.traceback.id;
  }

  async function answer(p: Party, tracebackId: string, body: Record<string, unknown>) {
    const open = await p.api.get("/v1/hop-requests?status=open");
    const hop = open.body.items.find((h: any) => h.tracebackId === tracebackId);
    const res = await p.api.post(`/v1/hop-requests/${hop.id}/answer`, body);
    expect(res.status, res.text).toBe(200);
  }

  const findings = async (id: string, who: Party = initiator) => (await who.api.get(`/v1/tracebacks/${id}/rmd-findings`)).body;

  it("finds an upstream removed before the call and the provider that accepted the call from it", async () => {
    const id = await traceback("2025-09-02T11:00:00-04:00");
    await answer(terminating, id, {
      type: "upstream_identified",
      upstream: { name: "Soon Removed Dialer Services LLC", rmdNumber: "RMD0900008" },
      evidence: EVIDENCE,
    });
    const out = await findings(id);
    expect(out.snapshot.asOf).toBe("2025-09-01T00:00:00.000Z");
    expect(out.findings.map((f: any) => [f.code, f.hopSeq, f.providerId])).toEqual([
      ["upstream_removed_from_rmd", 1, undefined],
      ["accepted_from_unlisted_upstream", 1, terminating.id],
    ]);
    expect(out.findings[0].subject).toEqual({ name: "Soon Removed Dialer Services LLC", rmdNumber: "RMD0900008" });
  });

  it("finds a point of entry not filed as a gateway provider at the call, and none once it filed as one", async () => {
    const walk = async (callTime: string) => {
      const id = await traceback(callTime);
      await answer(terminating, id, { type: "upstream_identified", upstream: { providerId: transit.id }, evidence: EVIDENCE });
      await answer(transit, id, {
        type: "foreign_point_of_entry",
        foreignProvider: { name: "Hypothetical Overseas Voice Ltd", country: "ZZ" },
        evidence: EVIDENCE,
      });
      return (await findings(id)).findings.map((f: any) => [f.code, f.providerId, f.hopSeq]);
    };
    expect(await walk("2025-08-10T12:00:00Z")).toEqual([["gateway_not_filed_as_gateway", transit.id, 2]]);
    expect(await walk("2025-09-02T12:00:00Z")).toEqual([]);
  });

  it("finds a registered upstream whose RMD number no longer matches a filing, and reads its match", async () => {
    const id = await traceback("2025-09-02T12:00:00Z");
    await answer(terminating, id, { type: "upstream_identified", upstream: { providerId: misfiled.id }, evidence: EVIDENCE });
    const out = await findings(id);
    expect(out.findings.map((f: any) => [f.code, f.providerId])).toEqual([["registered_rmd_mismatch", misfiled.id]]);
    expect(out.findings[0].detail).toContain("FRN 0099000004 is filed as RMD0900004");
    const match = await misfiled.api.get(`/v1/providers/${misfiled.id}/rmd-match?at=2025-09-02`);
    expect(match.status).toBe(200);
    expect(match.body.match).toMatchObject({ listing: "listed", by: ["frn"], filing: { number: "RMD0900004" } });
    expect((await misfiled.api.get(`/v1/providers/${transit.id}/rmd-match`)).status).toBe(404);
  });

  it("checks nothing before the first snapshot, and shows the findings only to the consortium and the initiator", async () => {
    const id = await traceback("2025-07-01T12:00:00Z");
    expect((await findings(id)).findings.map((f: any) => f.code)).toEqual(["rmd_no_snapshot"]);
    expect((await findings(id, t.consortium)).findings).toHaveLength(1);
    expect((await terminating.api.get(`/v1/tracebacks/${id}/rmd-findings`)).status).toBe(404);
    expect((await terminating.api.get("/v1/rmd/imports")).status).toBe(403);
    expect((await initiator.api.get("/v1/rmd/lookup?frn=0099000001")).status).toBe(403);
  });
});
