import { describe, expect, it } from "vitest";
import { dataKey, isSealed, newDataKey, open, seal, SealedSecretError } from "../../functions/crypto/sealed-secret.js";
import { newWebhookSecret } from "../../functions/crypto/standard-webhooks.js";

const key = newDataKey();
const secret = newWebhookSecret();

describe("sealed secrets (AES-256-GCM, versioned, bound to their owner)", () => {
  it("opens what it sealed, and the sealed form shows neither the secret nor the key", () => {
    const sealed = seal(key, secret, "webhook-endpoint:ep_1");
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).toMatch(/^hsb1\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split(".")[1]).toBe(key.id);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(sealed).not.toContain(key.bytes.toString("base64url"));
    expect(open(key, sealed, "webhook-endpoint:ep_1")).toBe(secret);
  });

  it("seals the same secret differently every time (a fresh nonce)", () => {
    expect(seal(key, secret, "c")).not.toBe(seal(key, secret, "c"));
  });

  it("does not open under another owner: a ciphertext moved to another endpoint is refused", () => {
    const sealed = seal(key, secret, "webhook-endpoint:ep_1");
    expect(() => open(key, sealed, "webhook-endpoint:ep_2")).toThrow(SealedSecretError);
  });

  it("refuses any altered byte, a cut ciphertext, another format version and another key", () => {
    const sealed = seal(key, secret, "c");
    const [v, kid, iv, body] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(body, "base64url");
    flipped[3] = flipped[3]! ^ 1;
    for (const bad of [
      [v, kid, iv, flipped.toString("base64url")].join("."),
      [v, kid, iv, body.slice(0, 10)].join("."),
      ["hsb2", kid, iv, body].join("."),
      [v, kid, iv].join("."),
      `${sealed}=`,
    ]) {
      expect(() => open(key, bad, "c"), bad).toThrow(SealedSecretError);
    }
    const other = newDataKey();
    expect(() => open(other, sealed, "c")).toThrow(/sealed under data key/);
    // The key id is in the associated data: swapping it for the right one's does not help.
    expect(() => open(other, [v, other.id, iv, body].join("."), "c")).toThrow(SealedSecretError);
  });

  it("takes 256-bit keys only, and names a key by a digest of it", () => {
    expect(() => dataKey(new Uint8Array(16))).toThrow(SealedSecretError);
    const bytes = new Uint8Array(32).fill(7);
    expect(dataKey(bytes).id).toBe(dataKey(bytes).id);
    expect(dataKey(bytes).id).not.toBe(newDataKey().id);
  });
});
