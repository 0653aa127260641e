import "reflect-metadata";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { X509Certificate } from "@peculiar/x509";
import type { Finding, FindingCode } from "../../../functions/domain/shaken/findings.js";
import { verifyIdentity, type VerifyContext } from "../../../functions/domain/shaken/verify.js";
import { CALL, X5U, fixtureBytes, fixtureText, makeCertificate, makeRoot, pemBytes, signIdentity, type Issuer } from "../../support/shaken.js";

const fixtureRoot = new X509Certificate(fixtureText("root.pem"));

function fixtureContext(overrides: Partial<VerifyContext> = {}): VerifyContext & { requested: string[] } {
  const requested: string[] = [];
  return {
    ...CALL,
    iatToleranceSeconds: 60,
    trustAnchors: [fixtureRoot],
    getCertificate: async (x5u) => {
      requested.push(x5u);
      const match = /\/(567J|818H)\.pem$/.exec(x5u);
      return match ? fixtureBytes(`cert-${match[1]}.pem`) : undefined;
    },
    requested,
    ...overrides,
  };
}

function codes(findings: Finding[]): FindingCode[] {
  return findings.map((f) => f.code).sort();
}

describe("verifyIdentity with the fixtures", () => {
  it("verifies valid A from 567J against the test root", async () => {
    const ctx = fixtureContext();
    const result = await verifyIdentity(fixtureText("identity-valid-A-567J.txt"), ctx);
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({
      signatureValid: true,
      chainValid: true,
      attest: "A",
      spc: "567J",
      iat: 1717430400,
      origid: "8f3c2a4e-6b1d-4c7e-9a55-2d0b7e1f4c90",
      x5u: "https://cert.example-provider.test/shaken/567J.pem",
    });
    expect(ctx.requested).toEqual(["https://cert.example-provider.test/shaken/567J.pem"]);
    const leaf = new X509Certificate(fixtureText("cert-567J.pem"));
    expect(result.certificateSha256).toBe(createHash("sha256").update(new Uint8Array(leaf.rawData)).digest("hex"));
    expect(new X509Certificate(result.certificatePem ?? "").subject).toBe(leaf.subject);
  });

  it("verifies valid C from 818H", async () => {
    const result = await verifyIdentity(fixtureText("identity-valid-C-818H.txt"), fixtureContext());
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ signatureValid: true, chainValid: true, attest: "C", spc: "818H" });
  });

  it("accepts numbers written with + and separators", async () => {
    const result = await verifyIdentity(
      fixtureText("identity-valid-A-567J.txt"),
      fixtureContext({ callingNumber: "+1 305 555 0123", calledNumber: "+12025550143" }),
    );
    expect(result.findings).toEqual([]);
  });

  it("rejects the tampered calling number: signature invalid and number mismatch", async () => {
    const result = await verifyIdentity(fixtureText("identity-tampered-orig-567J.txt"), fixtureContext());
    expect(result.signatureValid).toBe(false);
    expect(result.chainValid).toBe(true);
    expect(codes(result.findings)).toEqual(["calling_number_mismatch", "invalid_signature"]);
  });

  it("flags info not matching x5u while the signature itself is valid", async () => {
    const ctx = fixtureContext();
    const result = await verifyIdentity(fixtureText("identity-info-mismatch-567J.txt"), ctx);
    expect(codes(result.findings)).toEqual(["info_x5u_mismatch"]);
    expect(result.signatureValid).toBe(true);
    expect(ctx.requested).toEqual(["https://cert.example-provider.test/shaken/567J.pem"]);
  });

  it("reports the wrong called number and a stale iat against the call time, not now", async () => {
    const result = await verifyIdentity(
      fixtureText("identity-valid-A-567J.txt"),
      fixtureContext({ calledNumber: "12025550199", callTime: new Date("2024-06-03T16:05:00Z") }),
    );
    expect(codes(result.findings)).toEqual(["called_number_mismatch", "stale_iat"]);
    expect(result.signatureValid).toBe(true);
  });
});

