import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { INVITATION_TOKEN_PATTERN, invitationIdOf, invitationTokens, tokenDigest, tokenMatches } from "../../functions/crypto/invitation-token.js";

const hubKey = () => generateKeyPairSync("ed25519").privateKey;

describe("invitation tokens", () => {
  it("are 32 bytes of base64url, the same for the same account and Idempotency-Key under the same hub key", () => {
    const key = hubKey();
    const tokens = invitationTokens(key);
    const token = tokens("acc_A", "idem-1");
    expect(token).toMatch(INVITATION_TOKEN_PATTERN);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(invitationTokens(key)("acc_A", "idem-1")).toBe(token);
  });

  it("differ for another account, another Idempotency-Key or another hub key", () => {
    const tokens = invitationTokens(hubKey());
    const all = [tokens("acc_A", "idem-1"), tokens("acc_B", "idem-1"), tokens("acc_A", "idem-2"), invitationTokens(hubKey())("acc_A", "idem-1")];
    expect(new Set(all).size).toBe(all.length);
  });

  it("name their invitation by 130 bits of their SHA-256, and match only their own digest", () => {
    const tokens = invitationTokens(hubKey());
    const token = tokens("acc_A", "idem-1");
    const id = invitationIdOf(token);
    expect(id).toMatch(/^inv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(invitationIdOf(token)).toBe(id);
    expect(invitationIdOf(tokens("acc_A", "idem-2"))).not.toBe(id);
    expect(tokenDigest(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches(token, tokenDigest(token))).toBe(true);
    expect(tokenMatches(tokens("acc_A", "idem-2"), tokenDigest(token))).toBe(false);
    expect(tokenMatches(token, "00")).toBe(false);
    // The id is the digest's start: the id tells nothing the digest would not.
    const digest = Buffer.from(tokenDigest(token), "hex");
    const first5 = digest[0]! >> 3;
    expect(id.charAt(4)).toBe("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[first5]);
  });
});
