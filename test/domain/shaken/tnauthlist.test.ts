import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { X509Certificate } from "@peculiar/x509";
import { decodeTnAuthListSpc, readSpc } from "../../../functions/domain/shaken/tnauthlist.js";
import { fixtureText, makeCertificate, makeRoot } from "../../support/shaken.js";

const SPC_567J = [0x30, 0x08, 0xa0, 0x06, 0x16, 0x04, 0x35, 0x36, 0x37, 0x4a];

describe("decodeTnAuthListSpc", () => {
  it("decodes the documented DER", () => {
    expect(decodeTnAuthListSpc(new Uint8Array(SPC_567J))).toBe("567J");
  });

  it("skips telephone-number entries before the SPC and accepts long-form lengths", () => {
    const range = [0xa1, 0x03, 0x02, 0x01, 0x05];
    const spc = [0xa0, 0x81, 0x06, 0x16, 0x04, 0x38, 0x31, 0x38, 0x48];
    const body = [...range, ...spc];
    expect(decodeTnAuthListSpc(new Uint8Array([0x30, 0x81, body.length, ...body]))).toBe("818H");
  });

  it("accepts the implicitly tagged form", () => {
    expect(decodeTnAuthListSpc(new Uint8Array([0x30, 0x06, 0x80, 0x04, 0x35, 0x36, 0x37, 0x4a]))).toBe("567J");
  });

  it.each([
    ["empty", []],
    ["truncated", SPC_567J.slice(0, 7)],
    ["trailing bytes", [...SPC_567J, 0x00]],
    ["not a sequence", [0x31, ...SPC_567J.slice(1)]],
    ["inner length past the end", [0x30, 0x08, 0xa0, 0x06, 0x16, 0x09, 0x35, 0x36, 0x37, 0x4a]],
    ["inner not IA5String", [0x30, 0x08, 0xa0, 0x06, 0x0c, 0x04, 0x35, 0x36, 0x37, 0x4a]],
    ["control characters", [0x30, 0x08, 0xa0, 0x06, 0x16, 0x04, 0x35, 0x00, 0x37, 0x4a]],
    ["empty SPC", [0x30, 0x04, 0xa0, 0x02, 0x16, 0x00]],
    ["only a number entry", [0x30, 0x05, 0xa2, 0x03, 0x16, 0x01, 0x31]],
    ["indefinite length", [0x30, 0x80, 0xa0, 0x06, 0x16, 0x04, 0x35, 0x36, 0x37, 0x4a, 0x00, 0x00]],
    ["huge length", [0x30, 0x84, 0xff, 0xff, 0xff, 0xff]],
  ])("returns undefined for %s", (_label, bytes) => {
    expect(decodeTnAuthListSpc(new Uint8Array(bytes))).toBeUndefined();
  });
});

describe("readSpc", () => {
  it("reads the SPCs of the fixture certificates", () => {
    expect(readSpc(new X509Certificate(fixtureText("cert-567J.pem")))).toBe("567J");
    expect(readSpc(new X509Certificate(fixtureText("cert-818H.pem")))).toBe("818H");
  });

  it("returns undefined for a certificate without TNAuthList", async () => {
    expect(readSpc(new X509Certificate(fixtureText("root.pem")))).toBeUndefined();
    const root = await makeRoot("Test Root");
    const leaf = await makeCertificate(root, { name: "no spc" });
    expect(readSpc(leaf.cert)).toBeUndefined();
  });
});
