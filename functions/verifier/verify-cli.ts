/**
 * `npx hoptrace-verify bundle.json... [--jwks hub-jwks.json] [--checkpoint trusted.json]
 * [--consistency proof.json] [--json]`: checks evidence bundles offline, without the hub, and
 * prints a report per hop. Exit status 0 when everything verifies, 1 when anything does not,
 * 2 for bad arguments or unreadable files. The command line is read before the verifier's
 * modules are loaded, so `--help` and a mistyped option answer at once.
 */
import { readFile } from "node:fs/promises";
import { readCommandLine } from "../platform/cli.js";
import type { BundleReport, BundleVerifyOptions } from "./bundle.js";

const HELP = `Usage: npx hoptrace-verify <bundle.json>... [options]   (or npm run verify -- <bundle.json>... [options])

Checks evidence bundles (GET /v1/tracebacks/{id}/evidence) without the hub: every RFC 9421
request signature and Content-Digest, every signer's key and its registration proof, every
receipt against the hub's JWKS, every statement's log entry and its inclusion proof in the
bundle's signed checkpoint, the certificates, and the chain against its signed requests and the
hub's logged decisions. Prints a report per hop of each bundle.

Options:
  --jwks <file>         the hub's JWKS as you obtained it (<hub>/.well-known/jwks.json); without
                        it the keys inside the bundle are used, which proves nothing about who made it
  --checkpoint <file>   a checkpoint you trust (a witness's state, or <hub>/log/v1/checkpoint saved
                        earlier): the bundle's checkpoint must be consistent with it
  --consistency <file>  the consistency proof between the two (<hub>/log/v1/proofs/consistency),
                        when the bundle carries none (ask for the bundle with ?trustedSize=<size>)
  --json                print the reports as JSON
  -h, --help            this text

Exit status: 0 verified, 1 not verified, 2 bad arguments or unreadable files.`;

const cli = readCommandLine(
  process.argv.slice(2),
  HELP,
  { jwks: { type: "string" }, checkpoint: { type: "string" }, consistency: { type: "string" }, json: { type: "boolean" } },
  { positionals: Number.MAX_SAFE_INTEGER },
);
if (cli.positionals.length === 0) cli.fail("give at least one bundle");

const [{ ConsistencyProofSchema }, { verifyBundle }, { formatBundleReport }] = await Promise.all([
  import("../http/schemas/log.js"),
  import("./bundle.js"),
  import("./bundle-report.js"),
]);

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    return cli.fail(`${path}: ${(err as Error).message}`);
  }
}

/** A trusted checkpoint file: a signed note, a `/log/v1/checkpoint` body, or a witness's state. */
async function trustedCheckpoint(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    return cli.fail(`${path}: ${(err as Error).message}`);
  }
  let json: { checkpoint?: unknown; last?: { checkpoint?: unknown } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const note = json === undefined ? text : typeof json.checkpoint === "string" ? json.checkpoint : json.last?.checkpoint;
  return typeof note === "string" && note.includes("\n\n") ? note : cli.fail(`${path}: no checkpoint in it`);
}

const opts: BundleVerifyOptions = {};
if (cli.values.jwks) opts.jwks = (await readJson(cli.values.jwks)) as { keys: object[] };
if (cli.values.checkpoint) opts.trustedCheckpoint = await trustedCheckpoint(cli.values.checkpoint);
if (cli.values.consistency) {
  const proof = ConsistencyProofSchema.safeParse(await readJson(cli.values.consistency));
  if (!proof.success) cli.fail(`${cli.values.consistency}: not a consistency proof`);
  opts.consistency = proof.data!;
}

const reports: BundleReport[] = [];
for (const path of cli.positionals) reports.push(await verifyBundle(await readJson(path), opts));
if (cli.values.json) {
  process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
} else {
  process.stdout.write(reports.map(formatBundleReport).join("\n"));
  if (reports.length > 1) process.stdout.write(`\n${reports.filter((r) => r.ok).length} of ${reports.length} bundles verified\n`);
}
process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
