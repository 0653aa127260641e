/**
 * GET /console/*: the web console. Every path of the console gets its page (the script routes
 * in the browser); its hashed script and stylesheet are cached for good. The console is a
 * client of the signed API like any other, so these routes need no authentication: they serve
 * the same bytes to everyone, under a CSP that allows only this origin's script and style.
 */
import type { Context, Hono } from "hono";
import { loadConsoleAssets, type ConsoleAssets } from "../../console/assets.js";
import type { AppEnv } from "../env.js";
import { problemResponse } from "../problem.js";

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const COMMON_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

export interface ConsoleRouteOptions {
  publicUrl: string;
  /** Where the built console comes from; the build output by default. */
  load?: () => Promise<ConsoleAssets>;
}

export function consoleRoutes(app: Hono<AppEnv>, opts: ConsoleRouteOptions): void {
  // Read on the first request, not at start-up: most cold starts of the API never serve it.
  let loading: Promise<ConsoleAssets> | undefined;
  const assets = async (c: Context<AppEnv>): Promise<ConsoleAssets | Response> => {
    loading ??= (opts.load ?? loadConsoleAssets)();
    try {
      return await loading;
    } catch {
      loading = undefined;
      return problemResponse(c, 503, "console_not_built", "the console is not built: run npm run build:console");
    }
  };

  app.get("/console/assets/:file", async (c) => {
    const loaded = await assets(c);
    if (loaded instanceof Response) return loaded;
    const asset = loaded.asset(c.req.param("file"));
    if (!asset) return problemResponse(c, 404, "not_found", `no console asset ${c.req.param("file")}`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      ...COMMON_HEADERS,
      "content-type": asset.contentType,
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
  const page = async (c: Context<AppEnv>) => {
    const loaded = await assets(c);
    if (loaded instanceof Response) return loaded;
    return c.html(loaded.page(opts.publicUrl), 200, { ...COMMON_HEADERS, "cache-control": "no-cache" });
  };
  app.get("/console", page);
  app.get("/console/*", page);
}
