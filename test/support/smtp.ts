/**
 * A real SMTP server in the test process (the smtp-server package), with a login, receiving the
 * messages nodemailer sends over the loopback, and what the tests read of them.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The text/plain part, decoded. */
  text: string;
  html: string;
}

export interface TestSmtp {
  url: string;
  messages: ReceivedMail[];
  /** Resolves once `count` messages arrived in all (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Refuses (550) the messages to these addresses until cleared. */
  refuse: Set<string>;
  stop(): Promise<void>;
}

export const SMTP_USER = "hub";
export const SMTP_PASSWORD = "s3cret-relay";

export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error("invalid login"));
    },
    onRcptTo(address, _session, cb) {
      if (refuse.has(address.address)) {
        const err = new Error("mailbox unavailable") as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parse(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    messages,
    refuse,
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} e-mails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return messages.slice(0, count);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Enough MIME for nodemailer's output: the subject, and the text and HTML parts, decoded. */
function parse(raw: string): { subject: string; text: string; html: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const subject = decodeWords(/^Subject: (.*)$/im.exec(unfolded)?.[1] ?? "");
  const body = rest.join("\n\n");
  return { subject, text: part(body, "text/plain"), html: part(body, "text/html") };
}

function part(body: string, type: string): string {
  const at = body.search(new RegExp(`Content-Type: ${type}`, "i"));
  if (at < 0) return "";
  const section = body.slice(at);
  const headersEnd = section.search(/\r?\n\r?\n/);
  const headers = section.slice(0, headersEnd);
  const text = section
    .slice(headersEnd)
    .replace(/^\r?\n\r?\n/, "")
    .split(/\r?\n--/)[0]!;
  if (/quoted-printable/i.test(headers)) return decodeQuotedPrintable(text);
  if (/base64/i.test(headers)) return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
  return text.replace(/\r\n/g, "\n");
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, "").replace(/\r\n/g, "\n");
  return Buffer.from(
    bytes.replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    "latin1",
  ).toString("utf8");
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : decodeQuotedPrintable(text.replace(/_/g, " ")),
  );
}
