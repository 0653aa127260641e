/**
 * `npm run witness -- --hub URL --state file [--jwks file] [--interval seconds] [--once]`:
 * watches a hub's transparency log. Each poll checks that the new checkpoint is signed by the
 * hub and extends the last one accepted; the state file keeps that checkpoint between runs.
 * On a fork, a rollback or a forged checkpoint it writes the evidence next to the state file,
 * says so on stderr and exits with status 3. Network trouble is retried at the next poll. The
 * command line is read before the poller is loaded, so `--help` and a mistyped option answer at once.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const USAGE = "usage: hoptrace-witness --hub <url> --state <file> [--jwks <file>] [--interval <seconds>] [--once]";
const EXIT = { ok: 0, unavailable: 1, usage: 2, alarm: 3 } as const;

async function main(argv: string[]): Promise<number> {
  let values: { hub?: string; state?: string; jwks?: string; interval?: string; once?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        hub: { type: "string" },
        state: { type: "string" },
        jwks: { type: "string" },
        interval: { type: "string" },
        once: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const interval = Number(values.interval ?? "60");
  if (!values.hub || !values.state || !URL.canParse(values.hub) || !Number.isFinite(interval) || interval < 1) {
    console.error(USAGE);
    return EXIT.usage;
  }
  const [{ HubUnavailableError, pollOnce }, { WitnessStateError }] = await Promise.all([import("./witness-poll.js"), import("./witness-state.js")]);
  let jwks: { keys: object[] } | undefined;
  if (values.jwks) {
    try {
      jwks = JSON.parse(await readFile(values.jwks, "utf8"));
    } catch (err) {
      console.error(`${values.jwks}: ${(err as Error).message}`);
      return EXIT.usage;
    }
  }
  let stopping = false;
  let wake: (() => void) | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stopping = true;
      wake?.();
    });
  }
  for (;;) {
    try {
      const result = await pollOnce({ hub: values.hub, statePath: values.state, ...(jwks && { jwks }) });
      if (result.verdict === "no_checkpoint") {
        console.log(`${new Date().toISOString()} the hub has no checkpoint yet`);
      } else if ("detail" in result.verdict) {
        console.error(`ALARM ${result.verdict.kind}: ${result.verdict.detail}\nevidence kept in ${result.alarmFile}`);
        return EXIT.alarm;
      } else {
        const a = result.verdict.accepted;
        console.log(
          `${new Date().toISOString()} ${result.verdict.kind} ${a.origin} size=${a.size} root=${a.rootHash} signed=${new Date(a.timestamp * 1000).toISOString()}`,
        );
      }
    } catch (err) {
      if (err instanceof WitnessStateError) {
        console.error(err.message);
        return EXIT.usage;
      }
      if (!(err instanceof HubUnavailableError)) throw err;
      console.error(`${new Date().toISOString()} ${err.message}`);
      if (values.once) return EXIT.unavailable;
    }
    if (values.once || stopping) return EXIT.ok;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, interval * 1000).unref();
    });
    if (stopping) return EXIT.ok;
  }
}

process.exitCode = await main(process.argv.slice(2));
