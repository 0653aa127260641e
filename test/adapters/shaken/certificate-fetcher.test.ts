import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCertificateFetcher } from "../../../functions/adapters/shaken/certificate-fetcher.js";
import { fixtureBytes } from "../../support/shaken.js";

const CERT = fixtureBytes("cert-567J.pem");

let server: Server;
let base: string;
const hits = new Map<string, number>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? "/";
  hits.set(path, (hits.get(path) ?? 0) + 1);
  switch (path) {
    case "/cert.pem":
      res.writeHead(200, { "content-type": "application/x-pem-file", "content-length": CERT.byteLength });
      res.end(CERT);
      return;
    case "/redirect":
      res.writeHead(302, { location: "/cert.pem" });
      res.end();
      return;
    case "/big":
      res.writeHead(200, { "content-length": 20 * 1024 });
      res.end(Buffer.alloc(20 * 1024, 0x41));
      return;
    case "/big-chunked":
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(1024, 0x41));
      res.end();
      return;
    case "/slow":
      // Never answers; the client must give up on its own.
      return;
    case "/empty":
      res.writeHead(200, { "content-length": 0 });
      res.end();
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.clear();
});

const allow = async (): Promise<void> => {};

describe("createCertificateFetcher", () => {
  it("fetches a certificate", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    const bytes = await fetchCert(`${base}/cert.pem`);
    expect(bytes && Buffer.from(bytes).equals(Buffer.from(CERT))).toBe(true);
  });

  it("serves repeated requests from the cache until the TTL passes", async () => {
    let clock = 1_000_000;
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true, cacheTtlMs: 60_000, now: () => clock });
    const url = `${base}/cert.pem`;
    const first = await fetchCert(url);
    const second = await fetchCert(url);
    expect(hits.get("/cert.pem")).toBe(1);
    expect(second && Buffer.from(second).equals(Buffer.from(first ?? []))).toBe(true);

    second?.fill(0);
    const third = await fetchCert(url);
    expect(third && Buffer.from(third).equals(Buffer.from(CERT))).toBe(true);

    clock += 60_001;
    await fetchCert(url);
    expect(hits.get("/cert.pem")).toBe(2);
  });

  it("shares one request among concurrent callers", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    const results = await Promise.all([1, 2, 3].map(() => fetchCert(`${base}/cert.pem`)));
    expect(results.every((r) => r?.byteLength === CERT.byteLength)).toBe(true);
    expect(hits.get("/cert.pem")).toBe(1);
  });

  it("does not cache failures", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    expect(await fetchCert(`${base}/missing`)).toBeUndefined();
    expect(await fetchCert(`${base}/missing`)).toBeUndefined();
    expect(hits.get("/missing")).toBe(2);
  });

  it("refuses a redirect without following it", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    expect(await fetchCert(`${base}/redirect`)).toBeUndefined();
    expect(hits.get("/redirect")).toBe(1);
    expect(hits.get("/cert.pem")).toBeUndefined();
  });

  it("refuses a body over the size limit, declared or streamed", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    expect(await fetchCert(`${base}/big`)).toBeUndefined();
    expect(await fetchCert(`${base}/big-chunked`)).toBeUndefined();
    const generous = createCertificateFetcher({ checkUrl: allow, allowHttp: true, maxBytes: 32 * 1024 });
    expect((await generous(`${base}/big-chunked`))?.byteLength).toBe(20 * 1024);
  });

  it("gives up on a server that does not answer", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true, timeoutMs: 200 });
    expect(await fetchCert(`${base}/slow`)).toBeUndefined();
    expect(hits.get("/slow")).toBe(1);
  });

  it("returns undefined for an empty body", async () => {
    const fetchCert = createCertificateFetcher({ checkUrl: allow, allowHttp: true });
    expect(await fetchCert(`${base}/empty`)).toBeUndefined();
  });

  it("asks the guard first and sends nothing when it refuses", async () => {
    const checked: string[] = [];
    const fetchCert = createCertificateFetcher({
      allowHttp: true,
      checkUrl: async (url) => {
        checked.push(url);
        throw new Error("private address");
      },
    });
    expect(await fetchCert(`${base}/cert.pem`)).toBeUndefined();
    expect(checked).toEqual([`${base}/cert.pem`]);
    expect(hits.size).toBe(0);
  });

  it("refuses plain http unless allowed, other schemes and credentials, without asking the guard", async () => {
    let checks = 0;
    const fetchCert = createCertificateFetcher({
      checkUrl: async () => {
        checks++;
      },
    });
    expect(await fetchCert(`${base}/cert.pem`)).toBeUndefined();
    expect(await fetchCert("file:///etc/passwd")).toBeUndefined();
    expect(await fetchCert("not a url")).toBeUndefined();
    const withHttp = createCertificateFetcher({ checkUrl: async () => void checks++, allowHttp: true });
    expect(await withHttp(base.replace("http://", "http://user:pw@") + "/cert.pem")).toBeUndefined();
    expect(checks).toBe(0);
    expect(hits.size).toBe(0);
  });

  it("returns undefined when the injected fetch throws", async () => {
    const fetchCert = createCertificateFetcher({
      checkUrl: allow,
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    });
    expect(await fetchCert("https://cert.example.test/a.pem")).toBeUndefined();
  });
});
