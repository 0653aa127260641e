import "reflect-metadata";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import https from "node:https";
import tls from "node:tls";
import { webcrypto } from "node:crypto";
import type { AddressInfo } from "node:net";
import * as x509 from "@peculiar/x509";
import { sendWebhook } from "../../../functions/adapters/webhooks/http-sender.js";
import type { Resolver } from "../../../functions/adapters/net/ssrf.js";

const HOST = "receiver.hoptrace.invalid";

describe("sendWebhook over https with a pinned address", () => {
  let server: https.Server;
  let port: number;
  const serverNames: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: `CN=${HOST}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3_600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: HOST }])],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString("base64")}\n-----END PRIVATE KEY-----\n`;

    const context = tls.createSecureContext({ key: keyPem, cert: cert.toString("pem") });
    server = https.createServer(
      {
        key: keyPem,
        cert: cert.toString("pem"),
        SNICallback: (servername, callback) => {
          serverNames.push(servername);
          callback(null, context);
        },
      },
      (_req, res) => {
        requests++;
        res.writeHead(200).end();
      },
    );
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends SNI for the original host name and still verifies the certificate", async () => {
    const resolve: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    const result = await sendWebhook({
      url: `https://${HOST}:${port}/cb`,
      headers: {},
      body: "{}",
      policy: { allowLoopback: true, requireHttps: true },
      resolve,
    });
    // The certificate is self-signed and not trusted, so verification must fail
    // after the handshake has reached the pinned server under the right name.
    expect(result).toMatchObject({ outcome: "failed", error: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(requests).toBe(0);
    expect(serverNames).toEqual([HOST]);
  });
});
