/**
 * The public log routes on a running hub: unsigned reads, checkpoints verifiable with the
 * published JWKS, proofs that verify against them, and precise problems for everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckpoint } from "../../functions/crypto/checkpoint.js";
import { verifyConsistency, verifyInclusion } from "../../functions/crypto/merkle/verify.js";
import { appendStatement } from "../../functions/usecases/log-append.js";
import { integrate } from "../../functions/usecases/log-integrate.js";
import { startFakeHub, type FakeHub } from "../fakes/hub.js";

let hub: FakeHub;
const get = async (path: string) => {
  const res = await hub.fetch(`${hub.url}${path}`, {});
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const log = () => hub.deps.transparencyLog;

beforeAll(async () => {
  hub = await startFakeHub();
});
afterAll(() => hub?.stop());

describe("the public log routes", () => {
  it("answer 404 not_found until the first checkpoint", async () => {
    const res = await get("/log/v1/checkpoint");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe("not_found");
  });

  it("serve a checkpoint anyone verifies with the JWKS, and proofs against it, without a signature", async () => {
    for (let i = 0; i < 11; i++) await appendStatement(log(), { kind: "request", id: `req_http_${i}`, subject: "tb_HTTP", bytes: `statement ${i}` });
    await integrate(log());
    const jwks = (await (await hub.fetch(`${hub.url}/.well-known/jwks.json`, {})).json()) as { keys: object[] };

    const first = await get("/log/v1/checkpoint");
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const cp = verifyCheckpoint(first.body.checkpoint, jwks);
    expect(first.body).toMatchObject({ origin: new URL(hub.url).host + "/log", treeSize: 11, rootHash: Buffer.from(cp.rootHash).toString("base64") });
    expect(first.body.timestamp).toBe(new Date(cp.timestamp * 1000).toISOString());
    expect(first.body.verifierKeys.ed25519).toMatch(/^\S+\+[0-9a-f]{8}\+\S+$/);

    const byId = await get("/log/v1/proofs/inclusion?statementId=req_http_7");
    expect(byId.status).toBe(200);
    expect(byId.body.checkpoint).toBe(first.body.checkpoint);
    expect(verifyInclusion(byId.body.index, 11, b64(byId.body.leafHash), byId.body.proof.map(b64), cp.rootHash)).toBe(true);
    const entry = await log().logStore.getEntry("req_http_7");
    expect(byId.body.leafHash).toBe(Buffer.from(entry!.leafHash).toString("base64"));

    const pinned = await get("/log/v1/proofs/inclusion?index=3&treeSize=5");
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get("cache-control")).toContain("immutable");
    expect(pinned.body.checkpoint).toBeUndefined();

    for (let i = 11; i < 30; i++) await appendStatement(log(), { kind: "decision", id: `dec_http_${i}`, subject: "tb_HTTP", bytes: `{"n":${i}}` });
    await integrate(log());
    const second = await get("/log/v1/checkpoint");
    const cp2 = verifyCheckpoint(second.body.checkpoint, jwks, { origin: cp.origin });
    const consistency = await get(`/log/v1/proofs/consistency?from=${cp.size}&to=${cp2.size}`);
    expect(consistency.status).toBe(200);
    expect(consistency.body).toMatchObject({ from: 11, to: 30 });
    expect(verifyConsistency(cp.size, cp2.size, cp.rootHash, cp2.rootHash, consistency.body.proof.map(b64))).toBe(true);
    expect((await get("/log/v1/proofs/consistency?from=11")).body.to).toBe(30);
  });

  it.each([
    ["/log/v1/proofs/inclusion?index=1&statementId=req_http_1", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion?index=-1", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion?index=abc", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion?statementId=has%20space", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion?index=99999999999999999999", 400, "invalid_parameter"],
    ["/log/v1/proofs/inclusion?statementId=req_unknown", 404, "not_found"],
    ["/log/v1/proofs/inclusion?index=30", 422, "beyond_log"],
    ["/log/v1/proofs/inclusion?index=0&treeSize=31", 422, "beyond_log"],
    ["/log/v1/proofs/consistency", 400, "invalid_parameter"],
    ["/log/v1/proofs/consistency?from=31", 422, "beyond_log"],
    ["/log/v1/proofs/consistency?from=5&to=4", 422, "beyond_log"],
  ])("GET %s is %i %s", async (path, status, code) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe(code);
  });

  it("says a statement accepted and not yet integrated is 409 not_integrated", async () => {
    await appendStatement(log(), { kind: "receipt", id: "req_http_1/receipt", subject: "tb_HTTP", bytes: "eyJ.eyJ.sig" });
    const res = await get("/log/v1/proofs/inclusion?statementId=req_http_1%2Freceipt");
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("not_integrated");
  });
});

describe("a statement accepted before the first checkpoint", () => {
  it("is not integrated yet (409), and an unknown one is not found (404)", async () => {
    const own = await startFakeHub();
    try {
      await appendStatement(own.deps.transparencyLog, { kind: "request", id: "req_http_early", subject: "tb_HTTP", bytes: "accepted before any checkpoint" });
      const early = await own.fetch(`${own.url}/log/v1/proofs/inclusion?statementId=req_http_early`, {});
      expect(early.status).toBe(409);
      expect(((await early.json()) as { code: string }).code).toBe("not_integrated");
      expect((await own.fetch(`${own.url}/log/v1/proofs/inclusion?statementId=req_http_never`, {})).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});
