/** A webhook receiver on loopback that records every request and answers as scripted. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  /** The request's path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** When its exchange ended: answered, or given up by the sender. */
  endedAt?: number;
}

/** "hang" never answers; "hold" answers once `release` is called. */
export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number } | "hang" | "hold";

export interface Receiver {
  url: string;
  received: Received[];
  /** Scripted replies, used in order; after they run out, `fallback`. */
  script: Reply[];
  fallback: Reply;
  /** Answers the requests held so far. */
  release(reply: { status: number }): void;
  waitFor(predicate: (r: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(path = "/hooks"): Promise<Receiver> {
  const received: Received[] = [];
  const state = { script: [] as Reply[], fallback: { status: 204 } as Reply };
  const held: Array<(reply: { status: number }) => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got: Received = { url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      received.push(got);
      res.on("close", () => (got.endedAt = Date.now()));
      const reply = state.script.shift() ?? state.fallback;
      if (reply === "hang") return;
      if (reply === "hold") {
        held.push((r) => {
          res.writeHead(r.status);
          res.end();
        });
        return;
      }
      setTimeout(() => {
        res.writeHead(reply.status, reply.headers);
        res.end();
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const receiver: Receiver = {
    url,
    received,
    get script() {
      return state.script;
    },
    set script(s) {
      state.script = s;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(f) {
      state.fallback = f;
    },
    release: (reply) => {
      for (const answer of held.splice(0)) answer(reply);
    },
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const start = Date.now();
      while (!predicate(received)) {
        if (Date.now() - start > timeoutMs) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${received.length} request(s)`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return receiver;
}
