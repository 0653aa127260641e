/**
 * A real traceback for evidence tests, built through the signed API of a running hub: a signed
 * call (the TEST ONLY STIR/SHAKEN fixtures), five hops answered, one answer amended, the signer
 * inquiry answered; and its evidence bundle, fetched once the log has integrated everything.
 */
import { readFileSync } from "node:fs";
import { EVIDENCE, type Api, type Party, type TestHub } from "./hub.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/shaken/${name}`, import.meta.url), "utf8").trim();

export const SIGNED_CALL = { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T16:00:00Z" };
export const CERTIFICATES = [{ url: "https://cert.example-provider.test/shaken/567J.pem", pem: fixture("cert-567J.pem") }];

export interface EvidenceWorld {
  providers: Party[];
  initiator: Party;
  jwks: { keys: object[] };
}

export async function evidenceWorld(t: TestHub, hops = 5): Promise<EvidenceWorld> {
  const anchor = await t.consortium.api.post("/v1/trust-anchors", { pem: fixture("root.pem"), label: "TEST ONLY root" });
  if (anchor.status !== 201 && anchor.body?.code !== "trust_anchor_exists") throw new Error(`trust anchor: ${anchor.status} ${anchor.text}`);
  const providers: Party[] = [];
  // The last provider signed the call (SPC 567J): it is asked by the chain and by a signer inquiry.
  for (let i = 1; i <= hops; i++) providers.push(await t.registerProvider(`Evidence Carrier ${i}`, i === hops ? { spcCodes: ["567J"] } : {}));
  const initiator = await t.registerInitiator("Evidence AG");
  const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
  return { providers, initiator, jwks };
}

function ok(res: { status: number; text: string }, what: string) {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
}

async function openHopOf(p: Party, tracebackId: string, kind?: string): Promise<{ id: string }> {
  for (let i = 0; i < 100; i++) {
    const list = await p.api.get("/v1/hop-requests?limit=100");
    const hop = list.body.items.find((h: { tracebackId: string; kind?: string }) => h.tracebackId === tracebackId && h.kind === kind);
    if (hop) return hop;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no open hop of ${tracebackId} for ${p.id}`);
}

/** A traceback through every provider of the world, the last naming the customer; one amendment; the inquiry answered. */
export async function traceThrough(w: EvidenceWorld, opts: { signed?: boolean; amend?: boolean } = {}): Promise<string> {
  const { signed = true, amend = true } = opts;
  const created = await w.initiator.api.post("/v1/tracebacks", {
    ...SIGNED_CALL,
    terminatingProviderId: w.providers[0]!.id,
    campaign: "evidence",
    ...(signed && { identityHeaders: [fixture("identity-valid-A-567J.txt")], certificates: CERTIFICATES }),
  });
  ok(created, "create");
  const tbId = created.body.traceback.id as string;
  for (let i = 0; i < w.providers.length; i++) {
    const p = w.providers[i]!;
    const hop = await openHopOf(p, tbId);
    const next = w.providers[i + 1];
    const answer = next
      ? { type: "upstream_identified", upstream: { providerId: next.id }, evidence: { ...EVIDENCE, ingressTrunk: `TRUNK-${i}` } }
      : { type: "originator_identified", customer: { name: "Evidence Dialer LLC", accountReference: "C-1" }, actionTaken: "suspended", evidence: EVIDENCE };
    ok(await p.api.post(`/v1/hop-requests/${hop.id}/answer`, answer), `answer ${i + 1}`);
    if (amend && i === 1) {
      ok(
        await p.api.post(`/v1/hop-requests/${hop.id}/amendments`, {
          answer: { ...answer, evidence: { ...answer.evidence, notes: "trunk re-read" } },
          reason: "the first lookup read the wrong trunk table",
        }),
        "amend",
      );
    }
  }
  if (signed) {
    const signer = w.providers.at(-1)!;
    const inquiry = await openHopOf(signer, tbId, "signer_inquiry");
    ok(
      await signer.api.post(`/v1/hop-requests/${inquiry.id}/answer`, {
        type: "originator_identified",
        customer: { name: "Evidence Dialer LLC" },
        actionTaken: "suspended",
        evidence: EVIDENCE,
      }),
      "inquiry",
    );
  }
  return tbId;
}

/** The bundle, once every statement is integrated (409 not_integrated until then). */
export async function bundleOf(api: Api, tracebackId: string, query = ""): Promise<any> {
  for (let i = 0; i < 500; i++) {
    const res = await api.get(`/v1/tracebacks/${tracebackId}/evidence${query}`);
    if (res.status === 200) return res.body;
    if (res.status !== 409 || res.body?.code !== "not_integrated") throw new Error(`evidence: ${res.status} ${res.text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the evidence of ${tracebackId} was never integrated`);
}
