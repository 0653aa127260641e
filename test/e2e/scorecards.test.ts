/**
 * Repeat offenders and provider scorecards through the API on the embedded stack, from tracebacks
 * walked to their originators over real HTTP, against the committed RMD sample exports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadRmdExport } from "../../functions/rmd-import/upload.js";
import { answerOpenHop, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { RMD_FIXTURES } from "../support/rmd-export.js";

let t: TestHub;
let terminating: Party;
let dialerHost: Party;
let other: Party;
let initiator: Party;
const made: string[] = [];
const PERIOD = "from=2025-01-01T00:00:00Z&to=2027-06-01T00:00:00Z";
const CALLS = "from=2025-06-01T00:00:00Z&to=2026-06-01T00:00:00Z";

async function walk(callTime: string, origin: Party, customer: Record<string, unknown>): Promise<string> {
  const res = await initiator.api.post("/v1/tracebacks", {
    callingNumber: `+1415555${1000 + made.length * 37}`,
    calledNumber: "+12025550143",
    callTime,
    terminatingProviderId: terminating.id,
  });
  expect(res.status, res.text).toBe(201);
  const id = res.body.traceback.id;
  await answerOpenHop(terminating, id, { type: "upstream_identified", upstream: { providerId: origin.id }, evidence: EVIDENCE });
  await answerOpenHop(origin, id, { type: "originator_identified", customer, actionTaken: "warned", evidence: EVIDENCE });
  made.push(id);
  return id;
}

beforeAll(async () => {
  t = await startTestHub();
  for (const [file, asOf] of [
    ["rmd-2025-08-01.csv", "2025-08-01"],
    ["rmd-2025-08-26.csv", "2025-08-26"],
  ] as const) {
    expect((await uploadRmdExport({ hub: t.url, key: t.consortium.key, file: `${RMD_FIXTURES}${file}`, asOf })).status).toBe(201);
  }
  terminating = await t.registerProvider("Fictional Terminating Telco, LLC", { frn: "0099000001", rmdNumber: "RMD0900001" });
  dialerHost = await t.registerProvider("Pretend Originations LLC", { frn: "0099000004", rmdNumber: "RMD0900099" });
  other = await t.registerProvider("Another Example Carrier");
  initiator = await t.registerInitiator("State AG Example");
  await walk("2025-09-02T12:00:00Z", dialerHost, { name: "Apex Outreach 7 LLC", accountReference: "C-1", contact: { email: "ops@apex.example" } });
  await walk("2025-09-03T12:00:00Z", dialerHost, { name: "APEX OUTREACH 7, L.L.C." });
  await walk("2025-09-04T12:00:00Z", other, { name: "Apex Seven Media", contact: { email: "OPS@apex.example" } });
  await walk("2025-09-05T12:00:00Z", dialerHost, { name: "Unrelated Widgets Co" });
});
afterAll(async () => {
  await t?.stop();
});

describe("repeat offenders", () => {
  it("flags a customer named in several tracebacks and behind several providers, matched by name or contact", async () => {
    const res = await t.consortium.api.get(`/v1/repeat-offenders?${CALLS}&minTracebacks=3`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.customers).toHaveLength(1);
    const apex = res.body.customers[0];
    expect(apex.tracebackIds).toEqual([...made.slice(0, 3)].sort());
    expect(apex.providerIds).toEqual([dialerHost.id, other.id].sort());
    expect(apex.names).toEqual(["APEX OUTREACH 7, L.L.C.", "Apex Outreach 7 LLC", "Apex Seven Media"]);
    expect(apex.flags).toEqual(["several_tracebacks", "several_providers"]);
    expect(apex.keys).toContain("email:ops@apex.example");
  });

  it("flags a provider that originated N tracebacks in the period, N as asked", async () => {
    const three = (await t.consortium.api.get(`/v1/repeat-offenders?${CALLS}&minTracebacks=3&minCampaigns=50`)).body.providers;
    expect(three).toEqual([
      {
        providerId: dialerHost.id,
        asOriginator: 3,
        asPointOfEntry: 0,
        tracebackIds: [made[0], made[1], made[3]].sort(),
        campaignIds: [expect.stringMatching(/^cmp_/)],
        flags: ["tracebacks"],
      },
    ]);
    // The two tracebacks naming the same customer at the same provider were placed in one campaign.
    const byCampaigns = (await t.consortium.api.get(`/v1/repeat-offenders?${CALLS}&minTracebacks=50&minCampaigns=1`)).body.providers;
    expect(byCampaigns.map((p: any) => [p.providerId, p.flags])).toEqual([[dialerHost.id, ["campaigns"]]]);
    expect((await t.consortium.api.get(`/v1/repeat-offenders?${CALLS}&minTracebacks=4&minCampaigns=50`)).body.providers).toEqual([]);
    const september = (await t.consortium.api.get("/v1/repeat-offenders?from=2025-09-03T00:00:00Z&to=2025-09-05T00:00:00Z&minTracebacks=1")).body;
    expect(september.providers.map((p: any) => [p.providerId, p.tracebackIds.length]).sort()).toEqual(
      [
        [dialerHost.id, 1],
        [other.id, 1],
      ].sort(),
    );
    expect((await dialerHost.api.get(`/v1/repeat-offenders?${CALLS}`)).status).toBe(403);
    expect((await t.consortium.api.get("/v1/repeat-offenders?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")).status).toBe(400);
  });
});

describe("provider scorecards", () => {
  it("counts a provider's tracebacks by its part, its answers, findings, RMD standing and history, and its repeat-offender customers", async () => {
    const res = await dialerHost.api.get(`/v1/providers/${dialerHost.id}/scorecard?${PERIOD}`);
    expect(res.status, res.text).toBe(200);
    const card = res.body;
    expect(card.tracebacks).toMatchObject({
      tracebacks: 3,
      onPath: 3,
      asOriginator: 3,
      asPointOfEntry: 0,
      outcomes: [{ outcome: "originator_found", tracebacks: 3 }],
      findings: [{ kind: "registered_rmd_mismatch", tracebacks: 3 }],
    });
    expect(card.hopRequests).toMatchObject({ requested: 3, answered: 3, answeredLate: 0, overdue: 0, nonResponsive: 0 });
    expect(card.hopRequests.medianAnswerSeconds).toBeGreaterThanOrEqual(0);
    expect(card.rmd.match).toMatchObject({ listing: "listed", filing: { number: "RMD0900004" } });
    expect(card.rmd.history.map((v: any) => [v.number, v.asOf.slice(0, 10), v.change])[0]).toEqual(["RMD0900004", "2025-08-01", "added"]);
    expect(card.repeatOffenderCustomers.map((c: any) => c.names[0])).toEqual(["APEX OUTREACH 7, L.L.C."]);

    const term = (await t.consortium.api.get(`/v1/providers/${terminating.id}/scorecard?${PERIOD}`)).body;
    expect(term.tracebacks).toMatchObject({ tracebacks: 4, onPath: 4, asOriginator: 0 });
    expect(term.hopRequests).toMatchObject({ requested: 4, answered: 4 });
    expect(term.repeatOffenderCustomers).toEqual([]);
  });

  it("exports as CSV, and shows a scorecard only to its provider and the consortium", async () => {
    const res = await fetchCsv();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const rows = res.text.trim().split("\r\n");
    expect(rows[0]).toBe("section,item,value");
    expect(rows).toContain("tracebacks,as_originator,3");
    expect(rows).toContain("findings,registered_rmd_mismatch,3");
    expect(rows).toContain("hop_requests,requested,3");
    expect(rows).toContain("rmd,filing,RMD0900004");
    expect(rows.some((r) => r.startsWith('repeat_offender_customers,"APEX OUTREACH 7, L.L.C.'))).toBe(true);
    expect((await other.api.get(`/v1/providers/${dialerHost.id}/scorecard?${PERIOD}`)).status).toBe(404);
    expect((await initiator.api.get(`/v1/providers/${dialerHost.id}/scorecard?${PERIOD}`)).status).toBe(404);
    const bad = await t.consortium.api.get(`/v1/providers/${dialerHost.id}/scorecard?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
  });
});

async function fetchCsv() {
  const { signRequest } = await import("../../openapi/client/signing.js");
  const url = `${t.url}/v1/providers/${dialerHost.id}/scorecard?${PERIOD}`;
  const headers = signRequest(dialerHost.key, { method: "GET", url, headers: new Headers({ accept: "text/csv" }) });
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
