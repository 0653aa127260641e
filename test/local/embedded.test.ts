/** The embedded hub without a data folder: its keys are private and go with it. */
import { existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmbeddedHub } from "../../functions/local/embedded.js";

describe("an embedded hub without a data folder", () => {
  it("keeps its keys in an owner-only temporary folder and removes it when it stops", async () => {
    const hub = await startEmbeddedHub({ background: false });
    const keyDir = dirname(hub.config.HUB_KEY_FILE!);
    try {
      expect(keyDir.startsWith(join(tmpdir(), "hoptrace-keys-"))).toBe(true);
      expect(statSync(keyDir).mode & 0o777).toBe(0o700);
      expect(existsSync(hub.config.HUB_KEY_FILE!)).toBe(true);
      expect(existsSync(hub.config.WEBHOOK_SECRETS_KEY_FILE!)).toBe(true);
      expect((await fetch(`${hub.url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await hub.stop();
    }
    expect(existsSync(keyDir)).toBe(false);
  });
});
