/** The analyst's traceback list over HTTP: filters, scopes and cursors on the real hub. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../support/manual-clock.js";
import { sweepDeadlines } from "../../functions/usecases/sweep.js";
import { CALL, EVIDENCE, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";

let t: FakeHub;
// A Friday afternoon: a day later the fixed policy's deadline has passed and the default
// policy's, which skips the weekend, has not, whatever day the test runs.
const clock = new ManualClock(new Date("2024-06-07T15:00:00Z"));
let alpha: Party;
let beta: Party;
let ag: Party;
let fcc: Party;
const made: Record<string, string> = {};

beforeAll(async () => {
  t = await startFakeHub({ clock });
  alpha = await t.registerProvider("Alpha");
  beta = await t.registerProvider("Beta");
  ag = await t.registerInitiator("State AG");
  fcc = await t.registerInitiator("FCC EB");
  const create = async (name: string, by: Party, body: Record<string, unknown>) => {
    clock.advance(1000);
    const res = await by.api.post("/v1/tracebacks", { ...CALL, ...body });
    expect(res.status, res.text).toBe(201);
    made[name] = res.body.traceback.id;
    return res.body;
  };
  await create("agAlpha", ag, { terminatingProviderId: alpha.id, campaign: "utility" });
  await create("agBeta", ag, { terminatingProviderId: beta.id, callingNumber: "(305) 555-0199" });
  const viaAlpha = await create("fccAlphaBeta", fcc, { terminatingProviderId: alpha.id, campaign: "utility" });
  // Alpha names Beta: Beta joins the path of that traceback.
  const answered = await alpha.api.post(`/v1/hop-requests/${viaAlpha.hops[0].id}/answer`, {
    type: "upstream_identified",
    upstream: { providerId: beta.id },
    evidence: EVIDENCE,
  });
  expect(answered.status, answered.text).toBe(200);
  const done = await create("fccDone", fcc, { terminatingProviderId: beta.id });
  expect((await fcc.api.post(`/v1/tracebacks/${done.traceback.id}/close`, { reason: "duplicate" })).status).toBe(200);
});
afterAll(async () => {
  await t?.stop();
});

async function list(by: Party, query: string): Promise<string[]> {
  const res = await by.api.get(`/v1/tracebacks?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((tb: { id: string }) => tb.id);
}

describe("GET /v1/tracebacks with filters", () => {
  it("filters by provider on the path, campaign, numbers in any form, status and outcome", async () => {
    expect(await list(t.consortium, `providerId=${beta.id}`)).toEqual([made.fccDone, made.fccAlphaBeta, made.agBeta]);
    expect(await list(t.consortium, "campaign=utility")).toEqual([made.fccAlphaBeta, made.agAlpha]);
    expect(await list(t.consortium, `callingNumber=${encodeURIComponent("+1 305 555 0199")}`)).toEqual([made.agBeta]);
    expect(await list(t.consortium, "calledNumber=2025550143")).toEqual([made.fccDone, made.fccAlphaBeta, made.agBeta, made.agAlpha]);
    expect(await list(t.consortium, "status=completed")).toEqual([made.fccDone]);
    expect(await list(t.consortium, "outcome=closed")).toEqual([made.fccDone]);
    expect(await list(t.consortium, `status=open&providerId=${alpha.id}`)).toEqual([made.fccAlphaBeta, made.agAlpha]);
    expect(await list(t.consortium, `initiatorId=${ag.id}&providerId=${beta.id}`)).toEqual([made.agBeta]);
  });

  it("filters by creation date", async () => {
    const all = (await t.consortium.api.get("/v1/tracebacks?limit=100")).body.items as Array<{ id: string; createdAt: string }>;
    const cut = all.find((tb) => tb.id === made.fccAlphaBeta)!.createdAt;
    expect(await list(t.consortium, `createdFrom=${encodeURIComponent(cut)}`)).toEqual([made.fccDone, made.fccAlphaBeta]);
    expect(await list(t.consortium, `createdTo=${encodeURIComponent(cut)}`)).toEqual([made.agBeta, made.agAlpha]);
    const bad = await t.consortium.api.get(`/v1/tracebacks?createdFrom=${encodeURIComponent(cut)}&createdTo=${encodeURIComponent(cut)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain("/createdTo");
  });

  it("shows an initiator its own tracebacks only, whatever it asks for; providers list hop requests instead", async () => {
    expect(await list(ag, `providerId=${beta.id}`)).toEqual([made.agBeta]);
    expect(await list(ag, `initiatorId=${fcc.id}`)).toEqual([made.agBeta, made.agAlpha]);
    expect(await list(fcc, "campaign=utility")).toEqual([made.fccAlphaBeta]);
    const res = await alpha.api.get("/v1/tracebacks?campaign=utility");
    expect(res.status).toBe(403);
  });

  it("pages with a cursor bound to its filters", async () => {
    const first = await t.consortium.api.get(`/v1/tracebacks?limit=1&providerId=${beta.id}`);
    expect(first.body.items).toHaveLength(1);
    const next = await t.consortium.api.get(`/v1/tracebacks?limit=5&providerId=${beta.id}&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(next.body.items.map((tb: { id: string }) => tb.id)).toEqual([made.fccAlphaBeta, made.agBeta]);
    const moved = await t.consortium.api.get(`/v1/tracebacks?limit=5&providerId=${alpha.id}&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(moved.status).toBe(400);
    expect(moved.body.code).toBe("invalid_cursor");
  });
});

describe("the overdue filter", () => {
  it("lists the tracebacks whose current hop request passed its due time unanswered, until it is answered", async () => {
    const created = await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id, deadlinePolicy: "fixed", campaign: "late" });
    const hopId = created.body.hops[0].id;
    expect(await list(t.consortium, "overdue=true")).toEqual([]);
    clock.advance(86_400_000 + 60_000);
    await sweepDeadlines(t.deps);
    expect(await list(t.consortium, "overdue=true")).toEqual([created.body.traceback.id]);
    expect(await list(ag, "overdue=true&campaign=late")).toEqual([created.body.traceback.id]);
    expect(await list(fcc, "overdue=true")).toEqual([]);
    const read = await t.consortium.api.get(`/v1/tracebacks/${created.body.traceback.id}`);
    expect(read.body.traceback.overdue).toEqual({ hopSeq: 1, since: expect.any(String) });
    const late = await alpha.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: beta.id },
      evidence: EVIDENCE,
    });
    expect(late.status, late.text).toBe(200);
    expect(late.body.late).toBe(true);
    expect(await list(t.consortium, "overdue=true")).toEqual([]);
    expect((await t.consortium.api.get(`/v1/tracebacks/${created.body.traceback.id}`)).body.traceback.overdue).toBeUndefined();
  });
});
