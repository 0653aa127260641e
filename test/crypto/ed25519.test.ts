import { createPublicKey, sign } from "node:crypto";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { describe, expect, it } from "vitest";
import { isStrictPointEncoding, verifyStrict } from "../../functions/crypto/ed25519.js";
import { verifySignatureBase } from "../../functions/crypto/httpsig.js";
import { generateSigningKey, importPrivateJwk, importPublicJwk } from "../../functions/crypto/keys.js";
import { nonCanonicalKeys } from "../support/weak-keys.js";

const hex = (s: string) => Buffer.from(s, "hex");
const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const L = ed25519.Point.Fn.ORDER;

/** RFC 8032 section 7.1, Ed25519: TEST 1, 2, 3 and SHA(abc). */
const RFC8032 = [
  {
    name: "TEST 1",
    secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2",
    secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3",
    secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "TEST SHA(abc)",
    secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

/** A KeyObject for any 32 bytes, the way Node alone imports them (no strength check). */
const rawPublicKey = (bytes: Uint8Array) => createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64u(bytes) }, format: "jwk" });

describe("RFC 8032 test vectors", () => {
  it.each(RFC8032)("$name: the key imports, signs the vector's signature and verifies it strictly", (v) => {
    const publicKey = importPublicJwk({ kty: "OKP", crv: "Ed25519", x: b64u(hex(v.public)) });
    const privateKey = importPrivateJwk({ kty: "OKP", crv: "Ed25519", x: b64u(hex(v.public)), d: b64u(hex(v.secret)) });
    expect(sign(null, hex(v.message), privateKey).toString("hex")).toBe(v.signature);
    expect(verifyStrict(hex(v.message), hex(v.signature), publicKey)).toBe(true);
    // Any other message, or a flipped bit of the signature, fails.
    expect(verifyStrict(Buffer.concat([hex(v.message), Buffer.from([0])]), hex(v.signature), publicKey)).toBe(false);
    const flipped = hex(v.signature);
    flipped[10] = flipped[10]! ^ 1;
    expect(verifyStrict(hex(v.message), flipped, publicKey)).toBe(false);
  });
});

describe("verifyStrict", () => {
  it("refuses S + L, the second spelling of a valid signature", async () => {
    const key = await generateSigningKey();
    const message = Buffer.from("once only");
    const signature = sign(null, message, key.privateKey);
    expect(verifyStrict(message, signature, key.publicKey)).toBe(true);
    const s = bytesToNumberLE(signature.subarray(32));
    const malleated = Buffer.concat([signature.subarray(0, 32), numberToBytesLE(s + L, 32)]);
    expect(verifyStrict(message, malleated, key.publicKey)).toBe(false);
    const sIsL = Buffer.concat([signature.subarray(0, 32), numberToBytesLE(L, 32)]);
    expect(verifyStrict(message, sIsL, key.publicKey)).toBe(false);
  });

  it("refuses the universal forgeries that Node's verify accepts for small-order keys", () => {
    const base = ed25519.Point.BASE.toBytes();
    const identity = hex(ED25519_TORSION_SUBGROUP[0]!);
    const forgeries = [
      // A = identity: R = [S]B verifies for every message (R = B, S = 1).
      { key: identity, signature: Buffer.concat([base, numberToBytesLE(1n, 32)]) },
      // R = identity, S = 0: the identity equation holds whatever the message.
      { key: identity, signature: Buffer.concat([identity, numberToBytesLE(0n, 32)]) },
    ];
    for (const message of ["answer hop 1", "plant a key"]) {
      for (const { key, signature } of forgeries) {
        const keyObject = rawPublicKey(key);
        expect(verifySignatureBase(message, signature, keyObject), message).toBe(false);
        expect(verifyStrict(Buffer.from(message), signature, keyObject)).toBe(false);
      }
    }
  });

  it("refuses a signature of the wrong length or by a private key object", async () => {
    const key = await generateSigningKey();
    const signature = sign(null, Buffer.from("m"), key.privateKey);
    expect(verifyStrict(Buffer.from("m"), signature.subarray(0, 63), key.publicKey)).toBe(false);
    expect(verifyStrict(Buffer.from("m"), Buffer.concat([signature, Buffer.from([0])]), key.publicKey)).toBe(false);
    expect(verifyStrict(Buffer.from("m"), signature, key.privateKey)).toBe(false);
  });
});

describe("isStrictPointEncoding", () => {
  it("refuses the eight small-order points, their sign-bit variants and every non-canonical encoding", () => {
    for (const encoding of ED25519_TORSION_SUBGROUP) expect(isStrictPointEncoding(hex(encoding)), encoding).toBe(false);
    const identityWithSign = hex(ED25519_TORSION_SUBGROUP[0]!);
    identityWithSign[31] = 0x80;
    expect(isStrictPointEncoding(identityWithSign)).toBe(false);
    const nonCanonical = nonCanonicalKeys();
    expect(nonCanonical.length).toBeGreaterThan(10);
    for (const { name, x } of nonCanonical) expect(isStrictPointEncoding(Buffer.from(x, "base64url")), name).toBe(false);
  });

  it("accepts ordinary public keys and signature R values", async () => {
    const key = await generateSigningKey();
    expect(isStrictPointEncoding(Buffer.from(key.publicJwk.x, "base64url"))).toBe(true);
    expect(isStrictPointEncoding(sign(null, Buffer.from("m"), key.privateKey).subarray(0, 32))).toBe(true);
    expect(isStrictPointEncoding(ed25519.Point.BASE.toBytes())).toBe(true);
  });
});
