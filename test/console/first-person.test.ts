/** The first consortium person's invitation that `npm start` prints. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstPersonInvitation } from "../../functions/local/first-person.js";
import { apiFor, newKey, startTestHub, type TestHub } from "../support/hub.js";
import { startTestSmtp, type TestSmtp } from "../support/smtp.js";

describe("the first consortium person's invitation", () => {
  let t: TestHub;
  let smtp: TestSmtp;
  const person = { name: "Ada Analyst", email: "ada@consortium.example" };
  beforeAll(async () => {
    smtp = await startTestSmtp();
    t = await startTestHub({ env: { SMTP_URL: smtp.url, MAIL_FROM: "Hoptrace <hub@hoptrace.example>" } });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
  });

  it("is one pending invitation across restarts, e-mailed once, and none once a consortium person has enrolled", async () => {
    const deps = t.hub.runtime.deps;
    const first = await firstPersonInvitation(deps, t.consortium.key.keyId, person);
    expect(first?.url).toMatch(new RegExp(`^${t.url}/console/enrol#token=[A-Za-z0-9_-]{43}$`));
    const again = await firstPersonInvitation(deps, t.consortium.key.keyId, person);
    expect(again?.url).toBe(first!.url);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual([person.email]);
    expect(mail!.text).toContain(first!.url);

    const token = first!.url.split("#token=")[1]!;
    const key = await newKey();
    const enrolled = await apiFor(t.url, key.key).post(`/v1/enrolments/${token}`, key.registration(t.consortium.id));
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.person).toMatchObject({ name: person.name, role: "admin" });
    expect(await firstPersonInvitation(deps, t.consortium.key.keyId, person)).toBeUndefined();
    expect(smtp.messages).toHaveLength(1);
  });
});
