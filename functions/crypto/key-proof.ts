/**
 * Proof of possession of a signing key: an Ed25519 signature by the key over a statement naming
 * the account it is registered to and the key itself. Nobody can register a key they do not hold,
 * and a proof made for one account registers the key to no other. Clients sign it with the client
 * package; the hub verifies it strictly.
 */
import type { KeyObject } from "node:crypto";
import { verifyStrict } from "./ed25519.js";
import { KEY_PROOF_PATTERN, keyProofStatement } from "../../openapi/client/key-proof-statement.js";

export { KEY_PROOF_CONTEXT, KEY_PROOF_PATTERN, keyProofStatement } from "../../openapi/client/key-proof-statement.js";
export { signKeyProof } from "../../openapi/client/registration.js";

export function verifyKeyProof(publicKey: KeyObject, accountId: string, keyId: string, proof: string): boolean {
  if (!KEY_PROOF_PATTERN.test(proof)) return false;
  const signature = Buffer.from(proof, "base64url");
  // One spelling per signature: unused trailing bits must be zero.
  if (signature.toString("base64url") !== proof) return false;
  return verifyStrict(Buffer.from(keyProofStatement(accountId, keyId), "utf8"), signature, publicKey);
}
