/**
 * The responder's webhook endpoint: accepts only POSTs on its path that pass the Standard
 * Webhooks check, and hands the verified payload on. The reply waits for the handler (so a
 * failure is a 503 the hub retries) but never longer than the hub's 10 s delivery timeout allows.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, WebhookVerificationError, type WebhookPayload } from "../../openapi/client/webhooks.js";

const MAX_BODY_BYTES = 64 * 1024;
const REPLY_WITHIN_MS = 8000;

export type WebhookVerdict = "done" | "retry";

export interface WebhookServerOptions {
  host: string;
  port: number;
  path: string;
  secrets: () => readonly string[];
  now: () => number;
  handle: (payload: WebhookPayload) => Promise<WebhookVerdict>;
  onRejected: (reason: string) => void;
}

export interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number) => {
      if (!res.headersSent) {
        res.writeHead(status);
        res.end();
      }
    };
    if (new URL(req.url ?? "/", "http://x").pathname !== opts.path) return void (req.resume(), reply(404));
    if (req.method !== "POST") return void (req.resume(), reply(405));
    readBody(req)
      .then(async (body) => {
        if (body === undefined) return reply(413);
        let payload: WebhookPayload;
        try {
          payload = verifyWebhook({ secret: opts.secrets(), headers: req.headers, body, now: new Date(opts.now()) });
        } catch (err) {
          opts.onRejected(err instanceof WebhookVerificationError ? err.code : "unreadable");
          return reply(401);
        }
        const timer = setTimeout(() => reply(202), REPLY_WITHIN_MS);
        try {
          reply((await opts.handle(payload)) === "done" ? 204 : 503);
        } finally {
          clearTimeout(timer);
        }
      })
      .catch(() => reply(500));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}${opts.path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
