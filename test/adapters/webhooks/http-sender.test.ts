import { describe, it, expect, afterEach } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseRetryAfter, sendWebhook } from "../../../functions/adapters/webhooks/http-sender.js";
import type { DestinationPolicy, Resolver } from "../../../functions/adapters/net/ssrf.js";

const local: DestinationPolicy = { allowLoopback: true, requireHttps: false };
const cloud: DestinationPolicy = { allowLoopback: false, requireHttps: false };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];

async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    res.on("error", () => undefined);
    req.on("error", () => undefined);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

const payload = JSON.stringify({ id: "evt_1", type: "endpoint.test" });
const baseHeaders = { "content-type": "application/json", "webhook-id": "evt_1" };

describe("sendWebhook", () => {
  it("delivers on 2xx, posting the body and headers unchanged", async () => {
    const { port, seen } = await startServer((_req, res) => res.writeHead(200).end("ok"));
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/hooks/tb?v=1`,
      headers: baseHeaders,
      body: payload,
      policy: local,
    });
    expect(result).toMatchObject({ outcome: "delivered", status: 200, responseSnippet: "ok" });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/hooks/tb?v=1", body: payload });
    expect(seen[0]?.headers["webhook-id"]).toBe("evt_1");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(seen[0]?.headers["content-length"]).toBe(String(Buffer.byteLength(payload)));
  });

  it("treats 500 as failed", async () => {
    const { port } = await startServer((_req, res) => res.writeHead(500).end("boom"));
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "failed", status: 500, error: "http_500", responseSnippet: "boom" });
  });

  it("treats a redirect as failed and never follows it", async () => {
    const target = await startServer((_req, res) => res.writeHead(200).end());
    const { port, seen } = await startServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "failed", status: 302, error: "redirect_not_followed" });
    expect(seen).toHaveLength(1);
    expect(target.seen).toHaveLength(0);
  });

  it("reports 410 as gone", async () => {
    const { port } = await startServer((_req, res) => res.writeHead(410).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "gone", status: 410 });
  });

  it("reports 429 as throttled with Retry-After in seconds", async () => {
    const { port } = await startServer((_req, res) => res.writeHead(429, { "retry-after": "120" }).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "throttled", status: 429, retryAfterSeconds: 120 });
  });

  it("reports 429 as throttled with Retry-After as an HTTP-date, against the injected clock", async () => {
    const now = Date.parse("2025-03-01T12:00:00Z");
    const { port } = await startServer((_req, res) => res.writeHead(429, { "retry-after": "Sat, 01 Mar 2025 12:05:00 GMT" }).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: payload,
      policy: local,
      now: () => now,
    });
    expect(result).toMatchObject({ outcome: "throttled", status: 429, retryAfterSeconds: 300, latencyMs: 0 });
  });

  it("reports 503 as throttled and caps Retry-After at 24 hours", async () => {
    const { port } = await startServer((_req, res) => res.writeHead(503, { "retry-after": "999999" }).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "throttled", status: 503, retryAfterSeconds: 86_400 });
  });

  it("reports 503 without Retry-After as throttled with no wait", async () => {
    const { port } = await startServer((_req, res) => res.writeHead(503).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result.outcome).toBe("throttled");
    expect(result.retryAfterSeconds).toBeUndefined();
  });

  it("fails with a timeout when the server never answers", async () => {
    const { port, seen } = await startServer(() => undefined);
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: payload,
      policy: local,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ outcome: "failed", error: "timeout" });
    expect(result.status).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it("counts a stalled response body against the timeout", async () => {
    const { port } = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: payload,
      policy: local,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ outcome: "failed", error: "timeout", status: 200 });
  });

  it("stops reading an endless body after 4 KiB and keeps a 512-byte snippet", async () => {
    let stopped = false;
    const { port } = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(16 * 1024, "a");
      const pump = (): void => {
        while (!stopped) {
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      res.on("close", () => {
        stopped = true;
      });
      pump();
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: payload,
      policy: local,
      timeoutMs: 5000,
    });
    // The body never ends, so only the read cap can produce a delivery.
    expect(result).toMatchObject({ outcome: "delivered", status: 200 });
    expect(result.responseSnippet).toBe("a".repeat(512));
    await new Promise<void>((resolve) => {
      const wait = (): void => (stopped ? resolve() : void setTimeout(wait, 10));
      wait();
    });
  });

  it("fails with the socket error code when nothing listens", async () => {
    const { port } = await startServer(() => undefined);
    await new Promise<void>((resolve) => {
      const s = servers.pop();
      s?.close(() => resolve());
    });
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "failed", error: "ECONNREFUSED" });
  });

  it("refuses a loopback destination when loopback is not allowed, without connecting", async () => {
    const { port, seen } = await startServer((_req, res) => res.writeHead(200).end());
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: payload, policy: cloud });
    expect(result).toMatchObject({ outcome: "refused", error: "forbidden_address" });
    expect(result.status).toBeUndefined();
    expect(seen).toHaveLength(0);
  });

  it("refuses a name that resolves to a private address", async () => {
    const resolve: Resolver = async () => [{ address: "10.0.0.7", family: 4 }];
    const result = await sendWebhook({
      url: "https://hooks.example.com/",
      headers: {},
      body: payload,
      policy: { allowLoopback: false, requireHttps: true },
      resolve,
    });
    expect(result).toMatchObject({ outcome: "refused", error: "forbidden_address" });
  });

  it("connects to the checked address while keeping the original Host", async () => {
    const { port, seen } = await startServer((_req, res) => res.writeHead(204).end());
    const lookups: string[] = [];
    const resolve: Resolver = async (host) => {
      lookups.push(host);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const result = await sendWebhook({
      url: `http://receiver.hoptrace.invalid:${port}/cb`,
      headers: { host: "attacker.example", ...baseHeaders },
      body: payload,
      policy: local,
      resolve,
    });
    expect(result).toMatchObject({ outcome: "delivered", status: 204 });
    expect(lookups).toEqual(["receiver.hoptrace.invalid"]);
    expect(seen[0]?.headers.host).toBe(`receiver.hoptrace.invalid:${port}`);
  });

  it("re-checks the destination on every attempt", async () => {
    const { port, seen } = await startServer((_req, res) => res.writeHead(200).end());
    const answers = [
      [{ address: "127.0.0.1", family: 4 as const }],
      [
        { address: "127.0.0.1", family: 4 as const },
        { address: "192.168.1.20", family: 4 as const },
      ],
    ];
    const resolve: Resolver = async () => answers.shift() ?? [];
    const url = `http://rebind.hoptrace.invalid:${port}/`;
    const first = await sendWebhook({ url, headers: {}, body: payload, policy: local, resolve });
    const second = await sendWebhook({ url, headers: {}, body: payload, policy: local, resolve });
    expect(first.outcome).toBe("delivered");
    expect(second).toMatchObject({ outcome: "refused", error: "forbidden_address" });
    expect(seen).toHaveLength(1);
  });

  it("reports an unparseable URL as refused instead of throwing", async () => {
    const result = await sendWebhook({ url: "::not-a-url::", headers: {}, body: payload, policy: local });
    expect(result).toMatchObject({ outcome: "refused", error: "invalid_url" });
  });

  it("reports a header the HTTP client rejects as failed instead of throwing", async () => {
    const { port, seen } = await startServer((_req, res) => res.writeHead(200).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: { "x-bad": "a\r\nInjected: yes" },
      body: payload,
      policy: local,
    });
    expect(result.outcome).toBe("failed");
    expect(result.error).toBe("ERR_INVALID_CHAR");
    expect(seen).toHaveLength(0);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-03-01T12:00:00Z");

  it("parses delta-seconds and HTTP-dates, never negative, capped at 24 h", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 45 ", now)).toBe(45);
    expect(parseRetryAfter("Sat, 01 Mar 2025 12:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Sat, 01 Mar 2025 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("Tue, 01 Apr 2025 12:00:00 GMT", now)).toBe(86_400);
    expect(parseRetryAfter("100000", now)).toBe(86_400);
  });

  it("ignores missing and malformed values", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
  });
});

