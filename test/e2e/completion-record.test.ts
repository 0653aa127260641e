/**
 * What the follow-up that ends a traceback records with it, through the API on the embedded
 * stack: the KYC findings against the RMD snapshot at the call (kept as recorded), the record on
 * the traceback, its entry in the transparency log, and the list of tracebacks by kind of finding.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadRmdExport } from "../../functions/rmd-import/upload.js";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { bundleOf } from "../support/evidence.js";
import { answerOpenHop, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { RMD_FIXTURES } from "../support/rmd-export.js";

let t: TestHub;
let terminating: Party;
let transit: Party;
let misfiled: Party;
let initiator: Party;

beforeAll(async () => {
  // In the background the integrator runs, so the evidence bundle can prove every entry.
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  for (const [file, asOf] of [
    ["rmd-2025-08-01.csv", "2025-08-01"],
    ["rmd-2025-08-26.csv", "2025-08-26"],
  ] as const) {
    const res = await uploadRmdExport({ hub: t.url, key: t.consortium.key, file: `${RMD_FIXTURES}${file}`, asOf });
    expect(res.status, res.text).toBe(201);
  }
  terminating = await t.registerProvider("Fictional Terminating Telco, LLC", { frn: "0099000001", rmdNumber: "RMD0900001" });
  transit = await t.registerProvider("Imaginary Transit Networks Inc", { frn: "0099000002", rmdNumber: "RMD0900002" });
  misfiled = await t.registerProvider("Pretend Originations LLC", { frn: "0099000004", rmdNumber: "RMD0900099" });
  initiator = await t.registerInitiator("State AG Example");
});
afterAll(async () => {
  await t?.stop();
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

const answer = answerOpenHop;

const list = async (query: string, who: Party = t.consortium) => {
  const res = await who.api.get(`/v1/tracebacks?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((tb: { id: string }) => tb.id);
};

describe("the end of a traceback records its findings", () => {
  let toOriginator: string;
  let toGateway: string;
  let running: string;

  beforeAll(async () => {
    toOriginator = await traceback("2025-09-02T12:00:00Z");
    await answer(terminating, toOriginator, { type: "upstream_identified", upstream: { providerId: misfiled.id }, evidence: EVIDENCE });
    await answer(misfiled, toOriginator, {
      type: "originator_identified",
      customer: { name: "Example Dialer, LLC", accountReference: "cust 4471", contact: { email: "Ops@Dialer.example" } },
      actionTaken: "suspended",
      evidence: EVIDENCE,
    });
    toGateway = await traceback("2025-08-10T12:00:00Z");
    await answer(terminating, toGateway, { type: "upstream_identified", upstream: { providerId: transit.id }, evidence: EVIDENCE });
    await answer(transit, toGateway, {
      type: "foreign_point_of_entry",
      foreignProvider: { name: "Hypothetical Overseas Voice Ltd", country: "ZZ" },
      evidence: EVIDENCE,
    });
    running = await traceback("2025-08-10T13:00:00Z");
    await answer(terminating, running, { type: "upstream_identified", upstream: { providerId: transit.id }, evidence: EVIDENCE });
  });

  it("keeps the KYC findings as of the call with the completed traceback, and a record of them on it", async () => {
    const chain = (await initiator.api.get(`/v1/tracebacks/${toOriginator}`)).body;
    expect(chain.traceback.status).toBe("completed");
    const intel = chain.traceback.intel;
    expect(intel.rmdSnapshot.asOf).toBe("2025-08-26T00:00:00.000Z");
    expect(intel.findings).toEqual([{ code: "registered_rmd_mismatch", providerId: misfiled.id }]);
    expect(intel.originator).toMatchObject({ providerId: misfiled.id, hopSeq: 2, customer: { name: "Example Dialer, LLC", accountReference: "cust 4471" } });
    expect(intel.originator.customer.keys).toEqual(["name:example dialer", "email:ops@dialer.example", `account:${misfiled.id} CUST4471`]);
    const recorded = (await initiator.api.get(`/v1/tracebacks/${toOriginator}/rmd-findings`)).body;
    expect(recorded.recordedAt).toBe(chain.traceback.result.decidedAt);
    expect(recorded.findings.map((f: any) => [f.code, f.providerId])).toEqual([["registered_rmd_mismatch", misfiled.id]]);

    const gateway = (await initiator.api.get(`/v1/tracebacks/${toGateway}`)).body.traceback.intel;
    expect(gateway.pointOfEntry).toEqual({ providerId: transit.id, hopSeq: 2 });
    expect(gateway.findings).toEqual([{ code: "gateway_not_filed_as_gateway", providerId: transit.id }]);
  });

  it("logs the recorded KYC findings with the outcome: the evidence bundle carries them and the verifier holds the record to them", async () => {
    const recorded = (await initiator.api.get(`/v1/tracebacks/${toOriginator}/rmd-findings`)).body;
    const bundle = await bundleOf(initiator.api, toOriginator);
    const logged = bundle.decisions.filter((d: any) => d.decision.type === "rmd_findings");
    expect(logged).toEqual([
      {
        statementId: `${toOriginator}/rmd_findings/2/originator_found`,
        decision: {
          type: "rmd_findings",
          tracebackId: toOriginator,
          outcome: "originator_found",
          hopSeq: 2,
          callTimeUtc: recorded.callTimeUtc,
          snapshot: recorded.snapshot,
          findings: recorded.findings,
        },
      },
    ]);
    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const report = await verifyBundle(bundle, { jwks });
    expect(report.traceback.problems).toEqual([]);
    expect(report.ok).toBe(true);

    const unlogged = structuredClone(bundle);
    unlogged.chain.traceback.intel.findings.push({ code: "upstream_not_in_rmd", providerId: terminating.id });
    expect((await verifyBundle(unlogged, { jwks })).traceback.problems).toContain("the KYC findings the traceback records are not those the hub logged");
  });

  it("computes the findings of a running traceback when asked, and records none on it", async () => {
    const out = (await initiator.api.get(`/v1/tracebacks/${running}/rmd-findings`)).body;
    expect(out.recordedAt).toBeUndefined();
    expect((await initiator.api.get(`/v1/tracebacks/${running}`)).body.traceback.intel).toBeUndefined();
  });

  it("lists tracebacks by kind of finding, for the consortium and within an initiator's own", async () => {
    expect(await list("hasFinding=registered_rmd_mismatch")).toEqual([toOriginator]);
    expect(await list("hasFinding=gateway_not_filed_as_gateway")).toEqual([toGateway]);
    expect(await list(`hasFinding=gateway_not_filed_as_gateway&providerId=${transit.id}`)).toEqual([toGateway]);
    expect(await list("hasFinding=signed_a_without_shaken")).toEqual([]);
    expect(await list("hasFinding=registered_rmd_mismatch", initiator)).toEqual([toOriginator]);
    const bad = await t.consortium.api.get("/v1/tracebacks?hasFinding=made_up");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
  });
});
