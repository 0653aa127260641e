import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceipt } from "../../functions/crypto/receipt.js";
import { CALL, EVIDENCE, startFakeHub, type FakeHub } from "../fakes/hub.js";

describe("amending an answer", () => {
  let t: FakeHub;
  beforeAll(async () => {
    t = await startFakeHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("keeps the original answer and its evidence, and receipts the amendment", async () => {
    const terminating = await t.registerProvider("Terminating");
    const named = await t.registerProvider("Named");
    const corrected = await t.registerProvider("Corrected");
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const hopId = tb.body.hops[0].id;

    expect(
      (await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, { answer: { type: "refused", reason: "x" }, reason: "too early" })).body.code,
    ).toBe("not_amendable");
    await terminating.api.post(`/v1/hop-requests/${hopId}/answer`, { type: "upstream_identified", upstream: { providerId: named.id }, evidence: EVIDENCE });
    const amendment = {
      answer: { type: "upstream_identified", upstream: { providerId: corrected.id }, evidence: { ingressTrunk: "TRUNK-9" } },
      reason: "wrong trunk table",
    };
    expect((await named.api.post(`/v1/hop-requests/${hopId}/amendments`, amendment)).status).toBe(404);
    const res = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, amendment);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: 1, ...amendment, amendedBy: { accountId: terminating.id } });
    const hop = await terminating.api.get(`/v1/hop-requests/${hopId}`);
    expect(hop.body.answer.upstream.providerId).toBe(named.id);
    expect(hop.body.amendments).toEqual([res.body]);

    const jwks = (await (await t.fetch(`${t.url}/.well-known/jwks.json`, {})).json()) as { keys: object[] };
    const claims = await verifyReceipt(res.headers.get("hoptrace-receipt")!, jwks);
    expect(claims.req.target_uri).toBe(`${t.url}/v1/hop-requests/${hopId}/amendments`);
    const stored = await t.deps.tracebacks.getHop(tb.body.traceback.id, 1, true);
    expect(stored!.value.evidence!.request.body).toContain(named.id);
    expect(stored!.value.amendmentEvidence![0]!.receipt).toBe(res.headers.get("hoptrace-receipt"));

    const chain = await t.consortium.api.get(`/v1/tracebacks/${tb.body.traceback.id}`);
    expect(chain.body.traceback.path).toEqual([terminating.id, named.id]);
    expect(chain.body.hops[0].amendments[0].reason).toBe("wrong trunk table");
  });
});

describe("the per-account rate", () => {
  let t: FakeHub;
  beforeAll(async () => {
    t = await startFakeHub({ env: { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "5" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("answers 429 with Retry-After past the burst, per account", async () => {
    const provider = await t.registerProvider("Busy");
    const statuses: number[] = [];
    let limited: { headers: Headers; body: { code: string } } | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await provider.api.get("/v1/hop-requests");
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(limited!.body.code).toBe("rate_limited");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another account is not affected.
    const other = await t.registerProvider("Quiet");
    expect((await other.api.get("/v1/hop-requests")).status).toBe(200);
  });
});
