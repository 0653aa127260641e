/** Bulk intake of captured calls over HTTP: per-call results, idempotency per call, and the bounds. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";

let t: FakeHub;
let terminating: Party;
let feed: Party;

const WARRANTY =
  "this is an important message about your vehicle's extended warranty our records show your coverage is about to expire press one now to speak with a specialist";

beforeAll(async () => {
  t = await startFakeHub();
  terminating = await t.registerProvider("Terminating Example Telco");
  feed = await t.registerInitiator("Honeypot Operator");
});
afterAll(async () => {
  await t?.stop();
});

const call = (n: number, extra: Record<string, unknown> = {}) => ({
  callKey: `hp-1/${n}`,
  callingNumber: `+1305555010${n}`,
  calledNumber: "+12025550143",
  callTime: `2025-09-01T13:0${n}:00Z`,
  transcript: WARRANTY.replace("press one now", n % 2 ? "press one" : "press one now"),
  ...extra,
});

describe("POST /v1/tracebacks:batch", () => {
  it("starts each call on its own and reports each, a rejected call's problem under its index", async () => {
    const res = await feed.api.post("/v1/tracebacks:batch", {
      terminatingProviderId: terminating.id,
      calls: [call(1), call(2), call(3, { calledNumber: "1234567" }), call(4, { terminatingProviderId: "acc_NOPE" })],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ created: 2, existing: 0, rejected: 2, failed: 0 });
    expect(res.body.results.map((r: any) => [r.index, r.callKey, r.status])).toEqual([
      [0, "hp-1/1", "created"],
      [1, "hp-1/2", "created"],
      [2, "hp-1/3", "rejected"],
      [3, "hp-1/4", "rejected"],
    ]);
    expect(res.body.results[2].problem).toMatchObject({ status: 422, code: "invalid_phone_number", errors: [{ pointer: "/calls/2/calledNumber" }] });
    expect(res.body.results[3].problem).toMatchObject({ status: 422, code: "unknown_provider", errors: [{ pointer: "/calls/3/terminatingProviderId" }] });
    const chain = (await feed.api.get(`/v1/tracebacks/${res.body.results[0].tracebackId}`)).body;
    expect(chain.traceback).toMatchObject({ initiatorId: feed.id, transcript: call(1).transcript, call: { callingNumber: "+13055550101" } });
    expect(chain.hops[0].providerId).toBe(terminating.id);
    // Placed in one campaign as they came in.
    const campaigns = (await t.consortium.api.get("/v1/campaigns")).body.items;
    expect(campaigns).toHaveLength(1);
    const view = (await t.consortium.api.get(`/v1/campaigns/${campaigns[0].id}`)).body;
    expect(view.members.map((m: any) => m.tracebackId).sort()).toEqual([res.body.results[0].tracebackId, res.body.results[1].tracebackId].sort());
  });

  it("answers a call sent again with the traceback it started, by its key or, without one, by what it is", async () => {
    const first = await feed.api.post("/v1/tracebacks:batch", { terminatingProviderId: terminating.id, calls: [call(1), call(5, { callKey: undefined })] });
    expect(first.body).toMatchObject({ created: 1, existing: 1 });
    const again = await feed.api.post("/v1/tracebacks:batch", {
      terminatingProviderId: terminating.id,
      calls: [call(5, { callKey: undefined }), call(2), call(6)],
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 1, existing: 2 });
    expect(again.body.results[0]).toMatchObject({ status: "exists", tracebackId: first.body.results[1].tracebackId, callKey: first.body.results[1].callKey });
    expect(again.body.results[0].callKey).toMatch(/^sha256:/);
    const all = (await feed.api.get("/v1/tracebacks?limit=100")).body.items;
    expect(all).toHaveLength(4);
  });

  it("bounds a batch: 422 past 100 calls, 413 past the body limit, 403 for a provider", async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      callingNumber: "+13055550100",
      calledNumber: "+12025550143",
      callTime: new Date(Date.UTC(2025, 8, 1, 13, 0, i)).toISOString(),
    }));
    const tooMany = await feed.api.post("/v1/tracebacks:batch", { terminatingProviderId: terminating.id, calls: many });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe("validation_failed");
    expect(tooMany.body.errors.map((e: any) => e.pointer)).toContain("/calls");
    const big = await feed.api.post("/v1/tracebacks:batch", {
      terminatingProviderId: terminating.id,
      calls: Array.from({ length: 20 }, (_, i) => call(i % 10, { callKey: `big-${i}`, transcript: "x".repeat(8000) })),
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe("payload_too_large");
    expect((await terminating.api.post("/v1/tracebacks:batch", { calls: [call(7)] })).status).toBe(403);
    expect((await feed.api.post("/v1/tracebacks:batch", { calls: [] })).status).toBe(422);
    const unnamed = await feed.api.post("/v1/tracebacks:batch", { calls: [call(8)] });
    expect(unnamed.body.results[0].problem).toMatchObject({ code: "terminating_provider_required" });
  });
});
