/**
 * Builds every handler bundle exactly as the CDK function construct does (the options come from
 * infra/bundling.ts) and reports, per bundle, its size and the time its module takes to
 * initialise in a fresh Node process: `npm run bundle:report -- [runs]` (or `npm run bench:bundles`). Progress goes to stderr,
 * the table to stdout.
 *
 * What the start-up figure covers: the dynamic `import()` of the bundle, i.e. parsing and
 * evaluating it, including the handler's top-level await that builds the runtime (config, SDK
 * clients, Hono app, hub key). On AWS that await also fetches the hub key from Secrets Manager
 * over the network; here the bundle runs in local mode with the key in a file and the SDK
 * pointed at an unused loopback endpoint, so no request is made and the figure is the module's
 * own cost. Add one Secrets Manager round trip (and Lambda's own runtime start) for a cold start.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { integerOption, readCommandLine } from "../functions/platform/cli.js";
import type { HandlerName } from "./bundling.js";

const HELP = `Usage: npm run bundle:report -- [runs]

Builds every Lambda handler bundle exactly as the CDK construct does and reports, per bundle, its
size, its source map's size, and the median time over <runs> fresh Node processes (default 5) to
import it (parse, evaluate, build the runtime), with and without source maps, against a bundle of
the bare DynamoDB and SQS clients. Progress on stderr, the table on stdout.

Options:
  -h, --help  this text`;

/**
 * The yardstick: a handler that only builds the DynamoDB and SQS clients every Hoptrace
 * function builds, bundled with the same options. What a function adds on top is its own.
 */
const BARE_SDK = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
const db = new DynamoDBClient({ region: process.env.AWS_REGION });
const sqs = new SQSClient({ region: process.env.AWS_REGION });
export const handler = async () => [db.config.region, sqs.config.region];`;
const BARE = "bare SDK";

interface Row {
  handler: HandlerName | typeof BARE;
  bytes?: number;
  mapBytes?: number;
  withMapsMs?: number;
  withoutMapsMs?: number;
  note?: string;
}

const cli = readCommandLine(process.argv.slice(2), HELP, {}, { positionals: 1 });
const runs = integerOption(cli, "<runs>", cli.positionals[0], 5, 1, 1000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ build }, { generateSigningKey }, { esbuildBuildOptions, handlerEntry, HANDLER_NAMES, NODE_OPTIONS, REPO_ROOT }] = await Promise.all([
  import("esbuild"),
  import("../functions/crypto/keys.js"),
  import("./bundling.js"),
]);
/** A line per step; on a terminal also each import, over the same line. */
const progress = (line: string, transient = false) => {
  if (!transient) process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}${line}\n`);
  else if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
};
const work = mkdtempSync(join(tmpdir(), "hoptrace-bundles-"));

const IMPORT_TIMER = `
const url = process.argv[1];
const t0 = performance.now();
await import(url);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms }));
process.exit(0);
`;

