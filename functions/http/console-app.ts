/**
 * The web console on its own: the console's routes (routes/console.ts) in the same shell as the
 * API, and nothing behind them, no store, key or queue. Deployed, the HTTP API sends /console to
 * a function of its own built from this, so the API function carries neither the built console
 * nor its routes; the local server serves both from one app (app.ts).
 */
import { Hono } from "hono";
import type { IdGenerator } from "../domain/ids.js";
import { useProblemFallbacks, useRequestIds } from "./app-shell.js";
import type { AppEnv } from "./env.js";
import { consoleRoutes } from "./routes/console.js";

export interface ConsoleAppOptions {
  publicUrl: string;
  ids: IdGenerator;
  logError: (msg: string, fields: Record<string, unknown>) => void;
}

export function createConsoleApp(opts: ConsoleAppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  useRequestIds(app, opts.ids);
  consoleRoutes(app, { publicUrl: opts.publicUrl });
  useProblemFallbacks(app, opts.logError);
  return app;
}
