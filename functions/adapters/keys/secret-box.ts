/**
 * The secret box over one data key, loaded on first use: functions that never touch a secret
 * (the scheduled ones) never read the key, and need no access to it.
 */
import { open, seal, type DataKey } from "../../crypto/sealed-secret.js";
import type { SecretBox } from "../../usecases/webhook-ports.js";

export function secretBox(loadKey: () => Promise<DataKey>): SecretBox {
  let key: Promise<DataKey> | undefined;
  const current = () =>
    (key ??= loadKey().catch((err: unknown) => {
      key = undefined;
      throw err;
    }));
  return {
    seal: async (plaintext, context) => seal(await current(), plaintext, context),
    open: async (sealed, context) => open(await current(), sealed, context),
  };
}
