/** The console as the hub serves it: one page for every console path, hashed assets, a strict CSP, nothing from elsewhere. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleAssets } from "../../functions/console/assets.js";
import { buildConsole, JS_GZIP_BUDGET, type ConsoleManifest } from "../../functions/console/build.js";
import { consoleRoutes } from "../../functions/http/routes/console.js";
import type { AppEnv } from "../../functions/http/env.js";
import { startTestHub, type TestHub } from "../support/hub.js";

/** The console's routes alone, serving the build in `dist`. */
function consoleApp(dist: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("requestId", "req_test");
    await next();
  });
  consoleRoutes(app, { publicUrl: "http://127.0.0.1:1", load: () => loadConsoleAssets(dist) });
  return app;
}

describe("the console's build", () => {
  let dir: string;
  let manifest: ConsoleManifest;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hoptrace-console-"));
    manifest = await buildConsole(join(dir, "dist"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names its script and stylesheet by their content and stays within the script budget", async () => {
    expect(manifest.js.file).toMatch(/^app-[A-Z0-9]{8}\.js$/);
    expect(manifest.css.file).toMatch(/^app-[A-Z0-9]{8}\.css$/);
    expect(manifest.js.gzipBytes).toBeLessThanOrEqual(JS_GZIP_BUDGET);
    const js = await readFile(join(dir, "dist", "assets", manifest.js.file));
    expect(js.length).toBe(manifest.js.bytes);
    // Built twice from the same source, the names are the same: a browser's cache stays valid.
    const again = await buildConsole(join(dir, "again"));
    expect(again.js.file).toBe(manifest.js.file);
  });

  it("bundles the contract's schemas for the forms, without Hono, Node or zod's locales", async () => {
    const js = await readFile(join(dir, "dist", "assets", manifest.js.file), "utf8");
    expect(js).toContain("upstream_identified");
    expect(js).toContain("hoptrace-key-proof-v1");
    expect(js).not.toMatch(/node:crypto|OpenAPIHono|zod-to-openapi/);
    // A second locale's wording would mean every locale came along.
    expect(js).not.toContain("Ungültige Eingabe");
  });

  it("renders the page for the public URL, stage path included, with nothing inline", async () => {
    const assets = await loadConsoleAssets(join(dir, "dist"));
    const page = assets.page("https://api.example/prod/");
    expect(page).toContain('<base href="/prod/console/">');
    expect(page).toContain('<meta name="hoptrace-api" content="https://api.example/prod">');
    expect(page).toContain(`<script type="module" src="assets/${manifest.js.file}"></script>`);
    expect(page).not.toMatch(/<script>|<style>|\sstyle=|\son[a-z]+=/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("answers 503 with a problem when the console was never built, and 404 for an unknown asset", async () => {
    const res = await consoleApp(join(dir, "missing")).request("/console/tracebacks");
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("console_not_built");

    const missing = await consoleApp(join(dir, "dist")).request("/console/assets/app-NOTTHERE.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});

describe("the console served by the hub", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("serves its page for every console path, never cached, under a CSP allowing only its own origin", async () => {
    for (const path of ["/console", "/console/", "/console/tracebacks/tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", "/console/enrol"]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const csp = res.headers.get("content-security-policy")!;
      for (const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const page = await res.text();
      expect(page).toContain('<base href="/console/">');
      expect(page).toContain(`<meta name="hoptrace-api" content="${t.url}">`);
    }
  });

  it("serves the hashed assets with their type and a year-long immutable cache", async () => {
    const page = await (await fetch(`${t.url}/console/`)).text();
    const script = /src="(assets\/app-[A-Z0-9]+\.js)"/.exec(page)![1]!;
    const style = /href="(assets\/app-[A-Z0-9]+\.css)"/.exec(page)![1]!;
    const js = await fetch(`${t.url}/console/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await fetch(`${t.url}/console/${style}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await css.text()).length).toBeGreaterThan(1000);
  });

  it("needs no signature, and leaves the signed API as it was", async () => {
    expect((await fetch(`${t.url}/console/inbox`)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/tracebacks`)).status).toBe(401);
  });
});
