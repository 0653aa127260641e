/**
 * The hub's signing key in the embedded mode: a private JWK in a file under the data folder,
 * created on first start (owner-only, atomically: see key-file.ts) and reused on every start after.
 */
import { exportPublicJwk, generateSigningKey, importPrivateJwk, jwkThumbprint } from "../../crypto/keys.js";
import type { HubKey } from "../../usecases/hub-key-ports.js";
import { parseJsonKeyFile, readOrCreateKeyFile } from "./key-file.js";

export async function loadOrCreateHubKeyFile(path: string): Promise<HubKey> {
  const text = await readOrCreateKeyFile(path, async () => JSON.stringify((await generateSigningKey()).privateJwk));
  return hubKeyFromPrivateJwk(parseJsonKeyFile(path, text));
}

export async function hubKeyFromPrivateJwk(privateJwk: unknown): Promise<HubKey> {
  const privateKey = importPrivateJwk(privateJwk);
  const publicJwk = exportPublicJwk(privateKey);
  return { privateKey, publicJwk, kid: await jwkThumbprint(publicJwk) };
}