describe("verifyIdentity with generated certificates", () => {
  async function setup(leafOptions: { spc?: string; notBefore?: Date; notAfter?: Date } = {}) {
    const root = await makeRoot("Generated Root");
    const leaf = await makeCertificate(root, { name: "SHAKEN 999T", spc: "999T", ...leafOptions });
    return { root, leaf };
  }

  function context(anchors: Issuer[], bytes: Uint8Array | undefined): VerifyContext {
    return {
      ...CALL,
      iatToleranceSeconds: 60,
      trustAnchors: anchors.map((a) => a.cert),
      getCertificate: async () => bytes,
    };
  }

  it("verifies a DER certificate", async () => {
    const { root, leaf } = await setup();
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], new Uint8Array(leaf.cert.rawData)));
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ signatureValid: true, chainValid: true, spc: "999T", x5u: X5U });
  });

  it("follows an intermediate supplied in the PEM bundle", async () => {
    const root = await makeRoot("Generated Root");
    const intermediate = await makeCertificate(root, { name: "Generated Intermediate", ca: true });
    const leaf = await makeCertificate(intermediate, { name: "SHAKEN 999T", spc: "999T" });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert, intermediate.cert)));
    expect(result.findings).toEqual([]);
    expect(result.chainValid).toBe(true);
    expect(result.certificatePem?.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);

    const withoutIntermediate = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(codes(withoutIntermediate.findings)).toEqual(["untrusted_chain"]);
  });

  it("refuses a non-CA certificate posing as an intermediate", async () => {
    const root = await makeRoot("Generated Root");
    const fake = await makeCertificate(root, { name: "Not A CA", ca: false });
    const leaf = await makeCertificate(fake, { name: "SHAKEN 999T", spc: "999T" });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert, fake.cert)));
    expect(result.chainValid).toBe(false);
    expect(codes(result.findings)).toEqual(["untrusted_chain"]);
  });

  it("reports a certificate expired at the call time", async () => {
    const { root, leaf } = await setup({
      notBefore: new Date("2023-01-01T00:00:00Z"),
      notAfter: new Date("2024-05-01T00:00:00Z"),
    });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["certificate_expired"]);
    expect(result.signatureValid).toBe(true);
    expect(result.chainValid).toBe(false);
  });

  it("reports a certificate not yet valid at the call time", async () => {
    const { root, leaf } = await setup({ notBefore: new Date("2024-07-01T00:00:00Z") });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["certificate_expired"]);
  });

  it("judges validity at the call time, not now", async () => {
    const { root, leaf } = await setup({
      notBefore: new Date("2024-01-01T00:00:00Z"),
      notAfter: new Date("2024-12-31T00:00:00Z"),
    });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(result.findings).toEqual([]);
    expect(result.chainValid).toBe(true);
  });

  it("reports a certificate signed by an untrusted root", async () => {
    const { leaf } = await setup();
    const trusted = await makeRoot("Generated Root");
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([trusted], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["untrusted_chain"]);
    expect(result.signatureValid).toBe(true);
    expect(result.chainValid).toBe(false);
    expect(result.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports a certificate without TNAuthList", async () => {
    const root = await makeRoot("Generated Root");
    const leaf = await makeCertificate(root, { name: "No SPC" });
    const raw = await signIdentity(leaf.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["missing_tnauthlist"]);
    expect(result.spc).toBeUndefined();
    expect(result.signatureValid).toBe(true);
  });

  it("reports a stale iat and accepts one within tolerance", async () => {
    const { root, leaf } = await setup();
    const callSeconds = Math.floor(CALL.callTime.getTime() / 1000);
    const stale = await signIdentity(leaf.keys.privateKey, { iat: callSeconds - 3600 });
    const staleResult = await verifyIdentity(stale, context([root], pemBytes(leaf.cert)));
    expect(codes(staleResult.findings)).toEqual(["stale_iat"]);
    expect(staleResult.iat).toBe(callSeconds - 3600);

    const close = await signIdentity(leaf.keys.privateKey, { iat: callSeconds + 60 });
    expect((await verifyIdentity(close, context([root], pemBytes(leaf.cert)))).findings).toEqual([]);
  });

  it("reports a certificate port returning nothing, throwing, or returning junk", async () => {
    const { root, leaf } = await setup();
    const raw = await signIdentity(leaf.keys.privateKey);
    const nothing = await verifyIdentity(raw, context([root], undefined));
    expect(codes(nothing.findings)).toEqual(["certificate_unavailable"]);
    expect(nothing).toMatchObject({ signatureValid: false, chainValid: false, attest: "A", x5u: X5U });

    const throwing = await verifyIdentity(raw, {
      ...context([root], undefined),
      getCertificate: async () => {
        throw new Error("network down");
      },
    });
    expect(codes(throwing.findings)).toEqual(["certificate_unavailable"]);

    const junk = await verifyIdentity(raw, context([root], new TextEncoder().encode("<html>not found</html>")));
    expect(codes(junk.findings)).toEqual(["certificate_unavailable"]);
  });

  it("reports a signature by another key than the certificate's", async () => {
    const { root, leaf } = await setup();
    const other = await makeCertificate(root, { name: "Other", spc: "111A" });
    const raw = await signIdentity(other.keys.privateKey);
    const result = await verifyIdentity(raw, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["invalid_signature"]);
    expect(result.chainValid).toBe(true);
  });

  it("reports an alg other than ES256 without trying the signature", async () => {
    const { root, leaf } = await setup();
    const raw = await signIdentity(leaf.keys.privateKey);
    const [compact = "", params = ""] = raw.split(/;(.*)/s);
    const [, payload, signature] = compact.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "RS256", ppt: "shaken", typ: "passport", x5u: X5U })).toString("base64url");
    const result = await verifyIdentity(`${header}.${payload}.${signature};${params}`, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["unsupported_alg"]);
    expect(result.signatureValid).toBe(false);
  });

  it("reports a missing info parameter", async () => {
    const { root, leaf } = await setup();
    const raw = await signIdentity(leaf.keys.privateKey);
    const compactOnly = raw.split(";")[0] ?? "";
    const result = await verifyIdentity(compactOnly, context([root], pemBytes(leaf.cert)));
    expect(codes(result.findings)).toEqual(["info_x5u_mismatch"]);
    expect(result.signatureValid).toBe(true);
  });

  it("never throws on malformed input and does not fetch", async () => {
    let fetched = 0;
    const ctx: VerifyContext = {
      ...CALL,
      iatToleranceSeconds: 60,
      trustAnchors: [],
      getCertificate: async () => {
        fetched++;
        return undefined;
      },
    };
    for (const raw of ["", "a.b.c", "%%%", "x".repeat(20000)]) {
      const result = await verifyIdentity(raw, ctx);
      expect(result.signatureValid).toBe(false);
      expect(result.chainValid).toBe(false);
      expect(codes(result.findings)).toEqual(["malformed_identity"]);
    }
    expect(fetched).toBe(0);
  });
});
