/**
 * Registering keys. Every key is registered together with a proof that its holder signed a
 * statement naming the account and the key (`hoptrace-key-proof-v1\n<accountId>\n<keyId>`), so a
 * new account's id is chosen before it is registered: the newcomer picks it with `newAccountId`,
 * signs `keyProof` with its own key, and hands the id, its public JWK and the proof to the
 * consortium (`registrationRequest` puts the three together).
 */
import { sign, type KeyObject } from "node:crypto";
import { ulid } from "ulid";
import { keyProofStatement } from "./key-proof-statement.js";
import { publicJwkOf, type PublicJwk, type SigningKey } from "./signing.js";

/** A fresh account id (`acc_` and a ULID), for POST /v1/providers and /v1/initiators. */
export function newAccountId(): string {
  return `acc_${ulid()}`;
}

/** The key's Ed25519 signature over the statement, unpadded base64url. */
export function signKeyProof(privateKey: KeyObject, accountId: string, keyId: string): string {
  return sign(null, Buffer.from(keyProofStatement(accountId, keyId), "utf8"), privateKey).toString("base64url");
}

/** The `proof` that registers `key` to the account `accountId`. */
export function keyProof(key: SigningKey, accountId: string): string {
  return signKeyProof(key.privateKey, accountId, key.keyId);
}

/** What a newcomer hands the consortium: its chosen account id and one key with its proof, as `POST /v1/providers` and `/v1/initiators` take them. */
export type Registration = { id: string; keys: Array<{ publicJwk: PublicJwk; proof: string }> };

export function registrationRequest(key: SigningKey, accountId: string = newAccountId()): Registration {
  return { id: accountId, keys: [{ publicJwk: publicJwkOf(key.privateKey), proof: keyProof(key, accountId) }] };
}
