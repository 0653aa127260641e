/**
 * Invitation tokens. A token is an HMAC, under a key derived from the hub's private key, of the
 * inviting account and the Idempotency-Key of the request that made it: a retry of that request
 * gets the very same token back, though the hub keeps only the token's SHA-256. The invitation's
 * id is the start of that hash, so a token finds its invitation in one read, and neither the id
 * nor the table gives the token away.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";

const TOKEN_KEY_INFO = "hoptrace-invitation-token-v1";

/** 32 bytes, unpadded base64url. */
export const INVITATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type InvitationTokens = (inviterAccountId: string, idempotencyKey: string) => string;

export function invitationTokens(hubPrivateKey: KeyObject): InvitationTokens {
  const seed = Buffer.from(String(hubPrivateKey.export({ format: "jwk" }).d), "base64url");
  const key = Buffer.from(hkdfSync("sha256", seed, Buffer.alloc(0), TOKEN_KEY_INFO, 32));
  return (inviterAccountId, idempotencyKey) => createHmac("sha256", key).update(`${inviterAccountId}\n${idempotencyKey}`).digest("base64url");
}

export function tokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function tokenMatches(token: string, storedDigest: string): boolean {
  const a = Buffer.from(tokenDigest(token), "hex");
  const b = Buffer.from(storedDigest, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `inv_` and 26 Crockford base32 characters (130 bits) of the token's SHA-256. */
export function invitationIdOf(token: string): string {
  const digest = createHash("sha256").update(token, "utf8").digest();
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `inv_${out}`;
}
