/**
 * The local mode without SMTP: e-mails are `.eml` files only their owner can read, which the
 * consortium lists; and the unsigned enrolment door has a rate of its own per client address.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type Party, type TestHub } from "../support/hub.js";
import { PROBLEM, send } from "./raw.js";

let t: TestHub;
let dir: string;
let carrier: Party;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoptrace-mail-"));
  t = await startTestHub({ env: { MAIL_DIR: join(dir, "mail"), PUBLIC_RATE_LIMIT_PER_SECOND: "1", PUBLIC_RATE_LIMIT_BURST: "3" } });
  carrier = await t.registerProvider("Files Carrier");
});
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("without SMTP_URL, the local server", () => {
  it("writes each e-mail as an .eml file readable by its owner only, and lists it for the consortium, newest first", async () => {
    const urls: string[] = [];
    for (const name of ["First Person", "Second Person", "Third Person"]) {
      const res = await t.consortium.api.post("/v1/invitations", {
        accountId: carrier.id,
        email: `${name.split(" ")[0]!.toLowerCase()}@files.example`,
        name,
        role: "staff",
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.invitation.emailedAt).toBeDefined();
      urls.push(res.body.url);
    }
    const first = await t.consortium.api.get("/v1/local/mail?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items.map((m: { to: string[] }) => m.to[0])).toEqual(["third@files.example", "second@files.example"]);
    const rest = await t.consortium.api.get(`/v1/local/mail?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.items.map((m: { to: string[] }) => m.to[0])).toEqual(["first@files.example"]);
    expect(rest.body.nextCursor).toBeUndefined();

    const mail = first.body.items[0];
    expect(mail.subject).toBe("Your Hoptrace invitation for Files Carrier");
    expect(mail.text).toContain(urls[2]);
    expect(mail.file.startsWith(join(dir, "mail"))).toBe(true);
    expect((await stat(mail.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "mail"))).mode & 0o777).toBe(0o700);
    const eml = await readFile(mail.file, "utf8");
    expect(eml).toMatch(/^To: third@files\.example$/m);
    expect(eml).toMatch(/^Subject: Your Hoptrace invitation for Files Carrier$/m);
    expect(eml).toContain("Content-Type: text/html");
  });

  it("shows the mailbox to the consortium only", async () => {
    const res = await carrier.api.get("/v1/local/mail");
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
  });
});

describe("the unsigned enrolment door", () => {
  it("answers 429 with Retry-After past its own rate per client address, while signed callers go on", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await send(`${t.url}/v1/enrolments/${"A".repeat(43)}`, { method: "GET", headers: {} });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get("retry-after");
        expect(r.headers.get("content-type")).toBe(PROBLEM);
      }
    }
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    expect(statuses).toContain(429);
    expect(retryAfter).toMatch(/^\d+$/);
    expect((await t.consortium.api.get("/v1/me")).status).toBe(200);
  });
});
