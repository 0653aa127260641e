/**
 * Builds what `npm start` runs: the console (functions/console/build.ts) and the hub, bundled by
 * esbuild into functions/local/dist/. Node then loads the hub from a handful of files instead of
 * resolving and transforming some two thousand modules through tsx's loader: a start costs about
 * a third of the CPU it costs from the source (BENCHMARKS.md, "Starting the local hub").
 *
 * Every module keeps its source location: `import.meta.url` and `import.meta.dirname` are
 * replaced, file by file, with those of the file the code was written in, so what the code finds
 * beside itself (the console's dist/, package.json's engines, dynalite's internals) is found where
 * it is when the source runs under tsx. The bundle therefore runs only from the checkout it was
 * built in, which is all it is for; it is never committed.
 *
 * The check of the Node version runs before the rest is loaded (main.ts imports start.ts
 * dynamically), so the bundle keeps that split: esbuild writes the dynamic import's graph as a
 * chunk of its own.
 *
 *   tsx functions/local/build.ts [outDir]
 */
import { readFile, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { ESM_REQUIRE_BANNER, MAIN_FIELDS } from "../../infra/bundling.js";
import { buildConsole } from "../console/build.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, "../..");
export const HUB_OUT_DIR = join(HERE, "dist");
/** The file node runs, with `HUB_NODE_FLAGS` (package.json's start script). */
export const hubEntry = (outDir = HUB_OUT_DIR) => join(outDir, "main.mjs");
/** Stack traces in the hub's logs name the source files and lines rather than the bundle's. */
export const HUB_NODE_FLAGS = ["--enable-source-maps"];

/**
 * Left to node_modules: packages that find files of their own at run time (dynalite requires its
 * actions by name, classic-level loads a native addon, local-aws-sqs reads its templates).
 */
const EXTERNAL = ["dynalite", "classic-level", "local-aws-sqs"];

/** Gives each of the project's own files its source location (see the header comment). */
function sourceLocations(): Plugin {
  const own = new RegExp(`^${REPO_ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[\\\\/](functions|openapi)[\\\\/].*\\.ts$`);
  return {
    name: "source-locations",
    setup(b) {
      b.onLoad({ filter: own }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.")) return undefined;
        const contents = source
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path));
        return { contents, loader: "ts" };
      });
    },
  };
}

/** Bundles functions/local/main.ts into `outDir`, swapped in whole so no start reads half a build. */
export async function buildHub(outDir = HUB_OUT_DIR): Promise<string> {
  const staging = `${outDir}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await build({
    entryPoints: { main: join(HERE, "main.ts") },
    outdir: staging,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    // package.json's engines: the oldest Node the hub starts on.
    target: "node20",
    // As the Lambda bundles are (infra/bundling.ts): a package's ESM build, and a `require` for CommonJS.
    mainFields: MAIN_FIELDS,
    external: EXTERNAL,
    sourcemap: true,
    banner: { js: ESM_REQUIRE_BANNER },
    plugins: [sourceLocations()],
    logLevel: "warning",
  });
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return hubEntry(outDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await Promise.all([buildConsole(), buildHub(process.argv[2] ? resolve(process.argv[2]) : undefined)]);
}
