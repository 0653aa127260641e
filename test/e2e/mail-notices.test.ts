/**
 * Hop requests by e-mail for providers without an active webhook endpoint, through the same
 * delivery pipeline as webhooks, received by a real SMTP server in process. The hub's clock moves
 * when the test moves it, so retries and deadlines come when the test says.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sweepDeadlines } from "../../functions/usecases/sweep.js";
import { apiFor, CALL, newKey, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { startTestSmtp, type ReceivedMail, type TestSmtp } from "../support/smtp.js";
import { StepClock } from "../support/step-clock.js";

// Real HTTP, the queue and the mail server: on a shared machine a test takes longer, and waits.
vi.setConfig({ testTimeout: 90_000 });

const clock = new StepClock(new Date("2026-06-01T09:00:00Z"));
const now = () => clock.now().getTime();

let smtp: TestSmtp;
let t: TestHub;
const receivers: Receiver[] = [];

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startTestHub({
    clock,
    background: true,
    queueVisibilityTimeoutSeconds: 1,
    env: {
      SMTP_URL: smtp.url,
      MAIL_FROM: "Hoptrace <hub@hoptrace.example>",
      ENDPOINT_PAUSE_AFTER_FAILURES: "2",
      ENDPOINT_PAUSE_AFTER_SECONDS: "1",
      DELIVERY_RECOVERY_GRACE_SECONDS: "5",
      // The test moves the clock by hours at a time: no attempt under way is taken over meanwhile.
      DELIVERY_LEASE_SECONDS: "3600",
      FIXED_DEADLINE_SECONDS: "7200",
      REMINDER_SECONDS_BEFORE_DUE: "3600",
      OVERDUE_GRACE_SECONDS: "864000",
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await smtp?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

async function until<T>(read: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
const mailFor = (address: string, hopId: string, subject: RegExp) =>
  until(() => mailsTo(address).find((m) => m.text.includes(hopId) && subject.test(m.subject)));

/** The provider's e-mail deliveries, once `count` of them are listed and all delivered. */
const mailDelivered = (p: Party, count: number) =>
  until(async () => {
    const items: Array<{ status: string }> = (await p.api.get("/v1/mail-deliveries")).body.items;
    return items.length === count && items.every((d) => d.status === "delivered") ? items : undefined;
  });

/** Moves the clock just past `at` and runs the deadline sweeper, which acts on what fell due before its run. */
async function sweepAt(at: string): Promise<void> {
  clock.advanceTo(new Date(Date.parse(at) + 1));
  await sweepDeadlines(t.hub.runtime.deps);
}

/** Moves the clock to the next attempt of the provider's first delivery that waits for one. */
async function toNextAttempt(p: Party, path: string): Promise<void> {
  const waiting = (await p.api.get(path)).body.items.find((d: { status: string; nextAttemptAt?: string }) => d.status === "retrying" && d.nextAttemptAt);
  if (waiting) clock.advanceTo(waiting.nextAttemptAt);
}

async function provider(name: string, email: string): Promise<Party> {
  return t.registerProvider(name, { contact: { name: "NOC", email } });
}

async function traceback(to: Party, extra: Record<string, unknown> = {}): Promise<{ tracebackId: string; hopId: string }> {
  const res = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: to.id, ...extra });
  expect(res.status, res.text).toBe(201);
  return { tracebackId: res.body.traceback.id, hopId: res.body.hops[0].id };
}

function expectNotice(mail: ReceivedMail, providerName: string, hopId: string) {
  const link = `${t.url}/console/hops/${hopId}`;
  expect(mail.subject).toBe(`A traceback hop request is addressed to ${providerName}`);
  expect(mail.text).toContain(link);
  expect(mail.html).toContain(`href="${link}"`);
  // Nothing of the call itself: the recipient signs in to read it.
  expect(mail.raw).not.toContain("555-0123");
  expect(mail.raw).not.toContain("5550123");
}