describe("sendWebhook keeps connections alive per pinned address", () => {
  /** A receiver on every local address that records each connection's local address. */
  async function startCounting(reply: (res: http.ServerResponse) => void = (res) => res.writeHead(204).end()) {
    const connections: string[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => reply(res));
    });
    server.on("connection", (socket) => connections.push(socket.localAddress ?? ""));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    return { port: (server.address() as AddressInfo).port, connections };
  }
  const to =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: 4 as const }));

  it("sends the next attempt to the same destination and address on the same connection", async () => {
    const { port, connections } = await startCounting();
    const url = `http://hooks.carrier.test:${port}/in`;
    for (let i = 0; i < 3; i++) {
      const result = await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.1") });
      expect(result.outcome).toBe("delivered");
    }
    expect(connections).toEqual(["127.0.0.1"]);
  });

  it("opens a new connection, to the newly pinned address, when the destination resolves elsewhere", async () => {
    const { port, connections } = await startCounting();
    const url = `http://moving.carrier.test:${port}/in`;
    expect((await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.1") })).outcome).toBe("delivered");
    expect((await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.2") })).outcome).toBe("delivered");
    expect(connections).toEqual(["127.0.0.1", "127.0.0.2"]);
  });

  it("closes a connection whose response was cut off at the read limit", async () => {
    const { port, connections } = await startCounting((res) => res.writeHead(200).end("x".repeat(64 * 1024)));
    const url = `http://chatty.carrier.test:${port}/in`;
    for (let i = 0; i < 2; i++)
      expect((await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.1") })).outcome).toBe("delivered");
    expect(connections).toHaveLength(2);
  });

  it("sends once more, on a new connection, when a kept connection fails before any answer", async () => {
    // The receiver closes each connection on its second request without answering: what a
    // connection it timed out while idle looks like when the hub's next request races the close.
    const perSocket = new Map<unknown, number>();
    const { port, connections } = await startCounting();
    const server = servers.at(-1)!;
    server.removeAllListeners("request");
    let answered = 0;
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      req.resume();
      req.on("end", () => (answered++, res.writeHead(204).end()));
    });
    const url = `http://closing.carrier.test:${port}/in`;
    expect((await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.1") })).outcome).toBe("delivered");
    expect((await sendWebhook({ url, headers: baseHeaders, body: payload, policy: local, resolve: to("127.0.0.1") })).outcome).toBe("delivered");
    expect(connections).toHaveLength(2);
    expect(answered).toBe(2);
  });
});
