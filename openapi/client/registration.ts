/**
 * Registering keys. Every key is registered together with a proof that its holder signed a
 * statement naming the account and the key (`hoptrace-key-proof-v1\n<accountId>\n<keyId>`), so a
 * new account's id is chosen before it is registered: the newcomer picks it with `newAccountId`,
 * signs `keyProof` with its own key, and hands the id, its public JWK and the proof to the
 * consortium.
 */
import { ulid } from "ulid";
import { signKeyProof } from "../../functions/crypto/key-proof.js";
import type { SigningKey } from "./signing.js";

/** A fresh account id (`acc_` and a ULID), for POST /v1/providers and /v1/initiators. */
export function newAccountId(): string {
  return `acc_${ulid()}`;
}

/** The `proof` that registers `key` to the account `accountId`. */
export function keyProof(key: SigningKey, accountId: string): string {
  return signKeyProof(key.privateKey, accountId, key.keyId);
}
