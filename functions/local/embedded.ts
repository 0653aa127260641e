/**
 * The whole hub in one process, on the embedded emulators: the API under @hono/node-server and
 * the background work (delivery poller, reconciler, deadline sweeper) running the very handlers
 * the Lambdas run. Used by `npm start`, the end-to-end tests, the demo and the benchmark.
 *
 * The port is bound first (with PORT=0 the public URL is only known then, and the configuration
 * needs it), but no request is answered before the hub is ready: requests that arrive early wait
 * for the key files, the runtime and the consortium's key, and are then served like any other.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../domain/clock.js";
import { createApp } from "../http/app.js";
import { loadConfig, type Config } from "../platform/config.js";
import { buildRuntime, type Runtime } from "../platform/container.js";
import { ulidGenerator } from "../adapters/ids.js";
import { loadOrCreateDataKeyFile } from "../adapters/keys/data-key-file.js";
import { ensureConsortium } from "../usecases/bootstrap.js";
import { DATA_FOLDER, secureDataFolder } from "./data-folder.js";
import { emulatorSettings, startEmulators, type Emulators } from "./emulators.js";
import { createHttpServer } from "./http-server.js";
import { resumeAfterRestart, startBackgroundWork, type BackgroundWork } from "./background.js";
import { readRmdExport } from "../adapters/rmd/csv-export.js";

export interface EmbeddedOptions {
  /**
   * Where data lives on disk; in memory when absent (tests), the hub's keys then in a private
   * temporary folder removed when the hub stops.
   */
  dataDir?: string;
  port?: number;
  clock?: Clock;
  /** Extra settings, as environment variables (e.g. FIXED_DEADLINE_SECONDS). */
  env?: Record<string, string>;
  /** Run the poller, reconciler and sweeper (default true). */
  background?: boolean;
  /** How often the reconciler and sweeper run, ms. */
  sweepIntervalMs?: number;
  /** Visibility timeout of the delivery queue, seconds (how soon a failed message comes back). */
  queueVisibilityTimeoutSeconds?: number;
  /** The first consortium key (public JWK), registered before the first request is answered. */
  consortiumPublicJwk?: unknown;
  /** Emulators already running elsewhere (another process); left running when the hub stops. */
  emulators?: Emulators;
}

export interface EmbeddedHub {
  url: string;
  config: Config;
  runtime: Runtime;
  emulators: Emulators;
  background?: BackgroundWork;
  /** The keyid of `consortiumPublicJwk`, when one was given. */
  consortiumKeyId?: string;
  stop(): Promise<void>;
}

export async function startEmbeddedHub(opts: EmbeddedOptions = {}): Promise<EmbeddedHub> {
  if (opts.dataDir) await secureDataFolder(opts.dataDir);
  // The port first: a busy one is said at once, before the emulators open the table.
  const server = await listen(opts.port ?? 0);
  const owned = !opts.emulators;
  const emulators =
    opts.emulators ??
    (await startEmulators({
      ...(opts.dataDir && { dataPath: join(opts.dataDir, DATA_FOLDER.table) }),
      ...(opts.queueVisibilityTimeoutSeconds && { visibilityTimeoutSeconds: opts.queueVisibilityTimeoutSeconds }),
    }).catch(async (err: unknown) => {
      await server.close();
      throw err;
    }));
  const stopEmulators = () => (owned ? emulators.stop() : Promise.resolve());
  // LevelDB created its files under the process's umask; `npm start` sets an owner-only one.
  if (opts.dataDir) await secureDataFolder(opts.dataDir);
  // A hub without a data folder keeps nothing: its keys live as long as it does (mkdtemp: 0700).
  const ephemeralKeys = opts.dataDir ? undefined : await mkdtemp(join(tmpdir(), "hoptrace-keys-"));
  const forgetKeys = () => (ephemeralKeys ? rm(ephemeralKeys, { recursive: true, force: true }) : Promise.resolve());
  try {
    const url = `http://127.0.0.1:${server.port}`;
    const keyDir = opts.dataDir ?? ephemeralKeys!;
    const config = loadConfig({
      ...emulatorSettings(emulators),
      PUBLIC_URL: url,
      HUB_KEY_FILE: join(keyDir, DATA_FOLDER.hubKey),
      WEBHOOK_SECRETS_KEY_FILE: join(keyDir, DATA_FOLDER.secretsKey),
      ALLOW_LOOPBACK_WEBHOOKS: "true",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "WARN",
      ...opts.env,
    });
    // The data key is otherwise read at its first use: create it now, with the hub key, before any answer.
    await loadOrCreateDataKeyFile(config.WEBHOOK_SECRETS_KEY_FILE!);
    const runtime = await buildRuntime(config, { readRmdExport, ...(opts.clock && { clock: opts.clock }) });
    const consortium = opts.consortiumPublicJwk === undefined ? undefined : await ensureConsortium(runtime.deps, opts.consortiumPublicJwk);
    // What the in-memory queue held when the process went down is rebuilt from the table first.
    if (opts.background !== false) await resumeAfterRestart(runtime);
    const background = opts.background === false ? undefined : startBackgroundWork(runtime, emulators, { intervalMs: opts.sweepIntervalMs ?? 1000 });
    server.open(createApp(runtime.deps).fetch);
    return {
      url,
      config,
      runtime,
      emulators,
      ...(background && { background }),
      ...(consortium && { consortiumKeyId: consortium.keyId }),
      stop: async () => {
        await background?.stop();
        await server.close();
        runtime.db.destroy();
        runtime.sqs.destroy();
        await stopEmulators();
        await forgetKeys();
      },
    };
  } catch (err) {
    await server.close();
    await stopEmulators();
    await forgetKeys();
    throw err;
  }
}

type Fetch = (req: Request) => Response | Promise<Response>;

interface HeldServer {
  port: number;
  /** Serves the requests held so far and every one after. */
  open(fetch: Fetch): void;
  close(): Promise<void>;
}

async function listen(port: number): Promise<HeldServer> {
  let open!: (fetch: Fetch) => void;
  const ready = new Promise<Fetch>((resolve) => (open = resolve));
  const ids = ulidGenerator();
  // Requests that arrive before the hub is ready wait for it instead of being refused.
  const server = createHttpServer(
    async (req) => (await ready)(req),
    () => ids.next("req"),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
