/**
 * `npm run rmd:import -- <export.csv> [--hub URL] [--key file.jwk] [--as-of DATE] [--allow-mass-removal]`:
 * imports an FCC RMD CSV export into a hub as a new snapshot, with progress on stderr and the
 * snapshot's counts (or every bad row, by line) on stdout. The command line is read before the
 * uploader is loaded, so `--help` and a mistyped option answer at once.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const USAGE = `usage: npm run rmd:import -- <export.csv> [options]

Imports the FCC Robocall Mitigation Database CSV export into a Hoptrace hub as a new snapshot.
Every row is checked first; one bad row refuses the whole file and every problem is listed by line.

options:
  --hub <url>             the hub (default http://127.0.0.1:8787)
  --key <file.jwk>        a consortium private JWK (default .data/consortium.private.jwk.json)
  --as-of <date>          when the export was taken: YYYY-MM-DD or an ISO date-time (default: now)
  --allow-mass-removal    accept a snapshot that removes more than a quarter of the previous one
  -h, --help              this text`;

interface Args {
  hub: string;
  key: string;
  asOf?: string;
  allowMassRemoval: boolean;
  file: string;
}

function parse(argv: string[]): Args | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        hub: { type: "string" },
        key: { type: "string" },
        "as-of": { type: "string" },
        "allow-mass-removal": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  return {
    file: positionals[0]!,
    hub: values.hub ?? "http://127.0.0.1:8787",
    key: values.key ?? ".data/consortium.private.jwk.json",
    ...(values["as-of"] !== undefined && { asOf: values["as-of"] }),
    allowMassRemoval: values["allow-mass-removal"] ?? false,
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === "number") return args;
  const [{ signingKeyFromJwk }, { uploadRmdExport }] = await Promise.all([import("../../openapi/client/signing.js"), import("./upload.js")]);
  let key;
  try {
    key = await signingKeyFromJwk(JSON.parse(await readFile(args.key, "utf8")) as Record<string, unknown>);
  } catch (err) {
    console.error(`cannot read the key ${args.key}: ${(err as Error).message}`);
    return 2;
  }
  const started = Date.now();
  const progress = progressLine();
  let waiting: NodeJS.Timeout | undefined;
  const waitForHub = () => {
    const sentAt = Date.now();
    waiting = setInterval(() => progress(`sent; the hub is checking every row and writing the snapshot (${Math.round((Date.now() - sentAt) / 1000)} s)`), 1000);
  };
  let result;
  try {
    result = await uploadRmdExport({
      hub: args.hub,
      key,
      file: args.file,
      ...(args.asOf && { asOf: args.asOf }),
      allowMassRemoval: args.allowMassRemoval,
      onProgress: (phase, done, total) => {
        progress(`${phase} ${args.file}: ${percent(done, total)} of ${mib(total)}`);
        if (phase === "sending" && done === total && !waiting) waitForHub();
      },
    });
  } catch (err) {
    clearInterval(waiting);
    progress.end();
    console.error(`the import failed: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ""}`);
    return 1;
  } finally {
    clearInterval(waiting);
    progress.end();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const body = result.body as Record<string, any> | undefined;
  if (result.status === 201 && body) {
    console.log(
      `snapshot ${body.id} of ${body.asOf}: ${body.filings} filings (${body.added} added, ${body.changed} changed, ${body.removed} removed, ${body.unchanged} unchanged) in ${seconds} s`,
    );
    return 0;
  }
  console.error(`the hub refused the import (${result.status} ${body?.code ?? ""}): ${body?.detail ?? result.text}`);
  for (const e of (body?.errors ?? []) as Array<{ detail: string }>) console.error(`  ${e.detail}`);
  return 1;
}

/** One line rewritten in place on a terminal; a line now and then when stderr is a file. */
function progressLine(): ((text: string) => void) & { end(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  let shown = false;
  const show = (text: string) => {
    const now = Date.now();
    if (now - last < (tty ? 100 : 2000)) return;
    last = now;
    shown = true;
    process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  };
  return Object.assign(show, {
    end: () => {
      if (tty && shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  });
}

const percent = (done: number, total: number) => `${total === 0 ? 100 : Math.floor((done / total) * 100)} %`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

process.exitCode = await main(process.argv.slice(2));
