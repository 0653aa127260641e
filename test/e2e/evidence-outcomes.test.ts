/**
 * Bundles of tracebacks that end every way verify offline: a silent provider reminded, made
 * overdue and escalated, then answering late and the traceback reopened; a traceback closed with
 * its open hop cancelled; a loop; an upstream registered after it was named; an upstream the
 * consortium assigned; a terminal no_record. The hub's own decisions are in each bundle, logged.
 * The hub's clock moves when the test moves it: the silent provider's deadline passes at once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyBundle, type BundleReport } from "../../functions/verifier/bundle.js";
import { newAccountId } from "../../openapi/client/registration.js";
import { apiFor, CALL, EVIDENCE, newKey, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { bundleOf } from "../support/evidence.js";
import { StepClock } from "../support/step-clock.js";
import { sweepDeadlines } from "../../functions/usecases/sweep.js";

// Real HTTP, signatures and bundle verification: on a shared machine a test takes longer, and waits.
vi.setConfig({ testTimeout: 90_000 });

const clock = new StepClock(new Date("2026-06-01T09:00:00Z"));
const DEADLINE_ENV = { DEFAULT_DEADLINE_POLICY: "fixed", FIXED_DEADLINE_SECONDS: "360", REMINDER_SECONDS_BEFORE_DUE: "180,60", OVERDUE_GRACE_SECONDS: "360" };

let t: TestHub;
let initiator: Party;
let jwks: { keys: object[] };

beforeAll(async () => {
  t = await startTestHub({ clock, background: true, env: DEADLINE_ENV });
  initiator = await t.registerInitiator("Outcomes AG");
  jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
});
afterAll(async () => {
  await t?.stop();
});

const upstream = (providerId: string) => ({ type: "upstream_identified", upstream: { providerId }, evidence: EVIDENCE });
const originator = { type: "originator_identified", customer: { name: "Dialer LLC" }, actionTaken: "terminated", evidence: EVIDENCE };
const ok = (res: { status: number; text: string }) => expect(res.status, res.text).toBeLessThan(300);

async function start(terminating: Party): Promise<{ tbId: string; hopId: string }> {
  const res = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
  ok(res);
  return { tbId: res.body.traceback.id, hopId: res.body.hops[0].id };
}

async function chainOf(tbId: string) {
  return (await initiator.api.get(`/v1/tracebacks/${tbId}`)).body;
}

async function until(what: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function verified(tbId: string): Promise<BundleReport> {
  const report = await verifyBundle(await bundleOf(initiator.api, tbId), { jwks });
  expect([
    ...report.problems,
    ...report.traceback.problems,
    ...report.traceback.statements.flatMap((s) => s.problems),
    ...report.hops.flatMap((h) => [...h.problems, ...h.statements.flatMap((s) => s.problems)]),
  ]).toEqual([]);
  expect(report.ok).toBe(true);
  return report;
}

const decisionsOf = (r: BundleReport) =>
  [...r.traceback.statements, ...r.hops.flatMap((h) => h.statements)].filter((s) => s.kind === "decision").map((s) => s.label);

describe("bundles of every ending verify", () => {
  it("a silent provider reminded, overdue, escalated; it answers late, the traceback is reopened and goes on", async () => {
    const silent = await t.registerProvider("Silent Co");
    const origin = await t.registerProvider("Origin Co");
    const { tbId, hopId } = await start(silent);
    // The sweeper acts on what fell due before its run: each time of the deadline passes in turn.
    const { deadline } = (await chainOf(tbId)).hops[0];
    for (const at of [...deadline.reminders, deadline.dueAt, deadline.escalateAt]) {
      clock.advanceTo(new Date(Date.parse(at) + 1));
      await sweepDeadlines(t.hub.runtime.deps);
    }
    await until(async () => (await chainOf(tbId)).traceback.result?.outcome === "non_responsive_provider");
    ok(await silent.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(origin.id)));
    ok(await initiator.api.post(`/v1/tracebacks/${tbId}/reopen`, {}));
    await until(async () => (await chainOf(tbId)).hops.length === 2);
    ok(await origin.api.post(`/v1/hop-requests/${(await chainOf(tbId)).hops[1].id}/answer`, originator));
    await until(async () => (await chainOf(tbId)).traceback.result?.outcome === "originator_found");
    const report = await verified(tbId);
    expect(decisionsOf(report)).toEqual(expect.arrayContaining(["hop_opened", "hop_overdue", "hop_escalated", "outcome", "outcome"]));
    expect(report.traceback.statements.map((s) => s.label)).toEqual(expect.arrayContaining(["creation", "reopening"]));
  }, 120_000);

  it("a traceback closed while its second hop was open", async () => {
    const [a, b] = [await t.registerProvider("Close A"), await t.registerProvider("Close B")];
    const { tbId, hopId } = await start(a);
    ok(await a.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(b.id)));
    ok(await initiator.api.post(`/v1/tracebacks/${tbId}/close`, { reason: "enough evidence" }));
    await until(async () => (await chainOf(tbId)).hops[1]?.status === "cancelled");
    const report = await verified(tbId);
    expect(report.outcome).toBe("closed");
    expect(report.traceback.statements.map((s) => s.label)).toEqual(expect.arrayContaining(["creation", "closing", "outcome"]));
  });

  it("a loop: the second provider names the first", async () => {
    const [a, b] = [await t.registerProvider("Loop A"), await t.registerProvider("Loop B")];
    const { tbId, hopId } = await start(a);
    ok(await a.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(b.id)));
    await until(async () => (await chainOf(tbId)).hops.length === 2);
    ok(await b.api.post(`/v1/hop-requests/${(await chainOf(tbId)).hops[1].id}/answer`, upstream(a.id)));
    await until(async () => (await chainOf(tbId)).traceback.status === "completed");
    expect((await verified(tbId)).outcome).toBe("loop_detected");
  });

  it("an upstream named by FRN that registers afterwards, and one named by name the consortium assigns", async () => {
    const a = await t.registerProvider("Names A");
    const frn = "0031415926";
    const first = await start(a);
    ok(await a.api.post(`/v1/hop-requests/${first.hopId}/answer`, { type: "upstream_identified", upstream: { name: "Late Joiner", frn }, evidence: EVIDENCE }));
    const id = newAccountId();
    const k = await newKey();
    ok(
      await t.consortium.api.post("/v1/providers", {
        id,
        name: "Late Joiner",
        frn,
        contact: { name: "NOC", email: "noc@late.example" },
        keys: [k.registration(id)],
      }),
    );
    await until(async () => (await chainOf(first.tbId)).hops[1]?.status === "open");
    const joiner = apiFor(t.url, k.key, () => t.hub.runtime.deps.clock.now().getTime());
    ok(
      await joiner.post(`/v1/hop-requests/${(await chainOf(first.tbId)).hops[1].id}/answer`, {
        type: "no_record",
        windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" },
      }),
    );
    await until(async () => (await chainOf(first.tbId)).traceback.status === "completed");
    const registered = await verified(first.tbId);
    expect(registered.outcome).toBe("no_record");
    expect(registered.notes.join()).toMatch(/FRN or RMD number registered \(logged\)/);

    const b = await t.registerProvider("Assigned B");
    const second = await start(a);
    ok(await a.api.post(`/v1/hop-requests/${second.hopId}/answer`, { type: "upstream_identified", upstream: { name: "Nameless VoIP" }, evidence: EVIDENCE }));
    await until(async () => (await chainOf(second.tbId)).hops[1]?.status === "awaiting_registration");
    ok(await t.consortium.api.post(`/v1/hop-requests/${(await chainOf(second.tbId)).hops[1].id}/assign`, { providerId: b.id }));
    ok(await b.api.post(`/v1/hop-requests/${(await chainOf(second.tbId)).hops[1].id}/answer`, originator));
    await until(async () => (await chainOf(second.tbId)).traceback.status === "completed");
    const assigned = await verified(second.tbId);
    expect(assigned.hops[1]!.statements.map((s) => s.label)).toEqual(expect.arrayContaining(["assignment", "answer", "hop_placed", "hop_opened"]));
  }, 120_000);
});
