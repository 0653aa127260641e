/**
 * The whole hub in one process, on the embedded emulators: the API under @hono/node-server and
 * the background work (delivery poller, reconciler, deadline sweeper) running the very handlers
 * the Lambdas run. Used by `npm start`, the end-to-end tests, the demo and the benchmark.
 */
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { Clock } from "../domain/clock.js";
import { createApp } from "../http/app.js";
import { loadConfig, type Config } from "../platform/config.js";
import { buildRuntime, type Runtime } from "../platform/container.js";
import { startEmulators, type Emulators } from "./emulators.js";
import { resumeAfterRestart, startBackgroundWork, type BackgroundWork } from "./background.js";

export interface EmbeddedOptions {
  /** Where data lives on disk; in memory when absent (tests). */
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
}

export interface EmbeddedHub {
  url: string;
  config: Config;
  runtime: Runtime;
  emulators: Emulators;
  background?: BackgroundWork;
  stop(): Promise<void>;
}

export async function startEmbeddedHub(opts: EmbeddedOptions = {}): Promise<EmbeddedHub> {
  const emulators = await startEmulators({
    ...(opts.dataDir && { dataPath: join(opts.dataDir, "dynamodb") }),
    ...(opts.queueVisibilityTimeoutSeconds && { visibilityTimeoutSeconds: opts.queueVisibilityTimeoutSeconds }),
  });
  const port = opts.port ?? 0;
  // The public URL must be known before the server picks a free port; bind first, then configure.
  const server = await listen(port);
  const url = `http://127.0.0.1:${server.port}`;
  const config = loadConfig({
    HOPTRACE_MODE: "local",
    AWS_REGION: "us-east-1",
    TABLE_NAME: emulators.tableName,
    DELIVERY_QUEUE_URL: emulators.deliveryQueueUrl,
    DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
    SQS_ENDPOINT: emulators.sqsEndpoint,
    PUBLIC_URL: url,
    HUB_KEY_FILE: join(opts.dataDir ?? join(process.cwd(), ".data", "ephemeral", String(process.pid)), "hub-key.private.jwk.json"),
    ALLOW_LOOPBACK_WEBHOOKS: "true",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "WARN",
    ...opts.env,
  });
  const runtime = await buildRuntime(config, opts.clock ? { clock: opts.clock } : {});
  if (opts.background !== false) await resumeAfterRestart(runtime);
  server.attach(createApp(runtime.deps).fetch);
  const background = opts.background === false ? undefined : startBackgroundWork(runtime, emulators, { intervalMs: opts.sweepIntervalMs ?? 1000 });
  return {
    url,
    config,
    runtime,
    emulators,
    ...(background && { background }),
    stop: async () => {
      await background?.stop();
      await server.close();
      runtime.db.destroy();
      runtime.sqs.destroy();
      await emulators.stop();
    },
  };
}

interface LateBoundServer {
  port: number;
  attach(fetch: (req: Request) => Response | Promise<Response>): void;
  close(): Promise<void>;
}

async function listen(port: number): Promise<LateBoundServer> {
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (req) => (handler ? handler(req) : new Response("starting", { status: 503 })), port, hostname: "127.0.0.1" }, () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    attach: (fetch) => {
      handler = fetch;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
