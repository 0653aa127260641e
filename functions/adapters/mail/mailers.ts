/**
 * The embedded hub's mailers, built on nodemailer: SMTP (`SMTP_URL`) and, without SMTP, `.eml`
 * files in the data folder that the local operator reads. Deployed, mail goes through SES
 * (ses-mailer.ts), and the Lambda bundles leave nodemailer out (infra/bundle-aliases).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTransport, type Transporter } from "nodemailer";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { MailSendError, type LocalMail, type LocalMailbox, type Mailer, type MailMessage } from "../../usecases/people-ports.js";

/** A mail server that does not answer within these is down; the next retry tries again. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

function mailerOver(transport: Mailer["transport"], transporter: () => Transporter, from: string): Mailer {
  return {
    transport,
    async send(m: MailMessage) {
      try {
        const info = await transporter().sendMail({
          from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          ...(m.messageId && { messageId: m.messageId }),
        });
        return { messageId: String(info.messageId) };
      } catch (err) {
        throw new MailSendError(summary(transport, err));
      }
    },
  };
}

/** A server's reply code or the transport's error code: its own texts quote the addresses refused. */
function summary(transport: Mailer["transport"], err: unknown): string {
  const e = err as { responseCode?: number; code?: string; name?: string };
  if (e.responseCode) return `the mail server answered ${e.responseCode}`;
  return `${transport} transport error ${e.code ?? e.name ?? "unknown"}`;
}

/** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export function smtpMailer(url: string, from: string): Mailer {
  // Built on first use: a hub that never mails never loads a transport.
  let transporter: Transporter | undefined;
  return mailerOver("smtp", () => (transporter ??= createTransport({ url, ...SMTP_TIMEOUTS })), from);
}

/**
 * Writes each message as an `.eml` file (mode 0600, in a 0700 folder) with a JSON summary beside
 * it for the listing. File names start with the time, so the folder lists oldest first.
 */
export function fileMailer(dir: string, from: string): Mailer & LocalMailbox {
  let composer: Transporter | undefined;
  const compose = () => (composer ??= createTransport({ streamTransport: true, buffer: true, newline: "unix" }));
  // Orders the messages of one millisecond.
  let sequence = 0;
  return {
    transport: "files",
    async send(m: MailMessage) {
      const info = await compose().sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, ...(m.messageId && { messageId: m.messageId }) });
      const createdAt = new Date().toISOString();
      const id = `${createdAt.replace(/[-:.]/g, "")}-${String(sequence++ % 1e6).padStart(6, "0")}-${randomBytes(4).toString("hex")}`;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: "wx" });
      const summary: LocalMail = { id, createdAt, to: m.to, subject: m.subject, text: m.text, file };
      await writeFile(join(dir, `${id}.json`), JSON.stringify(summary), { mode: 0o600, flag: "wx" });
      return { messageId: String(info.messageId) };
    },
    async list(page: PageRequest): Promise<Page<LocalMail>> {
      const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return [] as string[];
        throw err;
      });
      // Newest first; the cursor is the id of the last message of the previous page.
      const ids = names
        .filter((n) => n.endsWith(".json"))
        .map((n) => n.slice(0, -5))
        .sort()
        .reverse();
      const start = page.cursor === undefined ? 0 : ids.findIndex((id) => id < page.cursor!);
      const slice = start < 0 ? [] : ids.slice(start, start + page.limit);
      const items = await Promise.all(slice.map(async (id) => JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as LocalMail));
      const more = start >= 0 && start + page.limit < ids.length;
      return { items, ...(more && { nextCursor: slice[slice.length - 1]! }) };
    },
  };
}
