/**
 * `npm run responder -- --config responder.json [--sweep]`: runs the auto-responder next to a
 * provider's switch records until stopped. `--sweep` answers what is already open at start.
 * See responder.example.json for a configuration. The command line is read before the responder's
 * modules are loaded, so `--help` and a mistyped option answer at once.
 */
import { readCommandLine } from "../platform/cli.js";

const HELP = `Usage: npm run responder -- --config <file.json> [--sweep]

The provider auto-responder: receives the hub's webhooks, looks each call asked about up in your
call detail records, and answers the hop request with a signed request; a call the records do not
settle is left open for a person, never guessed. Runs until Ctrl-C (SIGINT) or SIGTERM. Logs are
JSON lines on stderr. The configuration file is described in functions/responder/README.md, with
an example in functions/responder/responder.example.json.

Options:
  -c, --config <file>  the configuration file (required)
  --sweep              also answer, at start, every hop request already open for you
  -h, --help           this text

Exit status: 0 after a clean stop, 1 when it cannot start (hub unreachable, port taken, key
unreadable), 2 on bad options or an invalid configuration.`;

async function main(argv: string[]): Promise<number> {
  const cli = readCommandLine(argv, HELP, { config: { type: "string", short: "c" }, sweep: { type: "boolean" } });
  const { values } = cli;
  const configFile = values.config ?? cli.fail("--config is required");
  const [{ loadResponderConfig, ResponderConfigError }, { startResponder }] = await Promise.all([import("./config.js"), import("./responder.js")]);
  let config;
  try {
    config = await loadResponderConfig(configFile);
  } catch (err) {
    if (err instanceof ResponderConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  let responder;
  try {
    responder = await startResponder(config);
  } catch (err) {
    console.error(`the responder could not start: ${(err as Error).message}`);
    return 1;
  }
  if (values.sweep) await responder.sweepOpen();
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await responder.stop();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
