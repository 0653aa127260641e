/**
 * Builds @hoptrace/client into openapi/client/dist: one ESM and one CommonJS bundle of the package's
 * own modules (its dependencies stay imports, installed beside it), and the type declarations from
 * tsc for both. `npm run build:client`; prints each file's size.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DIST = join(HERE, "dist");
const ROOT = join(HERE, "..", "..");
const manifest = JSON.parse(readFileSync(join(HERE, "package.json"), "utf8")) as { dependencies: Record<string, string> };
const dependencies = Object.keys(manifest.dependencies);

/**
 * Carried inside the CommonJS bundle: jose ships ESM only (and `require` of ESM is not on every Node
 * the package supports), and openapi-fetch's CommonJS build puts its function on `exports.default`,
 * which CommonJS made from this ESM source would read as the whole module.
 */
const INLINED_IN_CJS = ["jose", "openapi-fetch"];

const common: BuildOptions = {
  entryPoints: [join(HERE, "index.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
};

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
}

function declarations(): Promise<void> {
  const tsc = spawn(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(HERE, "tsconfig.json")], { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    tsc.once("error", reject);
    tsc.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`tsc for the client's declarations failed (${code ?? signal})`))));
  });
}

export async function buildClient(): Promise<Array<{ file: string; bytes: number; gzipBytes: number }>> {
  rmSync(DIST, { recursive: true, force: true });
  const esm = join(DIST, "esm");
  const cjs = join(DIST, "cjs");
  // Declarations: tsc for the package's modules (the longest step, in its own process while esbuild
  // bundles), the generated schema.d.ts as it is; the same files serve the CommonJS entry, read as
  // CommonJS under its own package.json.
  await Promise.all([
    build({ ...common, format: "esm", outfile: join(esm, "index.js"), external: dependencies }),
    build({ ...common, format: "cjs", outfile: join(cjs, "index.js"), external: dependencies.filter((d) => !INLINED_IN_CJS.includes(d)) }),
    declarations(),
  ]);
  copyFileSync(join(HERE, "schema.d.ts"), join(esm, "schema.d.ts"));
  for (const file of declarationFiles(esm)) {
    mkdirSync(dirname(join(cjs, file)), { recursive: true });
    copyFileSync(join(esm, file), join(cjs, file));
  }
  writeFileSync(join(cjs, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  return ["esm/index.js", "cjs/index.js"].map((file) => {
    const bytes = readFileSync(join(DIST, file));
    return { file: relative(ROOT, join(DIST, file)), bytes: statSync(join(DIST, file)).size, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const { file, bytes, gzipBytes } of await buildClient())
    console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB (${(gzipBytes / 1024).toFixed(1)} KiB gzip)`);
}
