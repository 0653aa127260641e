import { describe, expect, it } from "vitest";
import { contentDigest, verifyContentDigest } from "../../../openapi/client/content-digest.js";

// RFC 9530 examples use the body {"hello": "world"} without a trailing newline.
const BODY = '{"hello": "world"}';
const SHA256 = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
const SHA512 = "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";

describe("contentDigest", () => {
  it("matches the RFC 9530 sha-256 example", () => {
    expect(contentDigest(BODY)).toBe(`sha-256=:${SHA256}:`);
    expect(contentDigest(BODY, "sha-256")).toBe(`sha-256=:${SHA256}:`);
  });

  it("matches the RFC 9530 sha-512 example", () => {
    expect(contentDigest(BODY, "sha-512")).toBe(`sha-512=:${SHA512}:`);
  });

  it("hashes bytes and strings alike", () => {
    expect(contentDigest(new TextEncoder().encode(BODY))).toBe(contentDigest(BODY));
  });
});

describe("verifyContentDigest", () => {
  it("accepts the RFC examples", () => {
    expect(verifyContentDigest(`sha-256=:${SHA256}:`, BODY)).toBe(true);
    expect(verifyContentDigest(`sha-512=:${SHA512}:`, BODY)).toBe(true);
    expect(verifyContentDigest(`sha-256=:${SHA256}:, sha-512=:${SHA512}:`, BODY)).toBe(true);
    expect(verifyContentDigest(`sha-512=:${SHA512}:`, Buffer.from(BODY))).toBe(true);
  });

  it("refuses a tampered body", () => {
    expect(verifyContentDigest(`sha-256=:${SHA256}:`, '{"hello": "World"}')).toBe(false);
    expect(verifyContentDigest(`sha-256=:${SHA256}:`, `${BODY}\n`)).toBe(false);
    expect(verifyContentDigest(`sha-512=:${SHA512}:`, "")).toBe(false);
  });

  it("refuses when any known algorithm disagrees", () => {
    const wrong256 = contentDigest("other").slice("sha-256=".length);
    expect(verifyContentDigest(`sha-256=${wrong256}, sha-512=:${SHA512}:`, BODY)).toBe(false);
  });

  it("ignores unknown algorithms but needs at least one known", () => {
    expect(verifyContentDigest(`md5=:AAAA:, sha-256=:${SHA256}:`, BODY)).toBe(true);
    expect(verifyContentDigest("unixsum=:AAAA:", BODY)).toBe(false);
    expect(verifyContentDigest("", BODY)).toBe(false);
  });

  it("returns false for malformed headers without throwing", () => {
    for (const header of [
      `sha-256=${SHA256}`,
      `sha-256="${SHA256}"`,
      `SHA-256=:${SHA256}:`,
      `sha-256=:${SHA256}`,
      "sha-256=:not base64!:",
      `sha-256=(:${SHA256}:)`,
      "sha-256=:AAAA:",
      "sha-256",
      ",,,",
      "\u0000",
    ]) {
      expect(verifyContentDigest(header, BODY), header).toBe(false);
    }
  });
});
