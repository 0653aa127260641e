/**
 * How the tests start a TypeScript tool: node with tsx's loader, found by its own location so that
 * a tool started in another folder still finds it. That is what `npx tsx <file>` runs, less tsx's
 * launcher process (and npm's, for `npm run`).
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TSX_LOADER = pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** The arguments of `process.execPath` that run `file` (from the repository's root) with `args`. */
export const tsxArgs = (file: string, ...args: string[]): string[] => ["--import", TSX_LOADER, join(REPO_ROOT, file), ...args];

/**
 * The package's `hoptrace-verify` bin, to run as `node <bin>`: what `npx hoptrace-verify` runs once
 * npm has found it (test/e2e/evidence-bundle.test.ts runs it through npx itself).
 */
export const VERIFY_BIN = join(REPO_ROOT, "bin", "hoptrace-verify.mjs");
