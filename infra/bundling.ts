/**
 * How every handler is bundled, in one place: the function construct passes these options to
 * NodejsFunction and `infra/bundle-report.ts` hands the same ones to esbuild, so the sizes and
 * start-up times it reports are those of what is deployed.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The Lambda entry points under functions/handlers, by name. */
export const HANDLER_NAMES = ["api", "console", "delivery", "reconciler", "sweeper", "integrator"] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export function handlerEntry(name: HandlerName): string {
  return join(REPO_ROOT, "functions", "handlers", `${name}.ts`);
}

/** Lambda's Node.js 22 runtime; esbuild lowers nothing that runtime already understands. */
export const ESBUILD_TARGET = "node22";

/**
 * The handlers use top-level await, so the bundle is ESM. Some dependencies are still CommonJS
 * and call `require` for Node built-ins; an ESM bundle has no `require`, so the banner makes one.
 * The aliased import cannot collide with a binding in the bundle.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __hoptraceCreateRequire } from 'node:module'; const require = __hoptraceCreateRequire(import.meta.url);";

/** Prefer a package's ESM build: it tree-shakes, and it avoids a CJS wrapper per module. */
export const MAIN_FIELDS = ["module", "main"];

/**
 * Nothing is external, `@aws-sdk/*` included. The SDK copy inside the Lambda runtime changes
 * version whenever AWS updates it, so the code would run against an SDK it was never tested
 * with; bundling the versions pinned in package-lock.json keeps deployed and tested code the
 * same, and tree-shaking a modular v3 client costs less at cold start than loading the
 * runtime's full copy from disk.
 */
export const EXTERNAL_MODULES: string[] = [];

/**
 * Packages the bundles take from ./bundle-aliases instead: zod without its translations of the
 * error messages, the SDK's credential chain reduced to the environment, where Lambda puts a
 * function's credentials, and no nodemailer (deployed, mail goes through SES's API). The sources run unchanged under tsx and in tests; the bundles are
 * proven by test/infra/bundles.test.ts.
 */
export const ALIASES: Record<string, string> = {
  zod: join(REPO_ROOT, "infra", "bundle-aliases", "zod.js"),
  "@aws-sdk/credential-provider-node": join(REPO_ROOT, "infra", "bundle-aliases", "credentials.js"),
  nodemailer: join(REPO_ROOT, "infra", "bundle-aliases", "nodemailer.js"),
};

/** The aliases as NodejsFunction passes them on esbuild's command line. */
export const ALIAS_ARGS: Record<string, string> = Object.fromEntries(Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to]));

export const MINIFY = true;
export const SOURCE_MAP = true;

/** Node resolves stack traces through the source maps only when asked to. */
export const NODE_OPTIONS = "--enable-source-maps";

/** The options as esbuild's build API takes them, for the report script. */
export function esbuildBuildOptions(name: HandlerName, outfile: string) {
  return {
    entryPoints: [handlerEntry(name)],
    outfile,
    bundle: true,
    platform: "node" as const,
    format: "esm" as const,
    target: ESBUILD_TARGET,
    minify: MINIFY,
    sourcemap: SOURCE_MAP,
    mainFields: MAIN_FIELDS,
    external: EXTERNAL_MODULES,
    alias: ALIASES,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: "warning" as const,
  };
}

/** Builds the web console into the console function's dist/, where it reads it. Runs in the project root. */
export function consoleBuildCommand(outputDir: string): string {
  return `npx --no-install tsx functions/console/build.ts ${JSON.stringify(join(outputDir, "dist"))}`;
}
