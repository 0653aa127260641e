/**
 * `npm run chaos -- --kills 200`: the kill -9 harness (harness.ts) as long as you like, with
 * progress on stderr and the summary on stdout; exits 1 when anything was lost or duplicated.
 */
import { readCommandLine } from "../../functions/platform/cli.js";
import type { ChaosReport } from "./harness.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Exiting (rather than dying of the signal) takes the hub's process group down too.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const HELP = `Usage: npm run chaos -- [options]

Starts the hub as \`npm start\` does, on a fresh data folder, drives signed traceback creations and
answers against it, kills the whole process group with SIGKILL at random instants (right after a
200/201, at a random moment, during start-up) and starts it again on the same folder. Then checks
that every hop got exactly one logical hop_request.created at its provider's webhook and in its
event feed, that no traceback or hop was duplicated, and that every accepted answer has its next hop.

  --kills N         kills to make (default 50)
  --clients N       concurrent clients driving requests (default 4)
  --providers N     providers, each with a webhook endpoint (default 6)
  --seed N          seed of the random choices (default: random, printed)
  --settle-seconds  how long the hub may take to deliver what is due after the last kill (default 20)
  --keep            keep the data folder (and its hub.log) afterwards
  --json            print the report as JSON
  -h, --help        this text`;

const { values } = readCommandLine(process.argv.slice(2), HELP, {
  kills: { type: "string", default: "50" },
  clients: { type: "string", default: "4" },
  providers: { type: "string", default: "6" },
  seed: { type: "string" },
  "settle-seconds": { type: "string", default: "20" },
  keep: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
});

const count = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number\n\n${HELP}\n`);
    process.exit(2);
  }
  return n;
};

// Loaded once the command line is read, so --help and a mistyped option answer at once.
const { runChaos } = await import("./harness.js");
const report = await runChaos({
  kills: count("kills", values.kills),
  clients: Math.max(1, count("clients", values.clients)),
  providers: Math.max(2, count("providers", values.providers)),
  settleMs: count("settle-seconds", values["settle-seconds"]) * 1000,
  keepData: values.keep,
  ...(values.seed !== undefined && { seed: count("seed", values.seed) }),
  progress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
process.exit(report.ok ? 0 : 1);

function summary(r: ChaosReport): string {
  const f = r.findings;
  const list = (xs: string[]) => (xs.length === 0 ? "0" : `${xs.length}: ${xs.slice(0, 10).join("; ")}${xs.length > 10 ? " ..." : ""}`);
  return `
kill -9 harness, seed ${r.seed}: ${r.ok ? "nothing lost, nothing duplicated" : "FAILED"}
  wall time                         ${(r.wallMs / 1000).toFixed(1)} s
  kills                             ${r.kills.total} (after a 2xx ${r.kills["after a 2xx"]}, random moment ${r.kills["random moment"]}, during start-up ${r.kills["during start-up"]})
  starts                            ${r.starts} (ended by themselves: ${r.selfExits}); mean start ${r.meanStartMs} ms, mean life ${r.meanLifeMs} ms
  settled after the last kill in    ${(r.settleMs / 1000).toFixed(1)} s
  tracebacks acknowledged (201)     ${r.creationsAcknowledged}
  answers accepted (200)            ${r.answersAccepted}
  hops stored                       ${f.hops}
  hops notified exactly once        ${f.notifiedOnce}
  hops never notified               ${list(f.missing)}
  hops notified under 2+ ids        ${list(f.logicalDuplicates)}
  repeated deliveries of one id     ${f.physicalDuplicates} (of ${r.webhooksReceived} webhooks received)
  misdirected deliveries            ${f.misdirected}
  feed mismatches                   ${list(f.feedMismatches)}
  duplicated tracebacks             ${list(f.duplicatedTracebacks)}
  acknowledged but not stored       ${list(f.lostTracebacks)}
  broken chains                     ${list(f.brokenChains)}
  accepted answers, no next hop     ${list(f.answersWithoutNextHop)}
  5xx responses                     ${list(r.serverErrors)}
  refused retries                   ${list(r.refusals)}
${r.ok ? "" : `  data kept in                      ${r.dataDir}\n`}`;
}
