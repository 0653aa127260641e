/**
 * What a proof of possession signs (see key-proof.ts), without the signing: the browser console
 * signs the same statement with WebCrypto.
 */
export const KEY_PROOF_CONTEXT = "hoptrace-key-proof-v1";

/** 64 signature bytes in unpadded base64url. */
export const KEY_PROOF_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** The statement signed, as UTF-8: `hoptrace-key-proof-v1\n<accountId>\n<keyId>`, no final newline. */
export function keyProofStatement(accountId: string, keyId: string): string {
  return `${KEY_PROOF_CONTEXT}\n${accountId}\n${keyId}`;
}
