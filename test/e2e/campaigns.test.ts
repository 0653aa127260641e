/**
 * Campaigns through the API on the embedded stack: tracebacks placed as they are created (by
 * transcript and numbers) and as they end (by the customer the originator named), the campaign
 * view, and the analyst's decisions, which the clustering never undoes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerOpenHop, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";

let t: TestHub;
let terminating: Party;
let origin: Party;
let initiator: Party;

const WARRANTY = [
  "this is an important message about your vehicle's extended warranty our records show your coverage is about to expire press one now to speak with a warranty specialist",
  "this is an important message about your vehicles extended warranty our records show that your coverage is about to expire press one to speak with a specialist",
  "hello this is an important message about your vehicle's extended warranty our files show your coverage is about to expire press one now to speak with a warranty specialist",
];
const TAXES = [
  "this is officer daniel brooks from the internal revenue service a lawsuit has been filed against you for unpaid back taxes call us back immediately to settle the case",
  "this is officer daniel brooks from the internal revenue service a lawsuit was filed against you for unpaid taxes call us back immediately at the number provided to settle the case",
  "officer daniel brooks from the internal revenue service here a lawsuit has been filed against you for unpaid back taxes call back immediately to settle this case",
];

beforeAll(async () => {
  t = await startTestHub();
  terminating = await t.registerProvider("Terminating Example Telco");
  origin = await t.registerProvider("Originating Example Voice");
  initiator = await t.registerInitiator("Honeypot Operator");
});
afterAll(async () => {
  await t?.stop();
});

async function traceback(body: Record<string, unknown>): Promise<string> {
  const res = await initiator.api.post("/v1/tracebacks", {
    calledNumber: "+12025550143",
    callTime: "2025-09-01T13:00:00Z",
    terminatingProviderId: terminating.id,
    ...body,
  });
  expect(res.status, res.text).toBe(201);
  return res.body.traceback.id;
}

const campaignOf = async (tracebackId: string): Promise<any> => {
  const list = (await t.consortium.api.get("/v1/campaigns?limit=100")).body.items as Array<{ id: string }>;
  for (const c of list) {
    const view = (await t.consortium.api.get(`/v1/campaigns/${c.id}`)).body;
    if (view.members.some((m: any) => m.tracebackId === tracebackId)) return view;
  }
  return undefined;
};

describe("tracebacks placed in campaigns", () => {
  const warranty: string[] = [];
  const taxes: string[] = [];
  let noise: string;

  beforeAll(async () => {
    for (const [i, text] of WARRANTY.entries())
      warranty.push(await traceback({ callingNumber: `+1305555010${i}`, transcript: text, callTime: `2025-09-0${i + 1}T13:00:00Z` }));
    for (const [i, text] of TAXES.entries())
      taxes.push(await traceback({ callingNumber: `+1786555020${i}`, transcript: text, callTime: `2025-09-0${i + 1}T15:00:00Z` }));
    noise = await traceback({ callingNumber: "+14155550999", transcript: "hi grandma it is me call me back when you get this message love you bye" });
  });

  it("groups them by what they say and the numbers they use, and says why", async () => {
    const a = await campaignOf(warranty[0]!);
    const b = await campaignOf(taxes[0]!);
    expect(a.members.map((m: any) => m.tracebackId)).toEqual(warranty);
    expect(b.members.map((m: any) => m.tracebackId)).toEqual(taxes);
    expect(a.campaign.id).not.toBe(b.campaign.id);
    expect(await campaignOf(noise)).toBeUndefined();
    expect(a.reasons.map((r: any) => r.signal)).toEqual(expect.arrayContaining(["transcript", "number_block"]));
    expect(a.reasons.find((r: any) => r.signal === "number_block").values).toEqual(["3055550"]);
    for (const m of a.members) expect(m.signals.length).toBeGreaterThan(0);
    expect(a.providers).toEqual([{ providerId: terminating.id, tracebacks: 3 }]);
    expect(a.perDay).toEqual([
      { day: "2025-09-01", calls: 1 },
      { day: "2025-09-02", calls: 1 },
      { day: "2025-09-03", calls: 1 },
    ]);
    expect(a.callingNumbers.map((n: any) => n.number).sort()).toEqual(["+13055550100", "+13055550101", "+13055550102"]);
  });

  it("groups tracebacks that share nothing but the customer their originator named, once they end", async () => {
    const ended: string[] = [];
    for (const [i, name] of ["Apex Outreach 7 LLC", "APEX OUTREACH 7, L.L.C."].entries()) {
      const id = await traceback({ callingNumber: `+1415555${1000 + i * 4321}` });
      await answerOpenHop(terminating, id, { type: "upstream_identified", upstream: { providerId: origin.id }, evidence: EVIDENCE });
      await answerOpenHop(origin, id, { type: "originator_identified", customer: { name }, actionTaken: "terminated", evidence: EVIDENCE });
      ended.push(id);
    }
    const c = await campaignOf(ended[1]!);
    expect(c.members.map((m: any) => m.tracebackId).sort()).toEqual([...ended].sort());
    expect(c.reasons.map((r: any) => r.signal)).toEqual(["originator_customer"]);
    expect(c.originators).toHaveLength(2);
    expect(c.originators).toEqual(
      expect.arrayContaining([
        { providerId: origin.id, customer: "APEX OUTREACH 7, L.L.C.", tracebacks: 1 },
        { providerId: origin.id, customer: "Apex Outreach 7 LLC", tracebacks: 1 },
      ]),
    );
    expect(c.outcomes).toEqual([{ outcome: "originator_found", tracebacks: 2 }]);
    expect(c.providers.map((p: any) => p.providerId).sort()).toEqual([terminating.id, origin.id].sort());
  });

  it("keeps the analyst's decisions: rename, split, merge; the clustering places new calls without undoing them", async () => {
    const b = await campaignOf(taxes[0]!);
    const renamed = await t.consortium.api.post(`/v1/campaigns/${b.campaign.id}/rename`, { name: "IRS impersonation" });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.campaign).toMatchObject({ name: "IRS impersonation", decided: true });

    const split = await t.consortium.api.post(`/v1/campaigns/${b.campaign.id}/split`, { tracebackIds: [taxes[2]], name: "IRS, second script" });
    expect(split.status, split.text).toBe(200);
    const part = split.body;
    expect(part.campaign).toMatchObject({ name: "IRS, second script", decided: true });
    expect(part.members).toEqual([
      expect.objectContaining({ tracebackId: taxes[2], assignedBy: t.consortium.id, signals: [{ signal: "analyst", value: b.campaign.id }] }),
    ]);
    expect((await t.consortium.api.get(`/v1/campaigns/${b.campaign.id}`)).body.members.map((m: any) => m.tracebackId)).toEqual(taxes.slice(0, 2));

    // A new call like both parts joins one of them and merges neither into the other.
    const later = await traceback({ callingNumber: "+17865550203", transcript: TAXES[2], callTime: "2025-09-05T15:00:00Z" });
    const placed = await campaignOf(later);
    expect([b.campaign.id, part.campaign.id]).toContain(placed.campaign.id);
    expect((await campaignOf(taxes[2]!)).campaign.id).toBe(part.campaign.id);
    expect((await campaignOf(taxes[0]!)).campaign.id).toBe(b.campaign.id);

    const merged = await t.consortium.api.post(`/v1/campaigns/${b.campaign.id}/merge`, { campaignIds: [part.campaign.id] });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body.members.map((m: any) => m.tracebackId).sort()).toEqual([...taxes, later].sort());
    const old = (await t.consortium.api.get(`/v1/campaigns/${part.campaign.id}`)).body;
    expect(old.requestedId).toBe(part.campaign.id);
    expect(old.campaign.id).toBe(b.campaign.id);
    expect((await t.consortium.api.get("/v1/campaigns?limit=100")).body.items.map((c: any) => c.id)).not.toContain(part.campaign.id);
    const again = await t.consortium.api.post(`/v1/campaigns/${part.campaign.id}/confirm`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("campaign_merged");
  });

  it("refuses bad decisions precisely, and shows campaigns only to the consortium", async () => {
    const a = await campaignOf(warranty[0]!);
    const outside = await t.consortium.api.post(`/v1/campaigns/${a.campaign.id}/split`, { tracebackIds: [noise] });
    expect(outside.status).toBe(422);
    expect(outside.body).toMatchObject({ code: "not_in_campaign" });
    const all = await t.consortium.api.post(`/v1/campaigns/${a.campaign.id}/split`, { tracebackIds: warranty });
    expect(all.body.code).toBe("split_takes_all");
    expect((await t.consortium.api.post(`/v1/campaigns/${a.campaign.id}/merge`, { campaignIds: [a.campaign.id] })).body.code).toBe("merge_into_itself");
    expect((await t.consortium.api.post(`/v1/campaigns/${a.campaign.id}/rename`, { name: "" })).status).toBe(422);
    expect((await t.consortium.api.get("/v1/campaigns/cmp_NOPE")).status).toBe(404);
    expect((await initiator.api.get("/v1/campaigns")).status).toBe(403);
    expect((await terminating.api.get(`/v1/campaigns/${a.campaign.id}`)).status).toBe(403);
  });
});
