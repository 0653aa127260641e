/**
 * `npm start`: the Hoptrace API on localhost on the embedded stack, data under ./.data (or
 * HOPTRACE_DATA_DIR). On first start it writes the consortium's key pair there unless a public
 * key is given in CONSORTIUM_PUBLIC_JWK; the private key never leaves the machine.
 */
import { join, resolve } from "node:path";
import { parseJsonKeyFile, readOrCreateKeyFile } from "../adapters/keys/key-file.js";
import { generateSigningKey } from "../crypto/keys.js";
import { DATA_FOLDER, secureDataFolder } from "./data-folder.js";
import { behaviourSettings } from "../platform/config.js";
import { startEmbeddedHub } from "./embedded.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Everything this process writes (the table's files, the key files) is for its owner alone.
process.umask(0o077);

const dataDir = resolve(process.env.HOPTRACE_DATA_DIR ?? ".data");
const port = Number(process.env.PORT ?? 8787);
await secureDataFolder(dataDir);
const consortiumJwk = await consortiumPublicJwk(dataDir);

// Loopback webhook receivers are allowed locally unless switched off; private and metadata
// addresses stay refused either way.
const hub = await startEmbeddedHub({
  dataDir,
  port,
  consortiumPublicJwk: consortiumJwk,
  env: { ...behaviourSettings(process.env), LOG_LEVEL: process.env.LOG_LEVEL ?? "INFO", ALLOW_LOOPBACK_WEBHOOKS: process.env.ALLOW_LOOPBACK_WEBHOOKS ?? "true" },
});

console.log(`Hoptrace listening on ${hub.url}
  data:          ${dataDir}
  consortium key ${hub.consortiumKeyId}${process.env.CONSORTIUM_PUBLIC_JWK ? " (from CONSORTIUM_PUBLIC_JWK)" : `\n  private JWK:   ${join(dataDir, DATA_FOLDER.consortiumKey)}`}
  OpenAPI:       ${hub.url}/openapi.json   docs: ${hub.url}/docs`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void hub.stop().then(() => process.exit(0));
  });
}

async function consortiumPublicJwk(dir: string): Promise<unknown> {
  if (process.env.CONSORTIUM_PUBLIC_JWK) return JSON.parse(process.env.CONSORTIUM_PUBLIC_JWK);
  const path = join(dir, DATA_FOLDER.consortiumKey);
  const text = await readOrCreateKeyFile(path, async () => JSON.stringify((await generateSigningKey()).privateJwk, null, 2));
  const { d: _d, ...publicJwk } = parseJsonKeyFile(path, text);
  return publicJwk;
}
