/**
 * The console's pages in a real browser over a running hub, each person signing with a key their
 * own browser made: an analyst starts a traceback, two providers' people answer it by hand, the
 * analyst reads the chain. Every page is checked with axe-core and photographed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccountId } from "../../openapi/client/registration.js";
import { capture, hasChromium, openBrowser, overflowsSideways, type Capture, type Person } from "../support/browser.js";
import { startTestHub, type TestHub } from "../support/hub.js";

/**
 * Makes a key in the person's browser the way the console does and stores it as the console's
 * identity; returns what registers it. (People enrol from invitations; these tests reach the
 * pages with keys registered by the consortium.)
 */
async function browserKey(person: Person, url: string, identity: { accountId: string; accountKind: string; accountName: string; person: { name: string; email: string; role: string } }) {
  await person.page.goto(`${url}/console/key`);
  return person.page.evaluate(async (id) => {
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const { x } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const publicJwk = { kty: "OKP", crv: "Ed25519", x: x! };
    const keyId = b64(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify({ crv: "Ed25519", kty: "OKP", x })))));
    const proof = b64(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(`hoptrace-key-proof-v1\n${id.accountId}\n${keyId}`))));
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open("hoptrace-console", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("identity");
      open.onsuccess = () => {
        const tx = open.result.transaction("identity", "readwrite");
        tx.objectStore("identity").put({ ...id, keyId, privateKey: pair.privateKey, publicJwk, enrolledAt: new Date().toISOString() }, "current");
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      };
      open.onerror = () => reject(open.error);
    });
    return { keyId, registration: { publicJwk, proof } };
  }, identity);
}

// A browser test waits on three browsers and the hub at once; a loaded machine needs the room.
describe.skipIf(!hasChromium())("the console in Chromium", { timeout: 180_000 }, () => {
  let t: TestHub;
  let analyst: Person;
  let terminatingStaff: Person;
  let upstreamStaff: Person;
  const captures: Capture[] = [];
  const ids = { terminating: newAccountId(), upstream: newAccountId() };
  const keyIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 200 });
    [analyst, terminatingStaff, upstreamStaff] = await Promise.all([openBrowser("analyst"), openBrowser("terminating"), openBrowser("upstream")]);
    const a = await browserKey(analyst, t.url, { accountId: t.consortium.id, accountKind: "consortium", accountName: "The consortium", person: { name: "Ada Analyst", email: "ada@consortium.example", role: "analyst" } });
    expect((await t.consortium.api.post(`/v1/accounts/${t.consortium.id}/keys`, a.registration)).status).toBe(201);
    keyIds.analyst = a.keyId;
    for (const [who, person, name, frn] of [["terminating", terminatingStaff, "Terminating Telecom", "0011111111"], ["upstream", upstreamStaff, "Upstream Transit", "0022222222"]] as const) {
      const k = await browserKey(person, t.url, { accountId: ids[who], accountKind: "provider", accountName: name, person: { name: `${name} staff`, email: `noc@${who}.example`, role: "staff" } });
      const res = await t.consortium.api.post("/v1/providers", { id: ids[who], name, frn, contact: { name: "NOC", email: `noc@${who}.example` }, keys: [k.registration] });
      expect(res.status).toBe(201);
      keyIds[who] = k.keyId;
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([analyst, terminatingStaff, upstreamStaff].filter(Boolean).map((p) => p.close()));
    await t?.stop();
  });

  const look = async (person: Person, name: string) => {
    captures.push(await capture(person, name));
  };

  it("walks a traceback from the analyst's form to the originator, every answer given in a provider's console", async () => {
    const { page } = analyst;
    await page.goto(`${t.url}/console/`);
    await page.getByRole("heading", { name: "Tracebacks" }).waitFor();
    await look(analyst, "analyst-tracebacks-empty");

    await page.getByRole("link", { name: "New traceback" }).first().click();
    await page.getByRole("heading", { name: "New traceback" }).waitFor();
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
    await term.getByLabel("Registered provider").selectOption({ label: "Upstream Transit (FRN 0022222222)" });
    await term.getByLabel("Ingress trunk").fill("TRUNK-7");
    await term.getByRole("button", { name: "Send the answer" }).click();
    await term.getByText("Receipt from the hub").waitFor();
    await look(terminatingStaff, "provider-answered");
    const hop1Url = term.url();

    // The upstream answers with the originating customer.
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
    const timeline = page.locator("ol.timeline").first();
    const hops = timeline.locator("li.hop");
    expect(await hops.count()).toBe(2);
    expect(await hops.nth(0).textContent()).toContain(keyIds.terminating!);
    expect(await hops.nth(1).textContent()).toContain(keyIds.upstream!);
    expect(await hops.nth(1).textContent()).toContain("Example Dialer LLC");
    await look(analyst, "analyst-chain-originator-found");

    // The terminating provider's person cannot read the upstream's hop.
    const hop2Id = hop1Url.replace(/_1$/, "_2");
    await term.goto(hop2Id);
    await term.getByRole("heading", { name: "Not found" }).waitFor();
    await look(terminatingStaff, "provider-not-found");
  });

  it("shows the analyst's lists, the provider directory, webhook health, and the providers' own pages", async () => {
    const { page } = analyst;
    await page.goto(`${t.url}/console/tracebacks`);
    await page.getByRole("link", { name: "utility-impersonation" }).waitFor();
    await look(analyst, "analyst-tracebacks");
    await page.goto(`${t.url}/console/providers`);
    await page.getByRole("link", { name: "Upstream Transit" }).waitFor();
    await look(analyst, "analyst-providers");
    await page.getByRole("link", { name: "Upstream Transit" }).click();
    await page.getByRole("heading", { name: "Responsiveness, last 90 days" }).waitFor();
    await look(analyst, "analyst-provider");
    await page.goto(`${t.url}/console/webhook-health`);
    await page.getByRole("heading", { name: "Webhook health" }).waitFor();
    await look(analyst, "analyst-webhook-health");
    await page.goto(`${t.url}/console/key`);
    await page.getByRole("heading", { name: "This browser's key" }).waitFor();
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
    await look(terminatingStaff, "provider-webhook-endpoint");
    await term.goto(`${t.url}/console/standing`);
    await term.getByRole("heading", { name: "Findings about your signatures" }).waitFor();
    await look(terminatingStaff, "provider-standing");
  });

  it("has no serious or critical axe violations, no sideways scrolling at 400 px, and no script or CSP error", async () => {
    const violations = captures.flatMap((c) => c.violations.map((v) => `${c.page}: ${v.id} (${v.impact}) ${v.help} ×${v.nodes}`));
    expect(violations).toEqual([]);
    for (const person of [analyst, terminatingStaff, upstreamStaff]) {
      await person.page.setViewportSize({ width: 400, height: 900 });
      expect(await overflowsSideways(person.page), person.name).toBe(false);
      expect(person.problems, person.name).toEqual([]);
    }
  });
});
