import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedFetch } from "../../../functions/adapters/net/pinned-fetch.js";
import { createCertificateFetcher } from "../../../functions/adapters/shaken/certificate-fetcher.js";

describe("pinnedFetch, for x5u certificate downloads", () => {
  let server: Server;
  let port: number;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === "/moved") {
        res.writeHead(302, { location: "http://127.0.0.1/secret" });
        return res.end();
      }
      res.writeHead(200, { "content-type": "application/pem-certificate-chain" });
      res.end("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const loopbackOnly = { allowLoopback: true, requireHttps: false };
  const resolveTo = (address: string) => async () => [{ address, family: 4 as const }];

  it("connects to the checked address under the original host name", async () => {
    const res = await pinnedFetch(loopbackOnly, resolveTo("127.0.0.1"))(`http://certs.example.test:${port}/567J.pem`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("BEGIN CERTIFICATE");
    expect(seen.at(-1)!.host).toBe(`certs.example.test:${port}`);
  });

  it("refuses a name that resolves to a private address, before connecting", async () => {
    const before = seen.length;
    await expect(pinnedFetch(loopbackOnly, resolveTo("10.1.2.3"))(`http://certs.example.test:${port}/x.pem`)).rejects.toThrow(/forbidden_address/);
    await expect(pinnedFetch({ allowLoopback: false, requireHttps: false }, resolveTo("127.0.0.1"))(`http://certs.example.test:${port}/x.pem`)).rejects.toThrow(
      /refused/,
    );
    expect(seen.length).toBe(before);
  });

  it("returns redirects unfollowed, and the certificate fetcher treats them as unavailable", async () => {
    const res = await pinnedFetch(loopbackOnly, resolveTo("127.0.0.1"))(`http://certs.example.test:${port}/moved`);
    expect(res.status).toBe(302);
    const fetcher = createCertificateFetcher({ checkUrl: async () => undefined, fetch: pinnedFetch(loopbackOnly, resolveTo("127.0.0.1")), allowHttp: true });
    expect(await fetcher(`http://certs.example.test:${port}/moved`)).toBeUndefined();
    expect(Buffer.from((await fetcher(`http://certs.example.test:${port}/567J.pem`))!).toString()).toContain("BEGIN CERTIFICATE");
  });
});
