/**
 * The command line of the project's tools, read one way: `-h`/`--help` prints the tool's help on
 * stdout and exits 0, an unknown option or a bad value prints one line saying what is wrong and
 * the help on stderr and exits 2, so nothing is ever started (or written) on a mistyped command.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

type Values<O extends Options> = { [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string };

export interface CommandLine<O extends Options> {
  values: Values<O>;
  positionals: string[];
  /** Stops the tool with a usage error: the reason, then the help. */
  fail(reason: string): never;
}

export function readCommandLine<O extends Options>(argv: readonly string[], help: string, options: O, opts: { positionals?: number } = {}): CommandLine<O> {
  const fail = (reason: string): never => {
    process.stderr.write(`${reason}\n\n${help}\n`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    return fail((err as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${help}\n`);
    process.exit(0);
  }
  const most = opts.positionals ?? 0;
  if (parsed.positionals.length > most)
    fail(most === 0 ? `unexpected argument ${JSON.stringify(parsed.positionals[0])}` : `too many arguments: ${parsed.positionals.join(" ")}`);
  return { values: parsed.values as Values<O>, positionals: parsed.positionals, fail };
}

/** A whole number option within bounds, or the usage error naming it. */
export function integerOption(
  cli: Pick<CommandLine<Options>, "fail">,
  label: string,
  value: string | undefined,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    return cli.fail(`${label} takes a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}
