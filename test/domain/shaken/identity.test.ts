import { describe, expect, it } from "vitest";
import { parseIdentityHeader } from "../../../functions/domain/shaken/identity.js";
import { fixtureText } from "../../support/shaken.js";

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

const HEADER = { alg: "ES256", ppt: "shaken", typ: "passport", x5u: "https://cert.example.test/a.pem" };
const CLAIMS = { attest: "B", dest: { tn: ["12025550143"] }, iat: 1717430400, orig: { tn: "13055550123" }, origid: "abc" };
const COMPACT = `${b64(HEADER)}.${b64(CLAIMS)}.c2lnbmF0dXJl`;

describe("parseIdentityHeader", () => {
  it("parses the valid A fixture", () => {
    const raw = fixtureText("identity-valid-A-567J.txt");
    const parsed = parseIdentityHeader(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
    expect(parsed.raw).toBe(raw);
    expect(parsed.compact.split(".")).toHaveLength(3);
    expect(parsed.params).toEqual({ info: "https://cert.example-provider.test/shaken/567J.pem", alg: "ES256", ppt: "shaken" });
    expect(parsed.header).toEqual({
      alg: "ES256",
      typ: "passport",
      ppt: "shaken",
      x5u: "https://cert.example-provider.test/shaken/567J.pem",
    });
    expect(parsed.claims).toEqual({
      attest: "A",
      orig: { tn: "13055550123" },
      dest: { tn: ["12025550143"] },
      iat: 1717430400,
      origid: "8f3c2a4e-6b1d-4c7e-9a55-2d0b7e1f4c90",
    });
    expect(parsed.findings).toEqual([]);
  });

  it("accepts surrounding whitespace, reordered parameters, spaces around separators and a header name", () => {
    const parsed = parseIdentityHeader(`  Identity: ${COMPACT} ; ppt = "shaken" ;ALG=ES256; info = <https://cert.example.test/a.pem> \r\n`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
    expect(parsed.compact).toBe(COMPACT);
    expect(parsed.params).toEqual({ info: "https://cert.example.test/a.pem", alg: "ES256", ppt: "shaken" });
    expect(parsed.claims.attest).toBe("B");
  });

  it("keeps a semicolon inside the info URI", () => {
    const parsed = parseIdentityHeader(`${COMPACT};info=<https://cert.example.test/a.pem;v=2>;alg=ES256`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
    expect(parsed.params.info).toBe("https://cert.example.test/a.pem;v=2");
    expect(parsed.params.alg).toBe("ES256");
  });

  it("accepts a header without parameters", () => {
    const parsed = parseIdentityHeader(COMPACT);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.params).toEqual({});
  });

  it("reads a single-string dest.tn as a list", () => {
    const parsed = parseIdentityHeader(`${b64(HEADER)}.${b64({ ...CLAIMS, dest: { tn: "12025550143" } })}.c2ln`);
    expect(parsed.ok && parsed.claims.dest).toEqual({ tn: ["12025550143"] });
  });

  it("keeps going on an unknown attestation level and a non-shaken ppt, noting both", () => {
    const parsed = parseIdentityHeader(`${b64({ ...HEADER, ppt: "div" })}.${b64({ ...CLAIMS, attest: "D" })}.c2ln`);
    if (!parsed.ok) throw new Error("expected a parse");
    expect(parsed.claims.attest).toBeUndefined();
    expect(parsed.findings.map((f) => [f.code, f.severity])).toEqual([
      ["malformed_identity", "warning"],
      ["malformed_identity", "warning"],
    ]);
  });

  it.each([
    ["empty", ""],
    ["two segments", `${b64(HEADER)}.${b64(CLAIMS)}`],
    ["four segments", `${COMPACT}.x`],
    ["compact form without claims", `${b64(HEADER)}..c2ln`],
    ["header not JSON", `bm90IGpzb24.${b64(CLAIMS)}.c2ln`],
    ["header a JSON array", `${b64([1])}.${b64(CLAIMS)}.c2ln`],
    ["claims not base64url", `${b64(HEADER)}.***.c2ln`],
    ["no x5u", `${b64({ alg: "ES256" })}.${b64(CLAIMS)}.c2ln`],
    ["no alg", `${b64({ x5u: "https://a" })}.${b64(CLAIMS)}.c2ln`],
    ["unterminated info", `${COMPACT};info=<https://cert.example.test/a.pem`],
    ["unterminated quote", `${COMPACT};ppt="shaken`],
    ["garbage after compact", `${COMPACT} junk`],
  ])("rejects %s as malformed_identity", (_label, raw) => {
    const parsed = parseIdentityHeader(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.findings).toHaveLength(1);
      expect(parsed.findings[0]).toMatchObject({ code: "malformed_identity", severity: "critical" });
    }
  });

  it.each([1e300, -1e127, 1e-200, 2 ** 53, 1717430400.5, "1717430400", null])("takes no iat of %j, noting it as malformed", (iat) => {
    const parsed = parseIdentityHeader(`${b64(HEADER)}.${b64({ ...CLAIMS, iat })}.c2ln`);
    if (!parsed.ok) throw new Error("expected a parse");
    expect(parsed.claims.iat).toBeUndefined();
    expect(parsed.findings.map((f) => f.code)).toEqual(["malformed_identity"]);
  });

  it("does not throw on a non-string input", () => {
    expect(parseIdentityHeader(42 as unknown as string).ok).toBe(false);
  });
});