describe("a provider without an active webhook endpoint", () => {
  it("gets each hop request by e-mail at its contact address, listed as a delivery with its attempt", async () => {
    const p = await provider("Manual Telecom", "noc@manual.example");
    const { hopId } = await traceback(p);
    const mail = await mailFor("noc@manual.example", hopId, /addressed to/);
    expectNotice(mail, "Manual Telecom", hopId);
    expect(mail.from).toBe("hub@hoptrace.example");
    const listed = await until(async () => {
      const res = await p.api.get("/v1/mail-deliveries");
      return res.body.items.find((d: { status: string }) => d.status === "delivered");
    });
    expect(listed).toMatchObject({ endpointId: `mail_${p.id}`, accountId: p.id, eventType: "hop_request.created", attemptCount: 1 });
    expect(listed.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: "delivered" })]);
    // The consortium reads them too; another provider does not.
    expect((await t.consortium.api.get(`/v1/mail-deliveries?accountId=${p.id}`)).body.items).toHaveLength(1);
    const other = await provider("Other Telecom", "noc@other.example");
    expect((await other.api.get(`/v1/mail-deliveries?accountId=${p.id}`)).status).toBe(403);
  });

  it("writes to its staff and admin persons rather than its contact once it has some", async () => {
    const p = await provider("People Telecom", "noc@people.example");
    for (const [email, role] of [
      ["dana@people.example", "staff"],
      ["lee@people.example", "admin"],
    ] as const) {
      const inv = await t.consortium.api.post("/v1/invitations", { accountId: p.id, email, name: email.split("@")[0], role });
      const k = await newKey();
      expect((await apiFor(t.url, k.key, now).post(`/v1/enrolments/${inv.body.token}`, k.registration(p.id))).status).toBe(201);
    }
    const { hopId } = await traceback(p);
    const mail = await mailFor("dana@people.example", hopId, /addressed to/);
    expect(mail.to.sort()).toEqual(["dana@people.example", "lee@people.example"]);
    expect(mailsTo("noc@people.example")).toEqual([]);
  });

  it("is reminded and told when the request is overdue, each once", async () => {
    const p = await provider("Slow Telecom", "noc@slow.example");
    const { tracebackId, hopId } = await traceback(p, { deadlinePolicy: "fixed" });
    const { deadline } = (await t.consortium.api.get(`/v1/tracebacks/${tracebackId}`)).body.hops[0];
    await mailFor("noc@slow.example", hopId, /addressed to/);
    // Each notice's delivery is written before the clock moves on.
    await mailDelivered(p, 1);
    await sweepAt(deadline.reminders[0]);
    const reminder = await mailFor("noc@slow.example", hopId, /^Reminder/);
    expect(reminder.text).toMatch(/Please answer by \d{4}-/);
    await mailDelivered(p, 2);
    await sweepAt(deadline.dueAt);
    const overdue = await mailFor("noc@slow.example", hopId, /^Overdue/);
    expect(overdue.text).toContain("a late answer is still recorded");
    await mailDelivered(p, 3);
    await new Promise((r) => setTimeout(r, 300));
    const notices = mailsTo("noc@slow.example").filter((m) => m.text.includes(hopId));
    expect(notices).toHaveLength(3);
    // One Message-ID per notice, the same on every attempt of it.
    expect(notices.map((m) => /^Message-ID: *(<[^>]+>)/im.exec(m.raw.replace(/\r?\n[ \t]+/g, " "))?.[1])).toEqual([
      `<evt_${hopId}.created.mail_${p.id}@hoptrace>`,
      `<evt_${hopId}.reminder-1.mail_${p.id}@hoptrace>`,
      `<evt_${hopId}.overdue.${p.id}.mail_${p.id}@hoptrace>`,
    ]);
  });

  it("gets the e-mail again when the mail server refused it, on the retry schedule", async () => {
    const p = await provider("Refused Telecom", "noc@refused.example");
    smtp.refuse.add("noc@refused.example");
    const { hopId } = await traceback(p);
    const failed = await until(async () => {
      const d = (await p.api.get("/v1/mail-deliveries")).body.items[0];
      return d && d.attempts.length > 0 ? d : undefined;
    });
    expect(failed.attempts[0]).toMatchObject({ outcome: "failed", error: "the mail server answered 550" });
    smtp.refuse.delete("noc@refused.example");
    // The retry waits for its time on the schedule.
    expect(Date.parse(failed.nextAttemptAt)).toBeGreaterThan(clock.now().getTime());
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo("noc@refused.example")).toEqual([]);
    clock.advanceTo(failed.nextAttemptAt);
    await mailFor("noc@refused.example", hopId, /addressed to/);
    const delivered = await until(async () => {
      const d = (await p.api.get("/v1/mail-deliveries")).body.items[0];
      return d.status === "delivered" ? d : undefined;
    });
    expect(delivered.attempts.map((a: { outcome: string }) => a.outcome).at(-1)).toBe("delivered");
    expect(delivered.attempts[0].outcome).toBe("failed");
  });
});

describe("a provider with a webhook endpoint", () => {
  it("gets hop requests by webhook only while the endpoint is active, and by e-mail once it is paused", async () => {
    const r = await startReceiver();
    receivers.push(r);
    const p = await provider("Hooked Telecom", "noc@hooked.example");
    const ep = await p.api.post("/v1/webhook-endpoints", { url: r.url, eventTypes: ["hop_request.created"] });
    expect(ep.status).toBe(201);

    const first = await traceback(p);
    await r.waitFor((got) => got.length >= 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(mailsTo("noc@hooked.example")).toEqual([]);

    // The receiver breaks; its endpoint is paused after two failures.
    r.fallback = { status: 500 };
    await traceback(p);
    // Failing for longer than the pause policy's time takes its retries: the clock moves to each.
    await until(async () => {
      if ((await p.api.get(`/v1/webhook-endpoints/${ep.body.endpoint.id}`)).body.status === "paused") return true;
      await toNextAttempt(p, `/v1/webhook-endpoints/${ep.body.endpoint.id}/deliveries`);
      return undefined;
    });
    const third = await traceback(p);
    expectNotice(await mailFor("noc@hooked.example", third.hopId, /addressed to/), "Hooked Telecom", third.hopId);
    expect(mailsTo("noc@hooked.example").some((m) => m.text.includes(first.hopId))).toBe(false);
  });
});
