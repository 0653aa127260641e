/**
 * `npm start`. The Node version is checked before the hub's modules are loaded, so an old Node
 * gets one line saying so rather than a failure inside a dependency; then the command line, so
 * `--help` or a stray argument answers without starting a hub.
 */
import { nodeVersionProblem } from "./node-version.js";

const HELP = `Usage: npm start [-- --help]

Starts the Hoptrace hub on 127.0.0.1 with DynamoDB and SQS emulated in this process and its data
on disk, and serves the API and the console until Ctrl-C. On first start it makes the consortium's
key pair in the data folder (unless CONSORTIUM_PUBLIC_JWK is given) and prints the first person's
invitation link. Settings come from the environment; the main ones:

  PORT                     the port (default 8787; 0 picks a free one)
  HOPTRACE_DATA_DIR        the data folder (default .data)
  CONSORTIUM_PUBLIC_JWK    the first consortium key, instead of one made here
  DEFAULT_DEADLINE_POLICY  us-24h (default), ca-2bd or fixed (FIXED_DEADLINE_SECONDS)
  LOG_LEVEL, LOG_FORMAT    DEBUG, INFO (default), WARN, ERROR or SILENT; text or json
  SMTP_URL, MAIL_FROM      send e-mail over SMTP instead of .eml files in the data folder

Every setting, with its default, is in README.md under "Configuration". A value it cannot use,
a busy port or a data folder held by another hub stops it with one line each.

Options:
  -h, --help  this text

Exit status: 0 after Ctrl-C (SIGINT) or SIGTERM, 1 when it cannot start, 2 on bad options.`;

const problem = nodeVersionProblem(process.version);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const { readCommandLine } = await import("../platform/cli.js");
readCommandLine(process.argv.slice(2), HELP, {});
await import("./start.js");
