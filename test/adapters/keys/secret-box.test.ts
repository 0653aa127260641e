import { describe, expect, it } from "vitest";
import { loadDataKeySecret } from "../../../functions/adapters/keys/data-key-secret.js";
import { secretBox } from "../../../functions/adapters/keys/secret-box.js";
import { newDataKey, open, seal } from "../../../functions/crypto/sealed-secret.js";
import { newWebhookSecret } from "../../../functions/crypto/standard-webhooks.js";

const key = newDataKey();
const secret = newWebhookSecret();

describe("the secret box", () => {
  it("reads its key once, on first use, and again after a failed read", async () => {
    let reads = 0;
    let fail = true;
    const box = secretBox(async () => {
      reads++;
      if (fail) throw new Error("not yet");
      return key;
    });
    expect(reads).toBe(0);
    await expect(box.seal(secret, "c")).rejects.toThrow("not yet");
    fail = false;
    const sealed = await box.seal(secret, "c");
    expect(await box.open(sealed, "c")).toBe(secret);
    expect(reads).toBe(2);
  });

  it("on AWS derives the key from the secret Secrets Manager generated, and refuses a short one", async () => {
    const client = (value: string) => ({ send: async () => ({ SecretString: value }) }) as never;
    const generated = "a".repeat(40) + "Zq9";
    const first = await loadDataKeySecret(client(generated), "arn:secret");
    const again = await loadDataKeySecret(client(generated), "arn:secret");
    expect(first.id).toBe(again.id);
    expect(open(again, seal(first, secret, "c"), "c")).toBe(secret);
    expect((await loadDataKeySecret(client(generated + "x"), "arn:secret")).id).not.toBe(first.id);
    await expect(loadDataKeySecret(client("short"), "arn:secret")).rejects.toThrow(/fewer than 32/);
  });
});
