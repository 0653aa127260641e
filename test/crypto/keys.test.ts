import { calculateJwkThumbprint } from "jose";
import { sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { exportPublicJwk, generateSigningKey, importPrivateJwk, importPublicJwk, InvalidKeyError, jwkThumbprint } from "../../functions/crypto/keys.js";
import { ALL_ZERO_X, IDENTITY_X, mixedOrderKeys, nonCanonicalKeys, SMALL_ORDER_KEYS, weakKeys } from "../support/weak-keys.js";

function refusal(jwk: unknown): InvalidKeyError {
  try {
    importPublicJwk(jwk);
  } catch (error) {
    if (error instanceof InvalidKeyError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(jwk)}`);
}

describe("generateSigningKey", () => {
  it("returns a usable Ed25519 pair whose kid is the thumbprint of its public JWK", async () => {
    const key = await generateSigningKey();
    expect(key.publicJwk).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(key.privateJwk).toEqual({ ...key.publicJwk, d: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(key.kid).toBe(await jwkThumbprint(key.publicJwk));
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const message = Buffer.from("hello");
    const signature = sign(null, message, importPrivateJwk(key.privateJwk));
    expect(verify(null, message, importPublicJwk(key.publicJwk), signature)).toBe(true);
    expect(verify(null, message, key.publicKey, sign(null, message, key.privateKey))).toBe(true);
    expect(exportPublicJwk(key.privateKey)).toEqual(key.publicJwk);
  });

  it("gives different keys each time", async () => {
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    expect(a.kid).not.toBe(b.kid);
  });
});

describe("importPublicJwk", () => {
  it("ignores metadata members such as kid and use", async () => {
    const { publicJwk, publicKey } = await generateSigningKey();
    expect(importPublicJwk({ ...publicJwk, kid: "mine", use: "sig" }).equals(publicKey)).toBe(true);
  });

  it("refuses anything but a public Ed25519 JWK, with code invalid_key", async () => {
    const { publicJwk, privateJwk } = await generateSigningKey();
    const bad: unknown[] = [
      null,
      "key",
      [publicJwk],
      privateJwk,
      { ...publicJwk, d: undefined },
      { ...publicJwk, kty: "EC" },
      { ...publicJwk, crv: "X25519" },
      { ...publicJwk, crv: "Ed448" },
      { kty: "OKP", crv: "Ed25519" },
      { ...publicJwk, x: publicJwk.x.slice(1) },
      { ...publicJwk, x: `${publicJwk.x}A` },
      { ...publicJwk, x: Buffer.from(publicJwk.x, "base64url").toString("base64").replace(/=+$/, "") + "+" },
      { ...publicJwk, x: 42 },
      { kty: "RSA", n: "AQAB", e: "AQAB" },
    ];
    for (const jwk of bad) {
      let caught: unknown;
      try {
        importPublicJwk(jwk);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(jwk)).toBeInstanceOf(InvalidKeyError);
      expect((caught as InvalidKeyError).code).toBe("invalid_key");
    }
  });
});

describe("importPublicJwk refuses keys anyone could sign for, with code weak_key", () => {
  it("the eight points of small order, the identity and the all-zero x among them", () => {
    expect(SMALL_ORDER_KEYS.map((k) => k.x)).toEqual(expect.arrayContaining([IDENTITY_X, ALL_ZERO_X]));
    for (const { name, x } of SMALL_ORDER_KEYS) {
      expect(refusal({ kty: "OKP", crv: "Ed25519", x }).code, name).toBe("weak_key");
    }
  });

  it("non-canonical encodings: y >= p, and the sign bit set for x = 0", () => {
    for (const { name, x } of nonCanonicalKeys()) {
      expect(refusal({ kty: "OKP", crv: "Ed25519", x }).code, name).toBe("weak_key");
    }
  });

  it("points with a torsion component (mixed order)", async () => {
    const { publicJwk } = await generateSigningKey();
    for (const { name, x } of mixedOrderKeys(publicJwk.x)) {
      expect(refusal({ kty: "OKP", crv: "Ed25519", x }).code, name).toBe("weak_key");
    }
  });

  it("every time, not only the first (the cache holds only keys that passed)", async () => {
    const { publicJwk } = await generateSigningKey();
    for (const { x } of weakKeys(publicJwk.x)) {
      refusal({ kty: "OKP", crv: "Ed25519", x });
      expect(refusal({ kty: "OKP", crv: "Ed25519", x }).code).toBe("weak_key");
    }
    expect(importPublicJwk(publicJwk)).toBe(importPublicJwk({ ...publicJwk }));
  });

  it("32 bytes that are no point at all are invalid_key", () => {
    expect(refusal({ kty: "OKP", crv: "Ed25519", x: "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }).code).toBe("invalid_key");
  });
});

describe("importPrivateJwk", () => {
  it("refuses a private key whose x does not match d", async () => {
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    expect(() => importPrivateJwk({ ...a.privateJwk, x: b.publicJwk.x })).toThrow(InvalidKeyError);
    expect(() => importPrivateJwk(a.publicJwk)).toThrow(InvalidKeyError);
    expect(() => importPrivateJwk({ ...a.privateJwk, d: "short" })).toThrow(InvalidKeyError);
  });
});

describe("jwkThumbprint", () => {
  it("is RFC 7638's, as RFC 8037 appendix A.3 computes it for its Ed25519 key", async () => {
    expect(await jwkThumbprint({ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" })).toBe(
      "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    );
    const { publicJwk } = await generateSigningKey();
    expect(await jwkThumbprint(publicJwk)).toBe(await calculateJwkThumbprint(publicJwk, "sha256"));
  });

  it("depends only on the required members", async () => {
    const { publicJwk, kid } = await generateSigningKey();
    const withExtras = { ...publicJwk, kid: "x", use: "sig" } as typeof publicJwk;
    expect(await jwkThumbprint(withExtras)).toBe(kid);
  });
});
