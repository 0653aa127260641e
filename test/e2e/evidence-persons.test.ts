/**
 * Answers given by hand, in the console, are signed by the person's own key: the evidence bundle
 * keeps that key with the person holding it, the chain names the same person, and
 * `hoptrace-verify` accepts the bundle and refuses one whose answer is attributed to anyone else.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { apiFor, CALL, EVIDENCE, newKey, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { bundleOf } from "../support/evidence.js";
import { VERIFY_BIN } from "../support/tsx.js";

const run = promisify(execFile);
const REPO = new URL("../../", import.meta.url).pathname;

let t: TestHub;
let jwks: { keys: object[] };
let terminating: Party;
let upstream: Party;
let dana: Party;
let lee: Party;
let tbId: string;
let bundle: any;

/** A person of `provider`'s staff, enrolled from an invitation with a key of their own. */
async function person(provider: Party, name: string, email: string): Promise<Party> {
  const invitation = await t.consortium.api.post("/v1/invitations", { accountId: provider.id, email, name, role: "staff" });
  expect(invitation.status, invitation.text).toBe(201);
  const k = await newKey();
  const api = apiFor(t.url, k.key);
  expect((await api.post(`/v1/enrolments/${invitation.body.token}`, k.registration(provider.id))).status).toBe(201);
  return { id: provider.id, key: k.key, api };
}

async function openHop(p: Party): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const hop = (await p.api.get("/v1/hop-requests?limit=100")).body.items.find((h: { tracebackId: string }) => h.tracebackId === tbId);
    if (hop) return hop.id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no open hop for ${p.id}`);
}

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  [terminating, upstream] = await Promise.all([t.registerProvider("Manual Terminating"), t.registerProvider("Manual Upstream")]);
  const initiator = await t.registerInitiator("Persons AG");
  [dana, lee] = await Promise.all([person(terminating, "Dana Reyes", "dana@manual-term.example"), person(upstream, "Lee Park", "lee@manual-up.example")]);
  jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };

  const created = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
  tbId = created.body.traceback.id;
  const first = { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE };
  const firstHop = await openHop(dana);
  expect((await dana.api.post(`/v1/hop-requests/${firstHop}/answer`, first)).status).toBe(200);
  const amended = await dana.api.post(`/v1/hop-requests/${firstHop}/amendments`, {
    answer: { ...first, evidence: { ...EVIDENCE, notes: "re-read" } },
    reason: "trunk re-read",
  });
  expect(amended.status, amended.text).toBe(201);
  const secondHop = await openHop(lee);
  expect(
    (
      await lee.api.post(`/v1/hop-requests/${secondHop}/answer`, {
        type: "originator_identified",
        customer: { name: "Manual Dialer LLC" },
        actionTaken: "suspended",
        evidence: EVIDENCE,
      })
    ).status,
  ).toBe(200);
  bundle = await bundleOf(initiator.api, tbId);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe("an evidence bundle of answers given by persons", () => {
  it("keeps each answer's person key with the person holding it, the one the chain names", () => {
    const hops = bundle.chain.hops as Array<{ answeredBy: { keyId: string; person?: object }; amendments?: Array<{ amendedBy: { person?: object } }> }>;
    expect(hops.map((h) => h.answeredBy)).toEqual([
      { accountId: terminating.id, keyId: dana.key.keyId, person: { name: "Dana Reyes", role: "staff" } },
      { accountId: upstream.id, keyId: lee.key.keyId, person: { name: "Lee Park", role: "staff" } },
    ]);
    expect(hops[0]!.amendments![0]!.amendedBy.person).toEqual({ name: "Dana Reyes", role: "staff" });
    const signers = (bundle.requests as Array<{ request: { targetUri: string }; key: { keyId: string; person?: object; proof?: string } }>).filter((r) =>
      r.request.targetUri.includes("/v1/hop-requests/"),
    );
    expect(signers.map((r) => [r.key.keyId, r.key.person])).toEqual(
      expect.arrayContaining([
        [dana.key.keyId, { name: "Dana Reyes", role: "staff" }],
        [lee.key.keyId, { name: "Lee Park", role: "staff" }],
      ]),
    );
    expect(signers).toHaveLength(3);
    for (const r of signers) expect(r.key.proof).toBeDefined();
  });

  it("verifies offline, and not once an answer is attributed to another person than its key's", async () => {
    expect(await verifyBundle(bundle, { jwks })).toMatchObject({ ok: true, tracebackId: tbId, outcome: "originator_found" });

    const renamed = structuredClone(bundle);
    renamed.chain.hops[1].answeredBy.person.name = "Someone Else";
    const report = await verifyBundle(renamed, { jwks });
    expect(report.ok).toBe(false);
    expect(report.hops[1]!.problems).toContain("hop 2's answer is attributed to Someone Else (staff), and was signed by the key of Lee Park (staff)");

    const unattributed = structuredClone(bundle);
    delete unattributed.chain.hops[0].amendments[0].amendedBy.person;
    expect((await verifyBundle(unattributed, { jwks })).ok).toBe(false);

    const keyOfAnother = structuredClone(bundle);
    const answer = keyOfAnother.requests.find((r: { key: { keyId: string } }) => r.key.keyId === lee.key.keyId);
    answer.key.person = { name: "Dana Reyes", role: "staff" };
    expect((await verifyBundle(keyOfAnother, { jwks })).ok).toBe(false);
  });

  it("hoptrace-verify accepts the bundle", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hoptrace-persons-"));
    try {
      await writeFile(join(dir, "bundle.json"), JSON.stringify(bundle));
      await writeFile(join(dir, "jwks.json"), JSON.stringify(jwks));
      const { stdout } = await run(process.execPath, [VERIFY_BIN, join(dir, "bundle.json"), "--jwks", join(dir, "jwks.json")], { cwd: REPO, timeout: 60_000 });
      expect(stdout).toMatch(new RegExp(`^VERIFIED: traceback ${tbId}, outcome originator_found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
