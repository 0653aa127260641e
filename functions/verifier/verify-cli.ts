/**
 * `npx hoptrace-verify bundle.json [--jwks hub-jwks.json] [--checkpoint trusted.json]
 * [--consistency proof.json] [--json]`: checks an evidence bundle offline, without the hub, and
 * prints a report per hop. Exit status 0 when everything verifies, 1 when anything does not,
 * 2 for bad arguments or unreadable files.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { verifyBundle, type BundleVerifyOptions } from "./bundle.js";
import { formatBundleReport } from "./bundle-report.js";

const USAGE = `usage: hoptrace-verify <bundle.json> [--jwks <hub-jwks.json>] [--checkpoint <trusted.json>] [--consistency <proof.json>] [--json]

Checks an evidence bundle (GET /v1/tracebacks/{id}/evidence) without the hub: every RFC 9421
request signature and Content-Digest, every signer's key and its registration proof, every
receipt against the hub's JWKS, every statement's log entry and its inclusion proof in the
bundle's signed checkpoint, the certificates, and the chain against its signed statements.

  --jwks <file>         the hub's JWKS as you obtained it (<hub>/.well-known/jwks.json); without
                        it the keys inside the bundle are used, which proves nothing about who made it
  --checkpoint <file>   a checkpoint you trust (a witness's state, or <hub>/log/v1/checkpoint saved
                        earlier): the bundle's checkpoint must be consistent with it
  --consistency <file>  the consistency proof between the two (<hub>/log/v1/proofs/consistency),
                        when the bundle carries none (ask for the bundle with ?trustedSize=<size>)
  --json                print the report as JSON
  -h, --help            this text

Exit status: 0 verified, 1 not verified, 2 bad arguments.`;

const EXIT = { verified: 0, failed: 1, usage: 2 } as const;

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8"));
}

/** A trusted checkpoint file: a signed note, a `/log/v1/checkpoint` body, or a witness's state. */
function checkpointIn(value: unknown, text: string): string | undefined {
  if (typeof value === "object" && value !== null) {
    const v = value as { checkpoint?: unknown; last?: { checkpoint?: unknown } };
    if (typeof v.checkpoint === "string") return v.checkpoint;
    if (typeof v.last?.checkpoint === "string") return v.last.checkpoint;
    return undefined;
  }
  return text.includes("\n\n") ? text : undefined;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { jwks: { type: "string" }, checkpoint: { type: "string" }, consistency: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return EXIT.verified;
  }
  if (positionals.length !== 1) {
    console.error(USAGE);
    return EXIT.usage;
  }
  const opts: BundleVerifyOptions = {};
  let bundle: unknown;
  try {
    bundle = await readJson(positionals[0]!);
    if (values.jwks) opts.jwks = (await readJson(values.jwks)) as { keys: object[] };
    if (values.checkpoint) {
      const text = await readFile(values.checkpoint, "utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const note = checkpointIn(json, text);
      if (!note) throw new Error(`${values.checkpoint}: no checkpoint in it`);
      opts.trustedCheckpoint = note;
    }
    if (values.consistency) opts.consistency = (await readJson(values.consistency)) as BundleVerifyOptions["consistency"];
  } catch (err) {
    console.error((err as Error).message);
    return EXIT.usage;
  }
  const report = await verifyBundle(bundle, opts);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatBundleReport(report));
  return report.ok ? EXIT.verified : EXIT.failed;
}

process.exitCode = await main(process.argv.slice(2));
