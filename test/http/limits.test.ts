/**
 * Size limits on the real embedded server, spoken to over raw sockets: an oversized body is
 * refused at the cap while it streams (and the rest is never read), and what Node's HTTP parser
 * refuses on its own (huge headers, broken framing) is answered as problem details too.
 */
import diagnostics from "node:diagnostics_channel";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/platform/config.js";
import { startTestHub, type TestHub } from "../support/hub.js";
import { PROBLEM } from "./raw.js";

const CAP = 65_536;
const OFFERED = 64 * 1024 * 1024;

let t: TestHub;
let port: number;
const serverSockets: Socket[] = [];
const onServerSocket = (message: unknown) => {
  const { socket } = message as { socket: Socket };
  if (socket.localPort === port) serverSockets.push(socket);
};

beforeAll(async () => {
  t = await startTestHub({ env: { LOG_LEVEL: "ERROR" } });
  port = Number(new URL(t.url).port);
  diagnostics.subscribe("net.server.socket", onServerSocket);
});
afterAll(async () => {
  diagnostics.unsubscribe("net.server.socket", onServerSocket);
  await t?.stop();
});

interface RawExchange {
  /** The response as received, up to the connection's end. */
  response: string;
  /** Body bytes the client managed to hand to its socket before the server closed it. */
  bytesSent: number;
}

/**
 * Opens a connection, writes `head`, then writes body chunks from `chunks` (with backpressure)
 * until they run out or the server closes; resolves once the connection is closed.
 */
function exchange(head: string, chunks: Iterable<Buffer>, opts: { end?: string } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    let bytesSent = 0;
    let closed = false;
    socket.on("data", (d) => {
      response += d.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      resolve({ response, bytesSent });
    });
    socket.on("connect", async () => {
      socket.write(head);
      for (const chunk of chunks) {
        if (closed || socket.destroyed) return;
        const ok = socket.write(chunk);
        bytesSent += chunk.length;
        if (!ok) await new Promise<void>((r) => socket.once("drain", r).once("close", r));
      }
      if (!closed && !socket.destroyed) socket.end(opts.end ?? "");
    });
  });
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: any } {
  const split = raw.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = raw.slice(0, split).split("\r\n");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  const text = raw.slice(split + 4);
  const body = headers["transfer-encoding"] === "chunked" ? dechunk(text) : text;
  return { status: Number(statusLine!.split(" ")[1]), headers, body: body ? JSON.parse(body) : undefined };
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

function* chunked(total: number, size = 16_384): Generator<Buffer> {
  const chunk = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, "x"), Buffer.from("\r\n")]);
  for (let sent = 0; sent < total; sent += size) yield chunk;
}

const postHead = (extra: string) => `POST /v1/tracebacks HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${extra}\r\n`;

function expectProblem(raw: string, status: number, code: string) {
  expect(raw, "a response").toMatch(/^HTTP\/1\.1 \d{3} /);
  const res = parse(raw);
  expect(res.status, raw.slice(0, 300)).toBe(status);
  expect(res.headers["content-type"], raw.slice(0, 400)).toBe(PROBLEM);
  expect(res.body).toMatchObject({ status, code, type: `urn:hoptrace:problem:${code}` });
  expect(res.body.request_id).toMatch(/^req_/);
  return res;
}

describe("the body cap, while the body streams", () => {
  it("refuses a 64 MB chunked body after reading at most a little over the cap, and closes", async () => {
    const before = serverSockets.length;
    const memoryBefore = process.memoryUsage();
    const ex = await exchange(postHead("transfer-encoding: chunked\r\n"), chunked(OFFERED));
    const res = expectProblem(ex.response, 413, "payload_too_large");
    expect(res.headers.connection).toBe("close");
    const socket = serverSockets.slice(before).at(-1)!;
    // Headers, the cap, and at most what was already in flight in the last socket reads.
    expect(socket.bytesRead).toBeLessThan(CAP + 256 * 1024);
    expect(ex.bytesSent).toBeLessThan(OFFERED / 4);
    expect(process.memoryUsage().arrayBuffers - memoryBefore.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
  });

  it("answers 413 at once, while the client is still sending and has not finished the body", async () => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    const first = new Promise<string>((resolve) => socket.once("data", (d) => resolve(d.toString("latin1"))));
    socket.write(postHead("transfer-encoding: chunked\r\n"));
    for (const chunk of chunked(CAP + 32_768)) socket.write(chunk);
    // The body's last chunk is never sent: the answer must not wait for it.
    const raw = await Promise.race([first, new Promise<string>((r) => setTimeout(() => r("no answer within 5 s"), 5_000))]);
    socket.destroy();
    expectProblem(raw, 413, "payload_too_large");
  });

  it("refuses a declared Content-Length over the cap before reading the body", async () => {
    const before = serverSockets.length;
    const ex = await exchange(
      postHead(`content-length: ${OFFERED}\r\n`),
      (function* () {
        for (let i = 0; i < OFFERED; i += 65_536) yield Buffer.alloc(65_536, "x");
      })(),
    );
    expectProblem(ex.response, 413, "payload_too_large");
    expect(serverSockets.slice(before).at(-1)!.bytesRead).toBeLessThan(CAP + 256 * 1024);
  });

  it("refuses a body on a GET instead of reading it", async () => {
    const ex = await exchange(`GET /v1/hop-requests HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n`, chunked(4 * 1024 * 1024));
    expectProblem(ex.response, 400, "body_not_allowed");
  });
});

describe("the configured cap", () => {
  it("cannot be raised past what one item holds beside its response", () => {
    const base = {
      TABLE_NAME: "t",
      DELIVERY_QUEUE_URL: "http://127.0.0.1/q",
      PUBLIC_URL: "http://127.0.0.1",
      HUB_KEY_SECRET_ARN: "arn",
      MAIL_FROM: "hub@hoptrace.example",
    };
    expect(loadConfig({ ...base, MAX_BODY_BYTES: "131072" }).MAX_BODY_BYTES).toBe(131_072);
    expect(() => loadConfig({ ...base, MAX_BODY_BYTES: "131073" })).toThrow(/MAX_BODY_BYTES/);
  });
});

describe("what the HTTP parser refuses", () => {
  it("headers over Node's limit are 431 problem details, not an empty 431", async () => {
    const ex = await exchange(`GET /v1/hop-requests HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${"a".repeat(100_000)}\r\n\r\n`, []);
    expectProblem(ex.response, 431, "header_fields_too_large");
  });

  it.each([
    ["a broken request line", () => "GARBAGE\r\n\r\n"],
    ["a bad chunk size", () => `${postHead("transfer-encoding: chunked\r\n")}zz\r\nabc\r\n0\r\n\r\n`],
    ["two Content-Lengths", () => `${postHead("content-length: 2\r\ncontent-length: 3\r\n")}{}`],
    ["a header without a colon", () => "GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nnot a header\r\n\r\n"],
    ["a Host that makes no URL", () => "GET /health HTTP/1.1\r\nhost: 127.0.0.1:notaport\r\n\r\n"],
    ["an HTTP/1.1 request without a Host", () => "GET /health HTTP/1.1\r\n\r\n"],
  ])("%s is 400 problem details", async (_what, raw) => {
    const ex = await exchange(raw(), []);
    expectProblem(ex.response, 400, "malformed_request");
  });
});
