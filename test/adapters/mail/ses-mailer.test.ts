import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sesMailer } from "../../../functions/adapters/mail/ses-mailer.js";
import { MailSendError } from "../../../functions/usecases/people-ports.js";

/** An HTTP server in SES v2's place: the real SDK signs and sends, this records and answers. */
let server: Server;
let endpoint: string;
const seen: Array<{ method: string; path: string; body: Record<string, any>; authorization: string }> = [];
let answer: { status: number; body: object } = { status: 200, body: { MessageId: "0100018c-ses-id" } };

const read = (req: IncomingMessage) =>
  new Promise<string>((ok) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => ok(b));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({ method: req.method!, path: req.url!, body: JSON.parse(await read(req)), authorization: String(req.headers.authorization) });
    res.writeHead(answer.status, { "content-type": "application/json", ...(answer.status >= 400 && { "x-amzn-errortype": "MessageRejected" }) });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const client = () => new SESv2Client({ region: "us-east-1", endpoint, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
const message = { to: ["noc@carrier.example"], subject: "Hop request due 2026-12-02", text: "Answer at https://hub.example/console", html: "<p>Answer</p>" };

describe("the SES mailer", () => {
  it("sends a simple message from the configured sender through SES v2, signed, and returns SES's id", async () => {
    const out = await sesMailer("us-east-1", "Hoptrace <hub@hoptrace.example>", client()).send(message);
    expect(out.messageId).toBe("0100018c-ses-id");
    const [req] = seen.splice(0);
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/v2/email/outbound-emails");
    expect(req!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ses\/aws4_request/);
    expect(req!.body).toEqual({
      FromEmailAddress: "Hoptrace <hub@hoptrace.example>",
      Destination: { ToAddresses: ["noc@carrier.example"] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: "UTF-8" },
          Body: { Text: { Data: message.text, Charset: "UTF-8" }, Html: { Data: message.html, Charset: "UTF-8" } },
        },
      },
    });
  });

  it("turns a refusal into a MailSendError naming the status, not the address", async () => {
    answer = { status: 400, body: { message: "Email address is not verified: noc@carrier.example" } };
    const err = await sesMailer("us-east-1", "hub@hoptrace.example", client())
      .send(message)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect((err as Error).message).toMatch(/^SES answered 400/);
    expect((err as Error).message).not.toContain("carrier.example");
  });
});