async function main(): Promise<void> {
  const keyFile = join(work, "hub-key.private.jwk.json");
  writeFileSync(keyFile, JSON.stringify((await generateSigningKey()).privateJwk), { mode: 0o600 });
  const env = {
    PATH: process.env.PATH ?? "",
    HOPTRACE_MODE: "local",
    AWS_REGION: "us-east-1",
    TABLE_NAME: "hoptrace",
    DELIVERY_QUEUE_URL: "http://127.0.0.1:9/000000000000/hoptrace-deliveries",
    DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    SQS_ENDPOINT: "http://127.0.0.1:9",
    PUBLIC_URL: "https://hub.example.org/dev",
    HUB_KEY_FILE: keyFile,
    WEBHOOK_SECRETS_KEY_FILE: join(work, "webhook-secrets.key.json"),
    LOG_LEVEL: "ERROR",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };

  const rows: Row[] = [];
  {
    const outfile = join(work, "bare", "index.mjs");
    const { entryPoints: _entry, ...options } = esbuildBuildOptions("api", outfile);
    progress(`[0/${HANDLER_NAMES.length}] ${BARE}: building`);
    await build({ ...options, stdin: { contents: BARE_SDK, resolveDir: REPO_ROOT, loader: "js" } });
    rows.push({
      handler: BARE,
      bytes: statSync(outfile).size,
      mapBytes: statSync(`${outfile}.map`).size,
      withMapsMs: median(times(outfile, env, [NODE_OPTIONS], `${BARE}: with source maps`)),
      withoutMapsMs: median(times(outfile, env, [], `${BARE}: without source maps`)),
    });
  }
  for (const [i, handler] of HANDLER_NAMES.entries()) {
    const step = `[${i + 1}/${HANDLER_NAMES.length}] ${handler}`;
    if (!existsSync(handlerEntry(handler))) {
      progress(`${step}: no entry file, skipped`);
      rows.push({ handler, note: "no entry file yet" });
      continue;
    }
    const outfile = join(work, handler, "index.mjs");
    progress(`${step}: building`);
    const started = performance.now();
    await build(esbuildBuildOptions(handler, outfile));
    const row: Row = { handler, bytes: statSync(outfile).size, mapBytes: statSync(`${outfile}.map`).size };
    progress(
      `${step}: built, ${(row.bytes! / 1024).toFixed(1)} KiB in ${((performance.now() - started) / 1000).toFixed(1)} s; timing ${runs} imports with source maps, then ${runs} without`,
    );
    try {
      row.withMapsMs = median(times(outfile, env, [NODE_OPTIONS], `${step}: with source maps`));
      row.withoutMapsMs = median(times(outfile, env, [], `${step}: without source maps`));
    } catch (err) {
      row.note = `import failed: ${firstLine(err)}`;
    }
    rows.push(row);
  }
  print(rows);
}

function times(bundle: string, env: Record<string, string>, nodeFlags: string[], label: string): number[] {
  return Array.from({ length: runs }, (_, run) => {
    progress(`${label}, import ${run + 1}/${runs}`, true);
    const out = execFileSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", IMPORT_TIMER, pathToFileURL(bundle).href], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    return (JSON.parse(out) as { ms: number }).ms;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = e.stderr?.trim() || e.message || String(err);
  return text.split("\n").find((l) => /Error/.test(l)) ?? text.split("\n")[0] ?? "";
}

function print(rows: Row[]): void {
  const header = ["handler", "bundle bytes", "bundle KiB", "map KiB", `init ms (${NODE_OPTIONS})`, "init ms (no source maps)", "init ÷ bare SDK", "note"];
  const bare = rows.find((r) => r.handler === BARE)?.withMapsMs;
  const cells = rows.map((r) => [
    r.handler,
    r.bytes?.toString() ?? "-",
    r.bytes !== undefined ? (r.bytes / 1024).toFixed(1) : "-",
    r.mapBytes !== undefined ? (r.mapBytes / 1024).toFixed(1) : "-",
    r.withMapsMs !== undefined ? r.withMapsMs.toFixed(1) : "-",
    r.withoutMapsMs !== undefined ? r.withoutMapsMs.toFixed(1) : "-",
    r.withMapsMs !== undefined && bare ? (r.withMapsMs / bare).toFixed(2) : "-",
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(" | ")} |`;
  console.log(`Handler bundles (esbuild, ESM, minified, target from infra/bundling.ts; @aws-sdk/* bundled)`);
  console.log(`Node ${process.version} on ${process.arch}; Lambda runs Node 22 on arm64, so absolute times differ there.`);
  console.log(`init ms = median of ${runs} fresh processes of the time to import() the bundle: parse, evaluate, and`);
  console.log(`the handler's top-level await (config, SDK clients, app, hub key read from a local file).`);
  console.log(`Not included: Node/Lambda runtime start, and on AWS the Secrets Manager call for the hub key.\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
