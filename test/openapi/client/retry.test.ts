/**
 * Retries of the built @hoptrace/client over real HTTP: a server that answers 503 and 429 with
 * Retry-After, drops a connection, or keeps failing; and the embedded hub, whose answer to a first
 * attempt is lost on the way back. Every attempt is signed anew under the same Idempotency-Key.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "../../support/hub.js";
import { entries, type Client } from "./entries.js";

type Answer = { status: number; headers?: Record<string, string>; body?: string } | "drop";

interface Arrival {
  at: number;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers from `script` in order, then 201 with a JSON body. */
async function scriptedServer(script: Answer[]): Promise<{ url: string; arrivals: Arrival[]; close(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      arrivals.push({ at: performance.now(), method: req.method!, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = script.shift() ?? { status: 201, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
      if (answer === "drop") return req.socket.destroy();
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const problem = (status: number, code: string) =>
  JSON.stringify({ type: `urn:hoptrace:problem:${code}`, title: code, status, detail: code, code, request_id: "req_01TEST" });

describe("retries of the built client", () => {
  let loaded: Awaited<ReturnType<typeof entries>>;
  let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
  beforeAll(async () => {
    loaded = await entries();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const entry of ["esm", "cjs"] as const) {
    const client = () => loaded.find(([name]) => name === entry)![1];

    it(`${entry}: waits out 503 and 429 as Retry-After asks and resends the POST with the same Idempotency-Key, signed anew`, async () => {
      const c = client();
      server = await scriptedServer([
        { status: 503, headers: { "retry-after": "1", "content-type": "application/problem+json" }, body: problem(503, "unavailable") },
        { status: 429, headers: { "retry-after": "1", "content-type": "application/problem+json" }, body: problem(429, "rate_limited") },
      ]);
      const { key } = await c.newSigningKey();
      const retries: Array<{ attempt: number; delayMs: number; status?: number }> = [];
      const hub = c.createHoptraceClient({
        baseUrl: server.url,
        key,
        retry: { onRetry: ({ attempt, delayMs, status }) => retries.push({ attempt, delayMs, ...(status && { status }) }) },
      });
      const body = { url: "https://hooks.carrier.example/hoptrace", eventTypes: ["hop_request.created" as const] };
      const result = await hub.POST("/v1/webhook-endpoints", { body });
      expect(result.response.status).toBe(201);

      const { arrivals } = server;
      expect(arrivals).toHaveLength(3);
      const keys = arrivals.map((a) => a.headers["idempotency-key"]);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(keys).size).toBe(1);
      expect(arrivals.map((a) => a.body)).toEqual(Array(3).fill(JSON.stringify(body)));
      // A signature is accepted once: each attempt carries its own.
      expect(new Set(arrivals.map((a) => a.headers.signature)).size).toBe(3);
      expect(new Set(arrivals.map((a) => /;nonce="([^"]+)"/.exec(String(a.headers["signature-input"]))?.[1])).size).toBe(3);
      // Retry-After: 1 is at least a second, and the backoff (at most 0.5 s, then 1 s, jittered) is under it.
      expect(retries).toEqual([
        { attempt: 1, delayMs: 1000, status: 503 },
        { attempt: 2, delayMs: 1000, status: 429 },
      ]);
      const gaps = [arrivals[1]!.at - arrivals[0]!.at, arrivals[2]!.at - arrivals[1]!.at];
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(995);
        expect(gap).toBeLessThan(1800);
      }
    });

    it(`${entry}: retries a dropped connection and 5xx with exponential backoff and jitter, then hands back the last answer as a typed error`, async () => {
      const c = client();
      server = await scriptedServer([
        "drop",
        { status: 500 },
        { status: 502 },
        { status: 503, headers: { "content-type": "application/problem+json" }, body: problem(503, "unavailable") },
      ]);
      const { key } = await c.newSigningKey();
      const retries: Array<{ attempt: number; delayMs: number; failed: string }> = [];
      const hub = c.createHoptraceClient({
        baseUrl: server.url,
        key,
        retry: {
          baseDelayMs: 100,
          random: () => 0.5,
          onRetry: ({ attempt, delayMs, status, error }) => retries.push({ attempt, delayMs, failed: status ? String(status) : (error as Error).name }),
        },
      });
      const error = await c.unwrap(hub.GET("/v1/me")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(c.HoptraceApiError);
      expect(error).toMatchObject({ status: 503, code: "unavailable", requestId: "req_01TEST" });
      // Full jitter at 0.5 of 100, 200, 400 ms; four attempts in all by default.
      expect(retries).toEqual([
        { attempt: 1, delayMs: 50, failed: "TypeError" },
        { attempt: 2, delayMs: 100, failed: "500" },
        { attempt: 3, delayMs: 200, failed: "502" },
      ]);
      const { arrivals } = server;
      expect(arrivals).toHaveLength(4);
      [50, 100, 200].forEach((delay, i) => expect(arrivals[i + 1]!.at - arrivals[i]!.at).toBeGreaterThanOrEqual(delay - 5));
    });

    it(`${entry}: gives up on a host that never answers with a HoptraceNetworkError, and does not retry 4xx or a POST without an Idempotency-Key`, async () => {
      const c = client();
      const { key } = await c.newSigningKey();
      server = await scriptedServer([]);
      const closed = server.url;
      await server.close();
      server = undefined;
      const unreachable = c.createHoptraceClient({ baseUrl: closed, key, retry: { maxAttempts: 3, baseDelayMs: 1 } });
      const error = await unreachable.GET("/v1/me").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(c.HoptraceNetworkError);
      expect((error as { attempts: number }).attempts).toBe(3);

      server = await scriptedServer([{ status: 409 }, { status: 503 }]);
      const hub = c.createHoptraceClient({ baseUrl: server.url, key, retry: { baseDelayMs: 1 } });
      expect(
        (await hub.POST("/v1/webhook-endpoints", { body: { url: "https://hooks.carrier.example/h", eventTypes: ["hop_request.created"] } })).response.status,
      ).toBe(409);
      const bare = c.retryingFetch(c.signedFetch(key), { baseDelayMs: 1 });
      expect((await bare(`${server.url}/v1/webhook-endpoints`, { method: "POST", body: "{}" })).status).toBe(503);
      expect(server.arrivals).toHaveLength(2);
    });

    it(`${entry}: a Retry-After beyond the longest wait it accepts ends the retries`, async () => {
      const c = client();
      server = await scriptedServer([{ status: 429, headers: { "retry-after": "3600" } }]);
      const { key } = await c.newSigningKey();
      const hub = c.createHoptraceClient({ baseUrl: server.url, key });
      const started = performance.now();
      expect((await hub.GET("/v1/me")).response.status).toBe(429);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(server.arrivals).toHaveLength(1);
    });
  }
});

describe("a retry against the hub", () => {
  let t: TestHub;
  let c: Client;
  beforeAll(async () => {
    [t, [[, c]]] = (await Promise.all([startTestHub(), entries()])) as [TestHub, [["esm", Client]]];
  });
  afterAll(async () => t?.stop());

  it("acts once when the answer to the first attempt is lost: the retry, under the same key, gets the hub's replay", async () => {
    const { key } = await c.newSigningKey();
    const registration = c.registrationRequest(key);
    const consortium = c.createHoptraceClient({ baseUrl: t.url, key: t.consortium.key });
    await c.unwrap(
      consortium.POST("/v1/providers", {
        body: { ...registration, name: "Lossy Co", frn: "0071999999", contact: { name: "NOC", email: "noc@lossy.example" } },
      }),
    );
    let lost = 0;
    // The request reaches the hub over real HTTP; the hub's answer to the first one never reaches the client.
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (lost++ > 0) return response;
      await response.body?.cancel();
      return new Response(null, { status: 503 });
    };
    const provider = c.createHoptraceClient({ baseUrl: t.url, key, fetch: lossy, retry: { baseDelayMs: 10 } });
    const created = await provider.POST("/v1/webhook-endpoints", { body: { url: "http://127.0.0.1:9/hoptrace", eventTypes: ["hop_request.created"] } });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get("idempotent-replayed")).toBe("true");
    const me = await c.unwrap(provider.GET("/v1/me"));
    expect(me.endpoints.map((e) => e.id)).toEqual([created.data!.endpoint.id]);
  });
});
