/** The SMTP mailer against a real SMTP server in process: what arrives, and what a refusal does. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smtpMailer } from "../../../functions/adapters/mail/mailers.js";
import { invitationMail } from "../../../functions/domain/mail.js";
import { SMTP_PASSWORD, startTestSmtp, type TestSmtp } from "../../support/smtp.js";

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
});
afterAll(() => smtp?.stop());

const content = invitationMail({
  name: "Ada <Lovelace> & Co",
  accountName: 'Carrier "One"',
  role: "admin",
  url: "http://127.0.0.1:8787/console/enrol#token=abc",
  expiresAt: "2024-06-04T14:00:00.000Z",
});

describe("the SMTP mailer", () => {
  it("logs in and delivers a text and an HTML part, the HTML escaped", async () => {
    const sent = await smtpMailer(smtp.url, "Hoptrace <hub@hoptrace.example>").send({ to: ["ada@people.example"], ...content });
    expect(sent.messageId).toMatch(/@/);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(["ada@people.example"]);
    expect(mail!.subject).toBe('Your Hoptrace invitation for Carrier "One"');
    expect(mail!.text).toContain("Hello Ada <Lovelace> & Co,");
    expect(mail!.html).toContain("Hello Ada &lt;Lovelace&gt; &amp; Co,");
    expect(mail!.html).not.toContain("<Lovelace>");
    expect(mail!.html).toContain('<a href="http://127.0.0.1:8787/console/enrol#token=abc">');
  });

  it("fails the sending on a wrong password or a refused recipient, so the caller can retry", async () => {
    const wrong = smtp.url.replace(SMTP_PASSWORD, "wrong");
    await expect(smtpMailer(wrong, "hub@hoptrace.example").send({ to: ["ada@people.example"], ...content })).rejects.toThrow();
    smtp.refuse.add("gone@people.example");
    await expect(smtpMailer(smtp.url, "hub@hoptrace.example").send({ to: ["gone@people.example"], ...content })).rejects.toThrow(/550|mailbox/);
  });
});
