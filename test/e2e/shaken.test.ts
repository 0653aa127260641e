/**
 * STIR/SHAKEN evidence end to end with the committed TEST ONLY fixtures: verification at the call
 * time, the signer inquiry in parallel with the chain, and the findings when they disagree.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/shaken/", import.meta.url));
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), "utf8").trim();
const CALL = { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T16:00:00Z" };
const CERTS = [
  { url: "https://cert.example-provider.test/shaken/567J.pem", pem: fixture("cert-567J.pem") },
  { url: "https://cert.example-provider.test/shaken/818H.pem", pem: fixture("cert-818H.pem") },
];

describe("STIR/SHAKEN evidence on a traceback", () => {
  let t: TestHub;
  let terminating: Party;
  let signer567: Party;
  let signer818: Party;
  let other: Party;
  beforeAll(async () => {
    t = await startTestHub();
    const anchor = await t.consortium.api.post("/v1/trust-anchors", { pem: fixture("root.pem"), label: "TEST ONLY root" });
    expect(anchor.status).toBe(201);
    terminating = await t.registerProvider("Terminating Co");
    signer567 = await t.registerProvider("Signer 567J", { spcCodes: ["567J"] });
    signer818 = await t.registerProvider("Signer 818H", { spcCodes: ["818H"] });
    other = await t.registerProvider("Other Origin");
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function start(identity: string[]) {
    const res = await t.consortium.api.post("/v1/tracebacks", {
      ...CALL,
      terminatingProviderId: terminating.id,
      identityHeaders: identity,
      certificates: CERTS,
    });
    expect(res.status, res.text).toBe(201);
    return res.body.traceback;
  }
  const answer = (p: Party, hopId: string, body: unknown) => p.api.post(`/v1/hop-requests/${hopId}/answer`, body);
  const upstream = (id: string) => ({ type: "upstream_identified", upstream: { providerId: id }, evidence: EVIDENCE });
  const originator = (name: string) => ({ type: "originator_identified", customer: { name }, actionTaken: "suspended", evidence: EVIDENCE });
  const openHop = async (p: Party, tbId: string, kind?: string) =>
    (await p.api.get("/v1/hop-requests")).body.items.find((h: { tracebackId: string; kind?: string }) => h.tracebackId === tbId && h.kind === kind);

  it("verifies the fixtures as of the call time and records each problem as a finding", async () => {
    const tb = await start([
      fixture("identity-valid-A-567J.txt"),
      fixture("identity-tampered-orig-567J.txt"),
      fixture("identity-info-mismatch-567J.txt"),
      fixture("identity-valid-C-818H.txt"),
    ]);
    const [validA, tampered, mismatch, validC] = tb.signatures;
    expect(validA).toMatchObject({ signatureValid: true, chainValid: true, spc: "567J", attest: "A", signerProviderId: signer567.id, findings: [] });
    expect(tampered.signatureValid).toBe(false);
    expect(tampered.findings.map((f: { code: string }) => f.code)).toContain("invalid_signature");
    expect(mismatch.findings.map((f: { code: string }) => f.code)).toEqual(["info_x5u_mismatch"]);
    expect(validC).toMatchObject({ signatureValid: true, chainValid: true, spc: "818H", attest: "C", signerProviderId: signer818.id });
  });

  it("(a) a signer that is the true originator: the inquiry and the chain agree", async () => {
    const tb = await start([fixture("identity-valid-A-567J.txt")]);
    const inquiry = await openHop(signer567, tb.id, "signer_inquiry");
    expect(inquiry.inquiry).toMatchObject({ attest: "A", spc: "567J" });
    expect(inquiry.inquiry.origid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await answer(signer567, inquiry.id, originator("Dialer LLC"))).status).toBe(200);

    const hop1 = await openHop(terminating, tb.id);
    await answer(terminating, hop1.id, upstream(signer567.id));
    const hop2 = await openHop(signer567, tb.id);
    await answer(signer567, hop2.id, originator("dialer llc"));

    const chain = (await t.consortium.api.get(`/v1/tracebacks/${tb.id}`)).body;
    expect(chain.traceback.result.outcome).toBe("originator_found");
    expect(chain.hops).toHaveLength(2);
    expect(chain.signerInquiries).toHaveLength(1);
    expect(chain.pathsAgree).toBe(true);
    expect(chain.originatorFirstFoundBy).toBe("signer_inquiry");
    expect(chain.findings).toEqual([]);
  });

  it("(b) an A attestation by a provider that names an upstream: the chain continues and the finding is recorded", async () => {
    const tb = await start([fixture("identity-valid-A-567J.txt")]);
    await answer(terminating, (await openHop(terminating, tb.id)).id, upstream(signer567.id));
    await answer(signer567, (await openHop(signer567, tb.id)).id, upstream(other.id));
    await answer(other, (await openHop(other, tb.id)).id, originator("Real Dialer"));
    const chain = (await t.consortium.api.get(`/v1/tracebacks/${tb.id}`)).body;
    expect(chain.traceback.path).toEqual([terminating.id, signer567.id, other.id]);
    expect(chain.traceback.result.outcome).toBe("originator_found");
    expect(chain.findings.map((f: { code: string }) => f.code)).toContain("attestation_inconsistent");

    const filed = await t.consortium.api.get(`/v1/providers/${signer567.id}/findings`);
    expect(filed.body.items.some((f: { code: string; tracebackId: string }) => f.code === "attestation_inconsistent" && f.tracebackId === tb.id)).toBe(true);
    expect((await terminating.api.get(`/v1/providers/${signer567.id}/findings`)).status).toBe(404);
  });

  it("(c) a signer that never appears on the path", async () => {
    const tb = await start([fixture("identity-valid-C-818H.txt")]);
    await answer(terminating, (await openHop(terminating, tb.id)).id, upstream(other.id));
    await answer(other, (await openHop(other, tb.id)).id, originator("Someone"));
    const chain = (await t.consortium.api.get(`/v1/tracebacks/${tb.id}`)).body;
    expect(chain.findings.map((f: { code: string }) => f.code)).toContain("signer_not_on_path");
    // The hop chain was never skipped: the inquiry stays a separate request.
    expect(chain.hops.map((h: { providerId: string }) => h.providerId)).toEqual([terminating.id, other.id]);
    expect(chain.signerInquiries[0].providerId).toBe(signer818.id);
  });

  it("keeps the trust store for the consortium only", async () => {
    expect((await terminating.api.post("/v1/trust-anchors", { pem: fixture("root.pem") })).status).toBe(403);
    const list = await t.consortium.api.get("/v1/trust-anchors");
    expect(list.body.items).toHaveLength(1);
    expect((await t.consortium.api.post("/v1/trust-anchors", { pem: "not a cert" })).body.code).toBe("invalid_certificate");
  });
});
