/**
 * `npm run demo`: the live demo; exits 0 when every traceback reached its expected outcome. The
 * command line is read before the hub's modules are loaded, so `--help` and a mistyped option
 * answer at once.
 */
import { integerOption, readCommandLine } from "../platform/cli.js";

const HELP = `Usage: npm run demo -- [options]

Starts a hub in this process (DynamoDB and SQS emulated in memory), registers eight
providers (six run the auto-responder, one answers nothing, one whose responder sets its call
aside for a person) and runs one traceback per outcome: originator found after five hops,
point of entry from abroad, a silent provider escalated, a loop, an answer given by hand. Prints
what happens as it happens, then each chain with its timings.

Options:
  --timeout <seconds>  longest wait for any one traceback to end (default 20)
  -h, --help           this text

Exit status: 0 when every traceback ended as expected, 1 otherwise, 2 on bad options.`;

const cli = readCommandLine(process.argv.slice(2), HELP, { timeout: { type: "string" } });
const timeoutSeconds = integerOption(cli, "--timeout", cli.values.timeout, 20, 1, 3600);
const { runDemo } = await import("./demo.js");
const { ok } = await runDemo({ timeoutMs: timeoutSeconds * 1000 });
process.exitCode = ok ? 0 : 1;
