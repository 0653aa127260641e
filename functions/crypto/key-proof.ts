/**
 * Proof of possession of a signing key: an Ed25519 signature by the key over a statement naming
 * the account it is registered to and the key itself. Nobody can register a key they do not hold,
 * and a proof made for one account registers the key to no other.
 */
import { sign, type KeyObject } from "node:crypto";
import { verifyStrict } from "./ed25519.js";
import { KEY_PROOF_PATTERN, keyProofStatement } from "./key-proof-statement.js";

export { KEY_PROOF_CONTEXT, KEY_PROOF_PATTERN, keyProofStatement } from "./key-proof-statement.js";

const statementBytes = (accountId: string, keyId: string) => Buffer.from(keyProofStatement(accountId, keyId), "utf8");

export function signKeyProof(privateKey: KeyObject, accountId: string, keyId: string): string {
  return sign(null, statementBytes(accountId, keyId), privateKey).toString("base64url");
}

export function verifyKeyProof(publicKey: KeyObject, accountId: string, keyId: string, proof: string): boolean {
  if (!KEY_PROOF_PATTERN.test(proof)) return false;
  const signature = Buffer.from(proof, "base64url");
  // One spelling per signature: unused trailing bits must be zero.
  if (signature.toString("base64url") !== proof) return false;
  return verifyStrict(statementBytes(accountId, keyId), signature, publicKey);
}
