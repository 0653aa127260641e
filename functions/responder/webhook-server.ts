/**
 * The responder's webhook endpoint: accepts only POSTs on its path that pass the Standard
 * Webhooks check, acknowledges them at once and hands the verified payload on. Acknowledging
 * before acting keeps the hub's delivery worker independent of how long a lookup takes; what
 * fails afterwards is retried by the responder itself and, in the end, by its sweep.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, WebhookVerificationError, type WebhookPayload } from "../../openapi/client/webhooks.js";

const MAX_BODY_BYTES = 64 * 1024;

export interface WebhookServerOptions {
  host: string;
  port: number;
  path: string;
  secrets: () => readonly string[];
  now: () => number;
  /** Called after the acknowledgement; `receivedAt` is performance.now() when the body had arrived. */
  handle: (payload: WebhookPayload, receivedAt: number) => void;
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
        const receivedAt = performance.now();
        if (body === undefined) return reply(413);
        let payload: WebhookPayload;
        try {
          payload = verifyWebhook({ secret: opts.secrets(), headers: req.headers, body, now: new Date(opts.now()) });
        } catch (err) {
          opts.onRejected(err instanceof WebhookVerificationError ? err.code : "unreadable");
          return reply(401);
        }
        reply(204);
        opts.handle(payload, receivedAt);
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
