/**
 * The Hoptrace API on localhost on the embedded stack, data under ./.data (or HOPTRACE_DATA_DIR).
 * On first start it writes the consortium's key pair there unless a public key is given in
 * CONSORTIUM_PUBLIC_JWK; the private key never leaves the machine.
 *
 * Whatever stops it from starting (a setting, the port, the data folder) is said in one line on
 * stderr, with exit status 1, and is found before anything is written where it can be; the hub's
 * own modules (the app, the emulators) are loaded only once the settings and the data folder
 * are found usable, so such a refusal is quick.
 */
import { join, resolve } from "node:path";
import { parseJsonKeyFile, readOrCreateKeyFile } from "../adapters/keys/key-file.js";
import { generateSigningKey, importPublicJwk } from "../crypto/keys.js";
import { behaviourSettings, settingProblems, type Config } from "../platform/config.js";
import { lockDataFolder } from "./data-lock.js";
import { DATA_FOLDER, secureDataFolder } from "./data-folder.js";
import { consoleWelcome, firstPersonFrom } from "./first-person.js";
import { startFailure, StartError } from "./start-failure.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Everything this process writes (the table's files, the key files) is for its owner alone.
process.umask(0o077);

const env = process.env;
const settings = {
  ...behaviourSettings(env),
  LOG_LEVEL: env.LOG_LEVEL ?? "INFO",
  LOG_FORMAT: env.LOG_FORMAT ?? (process.stderr.isTTY ? "text" : "json"),
  // Loopback webhook receivers are allowed locally unless switched off; private and metadata
  // addresses stay refused either way.
  ALLOW_LOOPBACK_WEBHOOKS: env.ALLOW_LOOPBACK_WEBHOOKS ?? "true",
};
const firstPerson = firstPersonFrom(env);
const problems = [...settingProblems(settings), ...portProblem(env.PORT), ...consortiumKeyProblem(env.CONSORTIUM_PUBLIC_JWK), ...firstPerson.problems];
if (problems.length > 0) fail(problems);

const dataDir = resolve(env.HOPTRACE_DATA_DIR ?? ".data");
const port = Number(env.PORT ?? 8787);

try {
  await secureDataFolder(dataDir).catch((err: unknown) => {
    throw new StartError(startFailure(err, { dataDir, port }) ?? `cannot prepare the data folder ${dataDir}: ${(err as Error).message}`);
  });
  const lock = await lockDataFolder(dataDir);
  try {
    const consortiumJwk = await consortiumPublicJwk(dataDir);
    const { startEmbeddedHub } = await import("./embedded.js");
    const hub = await startEmbeddedHub({ dataDir, port, consortiumPublicJwk: consortiumJwk, env: settings });
    const welcome = hub.consortiumKeyId
      ? await consoleWelcome(hub.runtime.deps, hub.url, hub.consortiumKeyId, firstPerson.person)
      : { lines: [], invited: false };
    printBanner(hub.url, hub.config, hub.consortiumKeyId, welcome);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        void hub
          .stop()
          .then(() => lock.release())
          .then(() => process.exit(0));
      });
    }
  } catch (err) {
    await lock.release();
    throw err;
  }
} catch (err) {
  const line = err instanceof StartError ? err.message : startFailure(err, { dataDir, port });
  if (line === undefined) throw err;
  fail([line]);
}

function fail(lines: string[]): never {
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exit(1);
}

function portProblem(value: string | undefined): string[] {
  if (value === undefined || (/^\d+$/.test(value) && Number(value) <= 65_535)) return [];
  return [`PORT=${JSON.stringify(value)} is not allowed: use a port number from 0 to 65535 (0 picks a free one)`];
}

function consortiumKeyProblem(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    importPublicJwk(JSON.parse(value));
    return [];
  } catch (err) {
    return [`CONSORTIUM_PUBLIC_JWK is not allowed: use the consortium's Ed25519 public key as a JSON Web Key (${(err as Error).message})`];
  }
}

async function consortiumPublicJwk(dir: string): Promise<unknown> {
  if (env.CONSORTIUM_PUBLIC_JWK) return JSON.parse(env.CONSORTIUM_PUBLIC_JWK);
  const path = join(dir, DATA_FOLDER.consortiumKey);
  const text = await readOrCreateKeyFile(path, async () => JSON.stringify((await generateSigningKey()).privateJwk, null, 2));
  const { d: _d, ...publicJwk } = parseJsonKeyFile(path, text);
  return publicJwk;
}

function printBanner(url: string, config: Config, consortiumKeyId: string | undefined, welcome: { lines: string[]; invited: boolean }): void {
  const fromEnv = Object.keys(behaviourSettings(env)).map((name) => `${name}=${String(config[name as keyof Config])}`);
  const keyFile = join(dataDir, DATA_FOLDER.consortiumKey);
  const lines = [
    `Hoptrace listening on ${url}`,
    `  data:           ${dataDir}`,
    `  consortium key: ${consortiumKeyId}${env.CONSORTIUM_PUBLIC_JWK ? " (from CONSORTIUM_PUBLIC_JWK)" : ""}`,
    ...(env.CONSORTIUM_PUBLIC_JWK ? [] : [`  private JWK:    ${keyFile}`]),
    `  OpenAPI:        ${url}/openapi.json`,
    `  docs:           ${url}/docs`,
    `  JWKS:           ${url}/.well-known/jwks.json`,
    ...welcome.lines,
    ...(fromEnv.length > 0 ? [`  settings:       ${fromEnv.join(" ")}`] : []),
    "",
    `Next: ${welcome.invited ? "open the first person's link in a browser, which makes your key and shows the consortium's console; or " : ""}register a provider (POST /v1/providers), signed with ${env.CONSORTIUM_PUBLIC_JWK ? "the consortium's private key" : `the key in ${keyFile}`}; README.md, "The first key".`,
    "Ctrl-C to stop.",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
