/**
 * The answer clock end to end: reminders, overdue, non-responsive escalation with the right
 * events, late answers and reopening, and the sweeper racing an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../support/manual-clock.js";
import { sweepDeadlines, sweepUntilDone } from "../../functions/usecases/sweep.js";
import { CALL, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { eventually, StepClock } from "../support/step-clock.js";

const DEADLINE_ENV = {
  DEFAULT_DEADLINE_POLICY: "fixed",
  FIXED_DEADLINE_SECONDS: "3600",
  REMINDER_SECONDS_BEFORE_DUE: "1800,600",
  OVERDUE_GRACE_SECONDS: "3600",
};

describe("a provider that never answers (a clock the test moves)", () => {
  const clock = new StepClock(new Date("2026-06-01T09:00:00Z"));
  let t: TestHub;
  let providerHooks: Receiver;
  let initiatorHooks: Receiver;
  beforeAll(async () => {
    t = await startTestHub({ clock, background: true, env: DEADLINE_ENV });
    providerHooks = await startReceiver();
    initiatorHooks = await startReceiver();
  });
  afterAll(async () => {
    await t?.stop();
    await providerHooks?.close();
    await initiatorHooks?.close();
  });

  it("is reminded, marked overdue, and the traceback ends non-responsive with the chain kept; a late answer reopens it", async () => {
    const silent = await t.registerProvider("Silent Co");
    const next = await t.registerProvider("Next Co");
    const initiator = await t.registerInitiator("State AG");
    const all = ["hop_request.created", "hop_request.reminder", "hop_request.overdue", "traceback.completed"];
    const silentEndpoint = await silent.api.post("/v1/webhook-endpoints", { url: providerHooks.url, eventTypes: all });
    expect(silentEndpoint.status).toBe(201);
    const initiatorEndpoint = await initiator.api.post("/v1/webhook-endpoints", { url: initiatorHooks.url, eventTypes: all });
    expect(initiatorEndpoint.status).toBe(201);
    // Each step's webhooks are delivered, their deliveries written, before the clock moves on.
    const delivered = (p: Party, endpointId: string, count: number) =>
      eventually(async () => {
        const items: Array<{ status: string }> = (await p.api.get(`/v1/webhook-endpoints/${endpointId}/deliveries`)).body.items;
        return items.length === count && items.every((d) => d.status === "delivered");
      }, `${count} deliveries delivered at ${endpointId}`);
    const toProvider = (count: number) => delivered(silent, silentEndpoint.body.endpoint.id, count);
    const toInitiator = (count: number) => delivered(initiator, initiatorEndpoint.body.endpoint.id, count);

    const created = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: silent.id });
    expect(created.status).toBe(201);
    const tbId = created.body.traceback.id;
    const hop = created.body.hops[0];
    expect(hop.deadline.reminders).toHaveLength(2);
    await toProvider(1);

    // The sweeper acts on what fell due before its run.
    const sweepAt = async (at: string) => {
      clock.advanceTo(new Date(Date.parse(at) + 1));
      await sweepDeadlines(t.hub.runtime.deps);
    };
    // A sweep just before a reminder's time does nothing.
    clock.advanceTo(new Date(Date.parse(hop.deadline.reminders[0]) - 1000));
    expect((await sweepDeadlines(t.hub.runtime.deps)).acted).toBe(0);
    await sweepAt(hop.deadline.reminders[0]);
    await toProvider(2);
    await sweepAt(hop.deadline.reminders[1]);
    await toProvider(3);
    await sweepAt(hop.deadline.dueAt);
    await Promise.all([toProvider(4), toInitiator(1)]);
    await sweepAt(hop.deadline.escalateAt);
    await toInitiator(2);

    const types = (r: Receiver) => r.received.map((x) => JSON.parse(x.body).type as string);
    expect(types(providerHooks)).toEqual(["hop_request.created", "hop_request.reminder", "hop_request.reminder", "hop_request.overdue"]);
    expect(types(initiatorHooks)).toEqual(["hop_request.overdue", "traceback.completed"]);

    const chain = await initiator.api.get(`/v1/tracebacks/${tbId}`);
    expect(chain.body.traceback.result.outcome).toBe("non_responsive_provider");
    expect(chain.body.hops).toHaveLength(1);
    expect(chain.body.hops[0].overdueAt).toBeDefined();
    expect(chain.body.hops[0].escalatedAt).toBeDefined();
    expect(chain.body.hops[0].remindersSent).toBe(2);

    // Days later the provider answers: accepted, recorded as late, and the initiator reopens.
    const late = await silent.api.post(`/v1/hop-requests/${hop.id}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: next.id },
      evidence: EVIDENCE,
    });
    expect(late.status).toBe(200);
    expect(late.body.late).toBe(true);
    expect((await initiator.api.get(`/v1/tracebacks/${tbId}`)).body.traceback.status).toBe("completed");
    const reopened = await initiator.api.post(`/v1/tracebacks/${tbId}/reopen`, {});
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe("open");
    expect(reopened.body.path).toEqual([silent.id, next.id]);
    expect((await next.api.get("/v1/hop-requests")).body.items).toHaveLength(1);

    const stats = await t.consortium.api.get(`/v1/providers/${silent.id}/responsiveness?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ requested: 1, answered: 1, answeredLate: 1, overdue: 1, nonResponsive: 1 });
    expect(stats.body.medianAnswerSeconds).toBeGreaterThan(3600);
  }, 60_000);
});

describe("the sweeper racing answers (manual clock)", () => {
  const clock = new ManualClock(new Date("2026-06-01T12:00:00Z"));
  let t: TestHub;
  let provider: Party;
  let upstream: Party;
  beforeAll(async () => {
    t = await startTestHub({ clock, env: DEADLINE_ENV });
    provider = await t.registerProvider("Racer Co");
    upstream = await t.registerProvider("Upstream Co");
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("gives exactly one consistent result when an answer and the overdue marking meet", async () => {
    const hops: string[] = [];
    for (let i = 0; i < 8; i++) hops.push((await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id })).body.hops[0].id);
    clock.advance(3600 * 1000 + 1);
    const sweeps = Promise.all([sweepDeadlines(t.hub.runtime.deps), sweepDeadlines(t.hub.runtime.deps)]);
    const answers = await Promise.all(
      hops.map((id) =>
        provider.api.post(`/v1/hop-requests/${id}/answer`, { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE }),
      ),
    );
    const swept = await sweeps;
    expect(answers.map((a) => a.status)).toEqual(hops.map(() => 200));
    expect(swept[0].acted + swept[1].acted).toBeLessThanOrEqual(hops.length);
    for (const id of hops) {
      const tbId = `tb_${id.split("_")[1]}`;
      const chain = await t.consortium.api.get(`/v1/tracebacks/${tbId}`);
      expect(chain.body.hops).toHaveLength(2);
      expect(chain.body.hops[0].status).toBe("answered");
      expect(chain.body.hops[0].late).toBe(true);
      expect(chain.body.traceback.hopCount).toBe(2);
      expect(chain.body.traceback.status).toBe("open");
    }
    // Nothing is left for the sweeper on the answered hops; the new hops are not yet due.
    expect((await sweepDeadlines(t.hub.runtime.deps)).acted).toBe(0);
  });
});

describe("the Canadian policy's weekly cap per provider (manual clock)", () => {
  // Tuesday 2026-06-02 10:00 in Toronto.
  const clock = new ManualClock(new Date("2026-06-02T14:00:00Z"));
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ clock, env: { WEEKLY_CAP_PER_PROVIDER: "2" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("defers requests past the cap to the next week and opens them then, with a fresh deadline", async () => {
    const provider = await t.registerProvider("Canadian Carrier");
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id, deadlinePolicy: "ca-2bd" }));
    }
    const hops = await Promise.all(created.map(async (c) => (await t.consortium.api.get(`/v1/tracebacks/${c.body.traceback.id}`)).body.hops[0]));
    expect(hops.map((h) => h.status)).toEqual(["open", "open", "deferred"]);
    // Two business days after Tuesday 10:00 is Thursday 10:00 Toronto time.
    expect(hops[0].deadline.dueAt).toBe("2026-06-04T14:00:00.000Z");
    expect(hops[2].deferredReason).toMatch(/weekly cap of 2/);
    expect(hops[2].deferredUntil).toBe("2026-06-08T04:00:00.000Z");
    expect((await provider.api.get("/v1/hop-requests")).body.items).toHaveLength(2);

    // A repeated sweep before the new week changes nothing.
    expect((await sweepDeadlines(t.hub.runtime.deps)).acted).toBe(0);
    clock.set(new Date("2026-06-08T13:00:00Z"));
    expect((await sweepDeadlines(t.hub.runtime.deps)).acted).toBeGreaterThanOrEqual(1);
    const reopened = (await t.consortium.api.get(`/v1/tracebacks/${created[2]!.body.traceback.id}`)).body.hops[0];
    expect(reopened.status).toBe("open");
    expect(reopened.deferredUntil).toBeUndefined();
    // Received Monday 09:00: due two business days later, Wednesday 09:00.
    expect(reopened.deadline.dueAt).toBe("2026-06-10T13:00:00.000Z");
    expect((await provider.api.get("/v1/hop-requests")).body.items).toHaveLength(3);
  });
});

describe("the sweeper under a backlog", () => {
  const clock = new ManualClock(new Date("2026-06-03T12:00:00Z"));
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ clock, env: DEADLINE_ENV });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("keeps sweeping page after page in one run until nothing due is left", async () => {
    const provider = await t.registerProvider("Backlog Co");
    for (let i = 0; i < 5; i++) expect((await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id })).status).toBe(201);
    // Past the first reminder of all five.
    clock.advance(1900 * 1000);
    const run = await sweepUntilDone(t.hub.runtime.deps, { deadline: Number.MAX_SAFE_INTEGER, limit: 1 });
    expect(run).toMatchObject({ due: 5, acted: 5 });
    expect(run.pages).toBeGreaterThan(1);
    const open = await provider.api.get("/v1/hop-requests?status=open");
    expect(open.body.items.map((h: { remindersSent?: number }) => h.remindersSent)).toEqual([1, 1, 1, 1, 1]);
  });

  it("stops at its deadline even when more is due", async () => {
    // Past the second reminder of all five.
    clock.advance(1200 * 1000);
    const run = await sweepUntilDone(t.hub.runtime.deps, { deadline: 0, limit: 1 });
    expect(run.pages).toBe(1);
    expect(run.acted).toBeGreaterThan(0);
    expect(run.acted).toBeLessThan(5);
  });
});
