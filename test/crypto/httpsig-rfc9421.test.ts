import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureBase, signMessage, verifyMessage, verifySignatureBase, messageFromHeaders } from "../../functions/crypto/httpsig.js";
import { importPrivateJwk, importPublicJwk, jwkThumbprint } from "../../functions/crypto/keys.js";

// RFC 9421 Appendix B.1.4, test-key-ed25519.
const RFC_PUBLIC_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
`;
const RFC_PRIVATE_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
const RFC_JWK = {
  kty: "OKP",
  crv: "Ed25519",
  kid: "test-key-ed25519",
  x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs",
} as const;
const RFC_PRIVATE_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";

// RFC 9421 Appendix B.2, the test request.
const TEST_REQUEST = {
  method: "POST",
  targetUri: "https://example.com/foo?param=Value&Pet=dog",
  headers: {
    Host: "example.com",
    Date: "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length": "18",
  },
};

// RFC 9421 Appendix B.2.6, with the RFC 8792 line wrapping undone.
const B26_COMPONENTS = ["date", "@method", "@path", "@authority", "content-type", "content-length"];
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join("\n");
const B26_SIGNATURE_INPUT = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE_B64 = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
const B26_SIGNATURE = `sig-b26=:${B26_SIGNATURE_B64}:`;
const B26_PARAMS = { created: 1618884473, keyid: "test-key-ed25519" };

describe("RFC 9421 Appendix B.2.6 (ed25519)", () => {
  const publicKey = createPublicKey(RFC_PUBLIC_PEM);

  it("rebuilds the RFC's signature base byte for byte", () => {
    const base = signatureBase(B26_COMPONENTS, B26_PARAMS, messageFromHeaders(TEST_REQUEST));
    expect(base).toBe(B26_BASE);
  });

  it("verifies the RFC's signature with the RFC's public key", () => {
    expect(verifySignatureBase(B26_BASE, Buffer.from(B26_SIGNATURE_B64, "base64"), publicKey)).toBe(true);
  });

  it("refuses the RFC's signature over a changed base", () => {
    const changed = B26_BASE.replace("/foo", "/bar");
    expect(verifySignatureBase(changed, Buffer.from(B26_SIGNATURE_B64, "base64"), publicKey)).toBe(false);
  });

  it("produces the RFC's Signature-Input and Signature with the RFC's private key", () => {
    // Ed25519 is deterministic, so signing the same base must give the published bytes.
    const signed = signMessage({
      label: "sig-b26",
      components: B26_COMPONENTS,
      params: B26_PARAMS,
      privateKey: createPrivateKey(RFC_PRIVATE_PEM),
      message: messageFromHeaders(TEST_REQUEST),
    });
    expect(signed.signatureInput).toBe(B26_SIGNATURE_INPUT);
    expect(signed.signature).toBe(B26_SIGNATURE);
  });

  it("verifies the RFC's signed request end to end", async () => {
    const message = messageFromHeaders({
      ...TEST_REQUEST,
      headers: { ...TEST_REQUEST.headers, "Signature-Input": B26_SIGNATURE_INPUT, Signature: B26_SIGNATURE },
    });
    const result = await verifyMessage({
      message,
      label: "sig-b26",
      resolveKey: async (keyid) => (keyid === "test-key-ed25519" ? publicKey : undefined),
      now: 1618884473 + 30,
      maxSkewSeconds: 60,
      maxLifetimeSeconds: 300,
      requiredComponents: ["@method", "@path", "@authority"],
    });
    expect(result).toMatchObject({ ok: true, keyid: "test-key-ed25519", label: "sig-b26", signatureBase: B26_BASE });
    expect(result.ok && Buffer.from(result.signature).toString("base64")).toBe(B26_SIGNATURE_B64);
  });

  it("imports the RFC's JWK as the same key as its PEM", async () => {
    const fromJwk = importPublicJwk(RFC_JWK);
    expect(fromJwk.equals(publicKey)).toBe(true);
    expect(verifySignatureBase(B26_BASE, Buffer.from(B26_SIGNATURE_B64, "base64"), fromJwk)).toBe(true);
    const privateKey = importPrivateJwk({ kty: "OKP", crv: "Ed25519", x: RFC_JWK.x, d: RFC_PRIVATE_D });
    expect(privateKey.equals(createPrivateKey(RFC_PRIVATE_PEM))).toBe(true);
  });

  it("computes the RFC 7638 thumbprint other implementations publish for this key", async () => {
    expect(await jwkThumbprint({ kty: "OKP", crv: "Ed25519", x: RFC_JWK.x })).toBe("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U");
  });
});
