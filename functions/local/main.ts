/**
 * `npm start`: the Hoptrace API on localhost on the embedded stack, data under ./.data (or
 * HOPTRACE_DATA_DIR). On first start it writes the consortium's key pair there unless a public
 * key is given in CONSORTIUM_PUBLIC_JWK; the private key never leaves the machine.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { generateSigningKey } from "../crypto/keys.js";
import { behaviourSettings } from "../platform/config.js";
import { ensureConsortium } from "../usecases/bootstrap.js";
import { startEmbeddedHub } from "./embedded.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const dataDir = resolve(process.env.HOPTRACE_DATA_DIR ?? ".data");
const port = Number(process.env.PORT ?? 8787);
await mkdir(dataDir, { recursive: true });

// Loopback webhook receivers are allowed locally unless switched off; private and metadata
// addresses stay refused either way.
const hub = await startEmbeddedHub({
  dataDir,
  port,
  env: { ...behaviourSettings(process.env), LOG_LEVEL: process.env.LOG_LEVEL ?? "INFO", ALLOW_LOOPBACK_WEBHOOKS: process.env.ALLOW_LOOPBACK_WEBHOOKS ?? "true" },
});
const consortiumJwk = await consortiumPublicJwk(dataDir);
const { keyId } = await ensureConsortium(hub.runtime.deps, consortiumJwk);

console.log(`Hoptrace listening on ${hub.url}
  data:          ${dataDir}
  consortium key ${keyId}${process.env.CONSORTIUM_PUBLIC_JWK ? " (from CONSORTIUM_PUBLIC_JWK)" : `\n  private JWK:   ${join(dataDir, "consortium.private.jwk.json")}`}
  OpenAPI:       ${hub.url}/openapi.json   docs: ${hub.url}/docs`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void hub.stop().then(() => process.exit(0));
  });
}

async function consortiumPublicJwk(dir: string): Promise<unknown> {
  if (process.env.CONSORTIUM_PUBLIC_JWK) return JSON.parse(process.env.CONSORTIUM_PUBLIC_JWK);
  const privatePath = join(dir, "consortium.private.jwk.json");
  try {
    const { d: _d, ...publicJwk } = JSON.parse(await readFile(privatePath, "utf8"));
    return publicJwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const key = await generateSigningKey();
  await writeFile(privatePath, JSON.stringify(key.privateJwk, null, 2), { mode: 0o600, flag: "wx" });
  return key.publicJwk;
}
