/**
 * The console in a real browser over a running hub, as the people of the issue use it: an
 * analyst enrols from an invitation e-mail (read from an SMTP server in the test process) and
 * starts a traceback; providers' people enrol the same way and answer it by hand; the analyst
 * reads the chain, each answer attributed to the person key that signed it; a provider's person
 * gets "not found" for another provider's hop. Every page is checked with axe-core and
 * photographed at 1280 and 400 px.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture, skipBrowserTests, openBrowser, sidewaysOverflow, type Capture, type Person } from "../support/browser.js";
import { readFile } from "node:fs/promises";
import { CALL, startTestHub, type TestHub } from "../support/hub.js";
import { startTestSmtp, type TestSmtp } from "../support/smtp.js";

const linkIn = (text: string) => /(http:\/\/\S+\/console\/enrol#token=[A-Za-z0-9_-]+)/.exec(text)?.[1];

// A browser test waits on three people's pages and the hub at once; a loaded machine needs the room.
describe.skipIf(skipBrowserTests())("the console in Chromium", { timeout: 180_000 }, () => {
  let t: TestHub;
  let smtp: TestSmtp;
  let analyst: Person;
  let terminatingStaff: Person;
  let upstreamStaff: Person;
  const captures: Capture[] = [];
  const providers: Record<"terminating" | "upstream", string> = { terminating: "", upstream: "" };

  beforeAll(async () => {
    smtp = await startTestSmtp();
    // Each step of the walk is done within its request, the hop requests, invitations and campaigns
    // included: the hub's timed sweeps would only retry what failed, at a cost paid every interval.
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { SMTP_URL: smtp.url, MAIL_FROM: "Hoptrace <hub@hoptrace.example>" } });
    [analyst, terminatingStaff, upstreamStaff] = await Promise.all([openBrowser("analyst"), openBrowser("terminating"), openBrowser("upstream")]);
    for (const [who, name, frn] of [
      ["terminating", "Terminating Telecom", "0011111111"],
      ["upstream", "Upstream Transit", "0022222222"],
    ] as const) {
      const res = await t.consortium.api.post("/v1/providers", { name, frn, contact: { name: "NOC", email: `noc@${who}.example` } });
      expect(res.status).toBe(201);
      providers[who] = res.body.account.id;
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([analyst, terminatingStaff, upstreamStaff].filter(Boolean).map((p) => p.close()));
    await t?.stop();
    await smtp?.stop();
  });

  const look = async (person: Person, name: string) => {
    captures.push(await capture(person, name));
  };

  /** The person opens the link of the invitation e-mailed to `email` and enrols this browser. */
  async function enrolFromMail(person: Person, email: string, shoot?: string) {
    const mail = await waitForMail(email);
    const url = linkIn(mail.text);
    expect(url, mail.text).toBeDefined();
    await person.page.goto(url!);
    await person.page.getByRole("button", { name: "Create my key and enrol" }).waitFor();
    if (shoot) await look(person, shoot);
    await person.page.getByLabel(/Name this browser/).fill("work laptop");
    await person.page.getByRole("button", { name: "Create my key and enrol" }).click();
    await person.page.locator("nav[aria-label=Main]").waitFor();
  }

  async function waitForMail(to: string) {
    for (let i = 0; i < 100; i++) {
      const found = smtp.messages.find((m) => m.to.includes(to));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no e-mail to ${to}`);
  }

  it("walks a traceback from invitations to the originator, every answer given by a person in the console", async () => {
    // The consortium invites its first analyst; the e-mail carries the enrolment link.
    const invited = await t.consortium.api.post("/v1/invitations", {
      accountId: t.consortium.id,
      name: "Ada Analyst",
      email: "ada@consortium.example",
      role: "analyst",
    });
    expect(invited.status).toBe(201);
    await enrolFromMail(analyst, "ada@consortium.example", "enrol");
    const { page } = analyst;
    await page.getByRole("heading", { name: "Tracebacks" }).waitFor();
    await look(analyst, "analyst-tracebacks-empty");

    // The analyst invites the terminating provider's person from the People page.
    await page.getByRole("link", { name: "People" }).click();
    await page.getByLabel("Organisation").selectOption({ label: "Terminating Telecom" });
    await page.locator("#inv-name").fill("Terry Staff");
    await page.locator("#inv-email").fill("terry@terminating.example");
    await page.getByRole("button", { name: "Send the invitation" }).click();
    await page.getByText("Invitation for Terry Staff created and e-mailed").waitFor();
    await look(analyst, "analyst-people");
    await enrolFromMail(terminatingStaff, "terry@terminating.example");
    expect(
      (await t.consortium.api.post("/v1/invitations", { accountId: providers.upstream, name: "Uma Upstream", email: "uma@upstream.example", role: "staff" }))
        .status,
    ).toBe(201);
    await enrolFromMail(upstreamStaff, "uma@upstream.example");

    await page.getByRole("link", { name: "New traceback" }).first().click();
    await page.getByRole("heading", { name: "New traceback" }).waitFor();
    await page.getByRole("button", { name: "Start the traceback" }).click();
    await page.getByText("Check the fields marked above.").waitFor();
    await look(analyst, "analyst-new-traceback-errors");
    await page.getByLabel("Calling number (as displayed)").fill("+1 305 555 0123");
    await page.getByLabel("Called number").fill("+1 202 555 0143");
    await page.getByLabel("Call time (your local time)").fill("2024-06-03T12:00:00");
    await page.getByLabel("Terminating provider").selectOption({ label: "Terminating Telecom (FRN 0011111111)" });
    await page.getByLabel("Campaign label").fill("utility-impersonation");
    await page.getByLabel("Recording or transcript link").fill("https://evidence.example/recordings/1.wav");
    await page.getByRole("button", { name: "Start the traceback" }).click();
    await page.getByRole("heading", { name: "Traceback: utility-impersonation" }).waitFor();
    const tracebackUrl = page.url();
    await look(analyst, "analyst-chain-started");

    // The terminating provider's person finds the request in the inbox and names the upstream.
    const term = terminatingStaff.page;
    await term.goto(`${t.url}/console/`);
    await term.getByRole("heading", { name: "Inbox" }).waitFor();
    await term.getByRole("link", { name: "Hop 1" }).waitFor();
    await look(terminatingStaff, "provider-inbox");
    await term.getByRole("link", { name: "Hop 1" }).click();
    await term.getByRole("heading", { name: "Hop request 1" }).waitFor();
    await term.getByLabel(/Another provider handed us the call/).check();
    await term.getByRole("button", { name: "Send the answer" }).click();
    await term.getByText("The answer is not complete").waitFor();
    await look(terminatingStaff, "provider-answer-form-errors");
    // At 400 px an answer type's wire name moves to the next line whole, never broken inside.
    await term.setViewportSize({ width: 400, height: 900 });
    const broken = await term.locator(".choice code").evaluateAll((codes) =>
      codes
        .filter((c) => {
          const text = document.createRange();
          text.selectNodeContents(c);
          return text.getClientRects().length > 1;
        })
        .map((c) => c.textContent),
    );
    await term.setViewportSize({ width: 1280, height: 900 });
    expect(broken).toEqual([]);
    await term.getByLabel("Registered provider").selectOption({ label: "Upstream Transit (FRN 0022222222)" });
    await term.getByLabel("Ingress trunk").fill("TRUNK-7");
    await term.getByRole("button", { name: "Send the answer" }).click();
    await term.getByText("Receipt from the hub").waitFor();
    await look(terminatingStaff, "provider-answered");
    const hop1Url = term.url();

    // The upstream, which has no webhook, answers with the originating customer.
    const up = upstreamStaff.page;
    await up.goto(`${t.url}/console/inbox`);
    await up.getByRole("link", { name: "Hop 2" }).click();
    await up.getByRole("heading", { name: "Hop request 2" }).waitFor();
    await up.getByLabel(/The call came from our customer/).check();
    await up.locator("#answer-customer-name").fill("Example Dialer LLC");
    await up.getByLabel("Action taken with the customer").selectOption("terminated");
    await up.getByLabel("Ingress trunk").fill("SIPT-22");
    await look(upstreamStaff, "provider-answer-originator");
    await up.getByRole("button", { name: "Send the answer" }).click();
    await up.getByText("Receipt from the hub").waitFor();
    await up.goto(`${t.url}/console/history`);
    await up.getByRole("link", { name: "Hop 2" }).waitFor();
    await look(upstreamStaff, "provider-history");

    // The analyst sees the chain end at the originator, each answer under its person's key.
    await page.goto(tracebackUrl);
    await page.getByText("originator found").first().waitFor();
    await page.getByText("of Upstream Transit with key").waitFor();
    const hops = page.locator("ol.timeline").first().locator("li.hop");
    expect(await hops.count()).toBe(2);
    expect(await hops.nth(0).textContent()).toMatch(/signed by Terry Staff \(staff\) of Terminating Telecom with key \S+/);
    expect(await hops.nth(1).textContent()).toMatch(/signed by Uma Upstream \(staff\) of Upstream Transit with key \S+/);
    expect(await hops.nth(1).textContent()).toContain("Example Dialer LLC");
    await look(analyst, "analyst-chain-originator-found");

    // The terminating provider's person cannot read the upstream's hop.
    await term.goto(hop1Url.replace(/_1$/, "_2"));
    await term.getByRole("heading", { name: "Not found" }).waitFor();
    await look(terminatingStaff, "provider-not-found");
  });

  it("shows the analyst's lists, the provider directory, webhook health, and the providers' own pages", async () => {
    const { page } = analyst;
    await page.goto(`${t.url}/console/tracebacks?status=completed`);
    await page.getByRole("link", { name: "utility-impersonation" }).waitFor();
    await look(analyst, "analyst-tracebacks");
    await page.goto(`${t.url}/console/providers`);
    await page.getByRole("link", { name: "Upstream Transit" }).waitFor();
    await look(analyst, "analyst-providers");
    await page.getByRole("link", { name: "Upstream Transit" }).click();
    await page.getByText("Uma Upstream").waitFor();
    await look(analyst, "analyst-provider");
    await page.goto(`${t.url}/console/webhook-health`);
    await page.getByRole("heading", { name: "Webhook health" }).waitFor();
    await look(analyst, "analyst-webhook-health");
    await page.goto(`${t.url}/console/key`);
    await page.getByText("work laptop").waitFor();
    await look(analyst, "analyst-key");

    const term = terminatingStaff.page;
    await term.goto(`${t.url}/console/webhooks`);
    await term.getByLabel("URL").fill("http://127.0.0.1:9/hoptrace");
    await term.getByRole("button", { name: "Register the endpoint" }).click();
    await term.getByText("shown only now").waitFor();
    await look(terminatingStaff, "provider-webhooks");
    await term.getByRole("link", { name: "http://127.0.0.1:9/hoptrace" }).click();
    await term.getByRole("button", { name: "Send a test event" }).click();
    await term.getByText("A test event is on its way").waitFor();
    await term.getByRole("button", { name: "Rotate the secret" }).click();
    await term
      .getByText("The old secret keeps signing")
      .waitFor()
      .catch(async () => {
        throw new Error(`the rotation showed no new secret: ${await term.locator("main").innerText()}`);
      });
    await look(terminatingStaff, "provider-webhook-endpoint");
    await term.goto(`${t.url}/console/standing`);
    await term.getByRole("heading", { name: "Findings about your signatures" }).waitFor();
    await look(terminatingStaff, "provider-standing");
    await term.goto(`${t.url}/console/people`);
    await term.getByText("Terry Staff").first().waitFor();
    await look(terminatingStaff, "provider-people");
  });

  it("shows the analyst campaigns with why each traceback is in, scorecards with their CSV, RMD findings and the finding filter", async () => {
    // A second call from the same number joins the first one's campaign.
    const second = await t.consortium.api.post("/v1/tracebacks", {
      ...CALL,
      callTime: "2024-06-04T09:30:00-04:00",
      terminatingProviderId: providers.terminating,
    });
    expect(second.status).toBe(201);
    const secondId: string = second.body.traceback.id;
    let campaignId: string | undefined;
    for (let i = 0; i < 100 && !campaignId; i++) {
      const list = await t.consortium.api.get("/v1/campaigns");
      campaignId = list.body.items?.find((c: { calls: number }) => c.calls >= 2)?.id;
      if (!campaignId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(campaignId, "no campaign holds both calls").toBeDefined();

    const { page } = analyst;
    await page.goto(`${t.url}/console/tracebacks`);
    await page.getByRole("link", { name: "Campaigns" }).click();
    await page.getByRole("heading", { name: "Campaigns" }).waitFor();
    await page.getByRole("link", { name: campaignId! }).waitFor();
    await look(analyst, "analyst-campaigns");
    await page.getByRole("link", { name: campaignId! }).click();
    await page.getByRole("heading", { name: `Campaign ${campaignId}` }).waitFor();
    const member = page.locator(`td[data-label=Traceback] a[href="tracebacks/${secondId}"]`);
    const why = page.locator("tr", { has: member }).locator("td[data-label='Why it is in']");
    await expect.poll(() => why.textContent()).toMatch(/same calling number/);
    await page.getByRole("heading", { name: "Calls per day" }).waitFor();
    expect(
      await page
        .locator("section.counted", { has: page.getByRole("heading", { name: "Calls per day" }) })
        .locator("tbody tr")
        .count(),
    ).toBe(2);
    await look(analyst, "analyst-campaign");
    await page.setViewportSize({ width: 400, height: 900 });
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel("Name", { exact: true }).fill("Utility impersonation, June 2024");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { name: "Utility impersonation, June 2024" }).waitFor();
    await page.getByText("decided", { exact: true }).first().waitFor();
    expect((await t.consortium.api.get(`/v1/campaigns/${campaignId}`)).body.campaign).toMatchObject({
      name: "Utility impersonation, June 2024",
      decided: true,
    });
    await page.getByText(/rename by/).waitFor();
    await look(analyst, "analyst-campaign-renamed");

    // The analyst moves the second call out into a campaign of its own, then merges the first back into it.
    await page.getByLabel(`Choose ${secondId}`).check();
    await page.getByRole("button", { name: "Move 1 into a new campaign" }).click();
    await page.getByRole("heading", { name: /^Campaign cmp_/ }).waitFor();
    const splitId = (await page.getByRole("heading", { level: 1 }).textContent())!.replace(/^Campaign /, "");
    expect(splitId).not.toBe(campaignId);
    await page.getByText(`moved by an analyst (${campaignId})`).waitFor();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("");
    expect(await page.getByLabel(`Choose ${secondId}`).isChecked()).toBe(false);
    expect(await page.getByText("Named “").count()).toBe(0);
    await look(analyst, "analyst-campaign-split");
    await page.getByLabel("Merge campaigns into this one").fill(campaignId!);
    await page.getByRole("button", { name: "Merge" }).click();
    await page.getByText(`Merged ${campaignId} into it.`).waitFor();
    await expect.poll(() => page.locator("td[data-label=Traceback] a").count()).toBe(2);
    const merged = (await t.consortium.api.get(`/v1/campaigns/${campaignId}`)).body;
    expect(merged).toMatchObject({ requestedId: campaignId, campaign: { id: splitId, absorbed: [campaignId] }, tracebacks: 2 });

    // The chain shows its RMD findings; the list filters by a kind of finding.
    await member.click();
    await page.getByRole("heading", { name: "RMD findings" }).waitFor();
    await page.getByText(/No RMD snapshot was taken before the call|Against the RMD snapshot/).waitFor();
    await look(analyst, "analyst-chain-rmd-findings");
    await page.goto(`${t.url}/console/tracebacks?hasFinding=registered_rmd_mismatch`);
    await expect.poll(() => page.getByLabel("Has a finding of kind").inputValue()).toBe("registered_rmd_mismatch");
    await page.getByText("No traceback matches.").waitFor();
    await look(analyst, "analyst-tracebacks-finding-filter");
    await page.getByLabel("Has a finding of kind").selectOption("");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByRole("link", { name: secondId }).waitFor();

    // The provider's scorecard, and its CSV fetched through the signed API and saved as a file.
    await page.goto(`${t.url}/console/providers/${providers.upstream}`);
    await page.getByRole("heading", { name: "Scorecard, last 12 months" }).waitFor();
    await page.getByText("Tracebacks it took part in").waitFor();
    await look(analyst, "analyst-provider-scorecard");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe(`scorecard-${providers.upstream}.csv`);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toMatch(/^section,item,value\r\n/);
    expect(csv).toContain(`provider,id,${providers.upstream}`);

    // A provider's person sees the provider's own scorecard on its standing page.
    const term = terminatingStaff.page;
    await term.goto(`${t.url}/console/standing`);
    await term.getByRole("heading", { name: "Scorecard, last 12 months" }).waitFor();
    await term.getByText("Hop requests answered / asked").waitFor();
    await look(terminatingStaff, "provider-standing-scorecard");
  });

  it("lists the local hub's mail for its operator when no SMTP server is set", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hoptrace-local-mail-"));
    const local = await startTestHub({ dataDir });
    try {
      const invited = await local.consortium.api.post("/v1/invitations", {
        accountId: local.consortium.id,
        name: "Ada Analyst",
        email: "ada@consortium.example",
        role: "admin",
      });
      expect(invited.status).toBe(201);
      const { page } = analyst;
      await page.goto(invited.body.url);
      await page.getByRole("button", { name: "Create my key and enrol" }).click();
      await page.locator("nav[aria-label=Main]").waitFor();
      await page.getByRole("link", { name: "Local mail" }).click();
      await page.getByText("Your Hoptrace invitation").first().waitFor();
      await page.getByText("Your Hoptrace invitation").first().click();
      await page.getByRole("link", { name: invited.body.url }).waitFor();
      await look(analyst, "operator-local-mail");
    } finally {
      await local.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("has no serious or critical axe violations, no sideways scrolling at 400 px, and no script or CSP error", async () => {
    const violations = captures.flatMap((c) => c.violations.map((v) => `${c.page}: ${v.id} (${v.impact}) ${v.help} ×${v.nodes}`));
    expect(violations).toEqual([]);
    expect(captures.length).toBeGreaterThanOrEqual(20);
    for (const person of [analyst, terminatingStaff, upstreamStaff]) {
      await person.page.setViewportSize({ width: 400, height: 900 });
      expect(await sidewaysOverflow(person.page), person.name).toEqual([]);
      expect(person.problems, person.name).toEqual([]);
    }
  });
});
