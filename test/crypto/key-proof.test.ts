import { createPublicKey, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyProofStatement, signKeyProof, verifyKeyProof } from "../../functions/crypto/key-proof.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { EXAMPLE_ACCOUNT_ID, EXAMPLE_PROOF } from "../../functions/http/schemas/accounts.js";
import { keyProof } from "../../openapi/client/registration.js";
import { EXAMPLE_HUB_JWK, EXAMPLE_HUB_KID } from "../../functions/http/schemas/webhook-examples.js";

const ACCOUNT = "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same 64 bytes spelled with one of the last character's four unused bits set. */
function withTrailingBitSet(proof: string): string {
  return proof.slice(0, 85) + BASE64URL[BASE64URL.indexOf(proof[85]!) | 1];
}

describe("key proofs", () => {
  it("sign exactly `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>` in UTF-8, without a final newline", async () => {
    const key = await generateSigningKey();
    const statement = keyProofStatement(ACCOUNT, key.kid);
    expect(statement).toBe(`hoptrace-key-proof-v1\n${ACCOUNT}\n${key.kid}`);
    const proof = keyProof({ privateKey: key.privateKey, keyId: key.kid }, ACCOUNT);
    // Any Ed25519 signer over those bytes makes the same proof (Ed25519 is deterministic).
    expect(proof).toBe(sign(null, Buffer.from(`hoptrace-key-proof-v1\n${ACCOUNT}\n${key.kid}`, "utf8"), key.privateKey).toString("base64url"));
    expect(proof).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyKeyProof(key.publicKey, ACCOUNT, key.kid, proof)).toBe(true);
  });

  it("name one account and one key", async () => {
    const [key, other] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    const proof = signKeyProof(key.privateKey, ACCOUNT, key.kid);
    expect(verifyKeyProof(key.publicKey, "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5", key.kid, proof)).toBe(false);
    expect(verifyKeyProof(key.publicKey, ACCOUNT, other.kid, proof)).toBe(false);
    expect(verifyKeyProof(other.publicKey, ACCOUNT, key.kid, proof)).toBe(false);
  });

  it("have one spelling: unpadded base64url with zero trailing bits", async () => {
    const key = await generateSigningKey();
    const proof = signKeyProof(key.privateKey, ACCOUNT, key.kid);
    const bytes = Buffer.from(proof, "base64url");
    expect(Buffer.from(withTrailingBitSet(proof), "base64url")).toEqual(bytes);
    for (const spelling of [bytes.toString("base64"), `${proof}==`, withTrailingBitSet(proof), proof.slice(1), ""]) {
      expect(verifyKeyProof(key.publicKey, ACCOUNT, key.kid, spelling), spelling).toBe(false);
    }
  });

  it("the contract's example proof is real, by RFC 9421's published test key", () => {
    const { d: _d, ...publicJwk } = EXAMPLE_HUB_JWK;
    expect(verifyKeyProof(createPublicKey({ key: publicJwk, format: "jwk" }), EXAMPLE_ACCOUNT_ID, EXAMPLE_HUB_KID, EXAMPLE_PROOF)).toBe(true);
  });
});
