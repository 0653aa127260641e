/**
 * `npm run responder -- --config responder.json [--sweep]`: runs the auto-responder next to a
 * provider's switch records until stopped. `--sweep` answers what is already open at start.
 * See responder.example.json for a configuration.
 */
import { parseArgs } from "node:util";
import { loadResponderConfig, ResponderConfigError } from "./config.js";
import { startResponder } from "./responder.js";

const USAGE = "usage: hoptrace-responder --config <file.json> [--sweep]";

async function main(argv: string[]): Promise<number> {
  let values: { config?: string; sweep?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string", short: "c" }, sweep: { type: "boolean" }, help: { type: "boolean", short: "h" } } }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.config) {
    console.error(USAGE);
    return 2;
  }
  let config;
  try {
    config = await loadResponderConfig(values.config);
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
