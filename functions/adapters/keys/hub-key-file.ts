/**
 * The hub's signing key in the embedded mode: a private JWK in a file under the data folder,
 * created on first start with owner-only permissions and reused on every start after.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { exportPublicJwk, generateSigningKey, importPrivateJwk, jwkThumbprint } from "../../crypto/keys.js";
import type { HubKey } from "../../http/env.js";

export async function loadOrCreateHubKeyFile(path: string): Promise<HubKey> {
  let privateJwk: unknown;
  try {
    privateJwk = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const created = await generateSigningKey();
    await mkdir(dirname(path), { recursive: true });
    // "wx" fails if another process created the file in the meantime; then read theirs.
    await writeFile(path, JSON.stringify(created.privateJwk), { mode: 0o600, flag: "wx" }).catch((e) => {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    });
    privateJwk = JSON.parse(await readFile(path, "utf8"));
  }
  return hubKeyFromPrivateJwk(privateJwk);
}

export async function hubKeyFromPrivateJwk(privateJwk: unknown): Promise<HubKey> {
  const privateKey = importPrivateJwk(privateJwk);
  const publicJwk = exportPublicJwk(privateKey);
  return { privateKey, publicJwk, kid: await jwkThumbprint(publicJwk) };
}
