/**
 * Builds the web console with esbuild: one hashed JS bundle and one hashed stylesheet under
 * assets/, the page that loads them, and a manifest the server reads. The output is never
 * committed: `npm start`, `npm test` and the Lambda bundling each build it from the source.
 *
 * The console validates its forms with the contract's own zod schemas. They are written against
 * `@hono/zod-openapi`, whose `.openapi()` annotations only document the contract; bundling it
 * would bring Hono and the OpenAPI generator into the page. The schema files are therefore read
 * with their `z` bound to zod itself, imported as a namespace so that esbuild keeps only the
 * parts the schemas use (zod's `z` object re-exports every locale), and `.openapi()` returning
 * the schema unchanged.
 *
 *   tsx functions/console/build.ts [outDir]
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = join(HERE, "web");
export const DEFAULT_OUT_DIR = join(HERE, "dist");
/** The console's budget for its script, gzipped. */
export const JS_GZIP_BUDGET = 150 * 1024;

export interface AssetInfo {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface ConsoleManifest {
  js: AssetInfo;
  css: AssetInfo;
}

const CONTRACT_IMPORT = 'import { z } from "@hono/zod-openapi";';

/** Binds the contract's schema files to plain zod (see the header comment). */
function contractSchemas(): Plugin {
  const zodSurface = join(WEB_DIR, "zod-surface.ts");
  return {
    name: "contract-schemas",
    setup(b) {
      b.onLoad({ filter: /[\\/]functions[\\/]http[\\/]schemas[\\/][^\\/]+\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes(CONTRACT_IMPORT)) return undefined;
        return { contents: source.replace(CONTRACT_IMPORT, `import * as z from ${JSON.stringify(zodSurface)};`), loader: "ts" };
      });
      // Anything else reaching for the server's libraries is a mistake in the console's imports.
      b.onResolve({ filter: /^(@hono\/zod-openapi|hono(\/.*)?|node:.*)$/ }, (args) => ({
        errors: [{ text: `${args.path} is not for the browser (imported by ${relative(process.cwd(), args.importer)})` }],
      }));
    },
  };
}

const info = (file: string, bytes: Uint8Array): AssetInfo => ({ file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length });

export async function buildConsole(outDir = DEFAULT_OUT_DIR): Promise<ConsoleManifest> {
  const result = await build({
    entryPoints: { app: join(WEB_DIR, "main.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120", "firefox128", "safari17"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    outdir: join(outDir, "assets"),
    write: false,
    logLevel: "warning",
    plugins: [contractSchemas()],
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const css = result.outputFiles.find((f) => f.path.endsWith(".css"));
  if (!js || !css) throw new Error("the console build produced no script or no stylesheet");
  const manifest: ConsoleManifest = { js: info(basename(js.path), js.contents), css: info(basename(css.path), css.contents) };
  if (manifest.js.gzipBytes > JS_GZIP_BUDGET) {
    throw new Error(`the console's script is ${kb(manifest.js.gzipBytes)} gzipped, over its budget of ${kb(JS_GZIP_BUDGET)}`);
  }
  const template = await readFile(join(WEB_DIR, "index.html"), "utf8");
  const page = template.replace("%SCRIPT%", `assets/${manifest.js.file}`).replace("%STYLESHEET%", `assets/${manifest.css.file}`);
  // Written beside the old output and swapped in, so a server reading the folder never sees half a build.
  const staging = `${outDir}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, "assets"), { recursive: true });
  await writeFile(join(staging, "assets", manifest.js.file), js.contents);
  await writeFile(join(staging, "assets", manifest.css.file), css.contents);
  await writeFile(join(staging, "index.html"), page);
  await writeFile(join(staging, "manifest.json"), JSON.stringify(manifest, null, 2));
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return manifest;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function describeManifest(m: ConsoleManifest): string {
  return [
    `console: ${m.js.file} ${kb(m.js.bytes)} (${kb(m.js.gzipBytes)} gzipped, budget ${kb(JS_GZIP_BUDGET)})`,
    `         ${m.css.file} ${kb(m.css.bytes)} (${kb(m.css.gzipBytes)} gzipped)`,
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR);
  const manifest = await buildConsole(outDir);
  console.log(describeManifest(manifest));
}
