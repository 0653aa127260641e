/**
 * `npm run fuzz -- --n 10000`: the contract fuzz at length, against a fresh populated hub.
 * Prints progress and a summary (counts per status and operation); exits 1 on any finding, with
 * the seed and case number that draw it again.
 */
import { parseArgs } from "node:util";
import type { FuzzSummary } from "./contract-fuzz.js";

const HELP = `Usage: npm run fuzz -- [options]

Sends requests drawn from openapi/openapi.json (every operation in turn, valid and invalid) to a
fresh embedded hub and checks every answer against the contract: no 5xx, every error
application/problem+json with a code, every 2xx body valid against its schema.

Options:
  --n <count>     requests to send (default 2000)
  --seed <int>    seed of the run (default: random, printed)
  --from <index>  first case to draw (with --seed, replays a run from that case)
  --http          send over HTTP to the embedded server instead of into the app in process
  --verbose       print every finding in full
  -h, --help      this text

Exit status: 0 when nothing was found, 1 on any finding, 2 on bad options.`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      n: { type: "string", default: "2000" },
      seed: { type: "string" },
      from: { type: "string", default: "0" },
      http: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (err) {
  console.error(`${(err as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(HELP);
  process.exit(0);
}
const n = Number(args.values.n);
const from = Number(args.values.from);
const seed = args.values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.values.seed);
if (![n, from, seed].every(Number.isInteger) || n < 1 || from < 0) {
  console.error(`--n, --from and --seed take integers\n\n${HELP}`);
  process.exit(2);
}
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ OPERATIONS, runFuzz }, { startFuzzHub }] = await Promise.all([import("./contract-fuzz.js"), import("./fuzz-hub.js")]);

const counts = (byStatus: Record<string, number>) =>
  Object.entries(byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join("  ");

console.log(
  `contract fuzz: ${n} requests over ${OPERATIONS.length} operations, seed ${seed}${from ? `, from case ${from}` : ""}, ${args.values.http ? "over HTTP" : "in process"}`,
);
const hub = await startFuzzHub({ http: args.values.http });
let summary: FuzzSummary;
try {
  summary = await runFuzz({
    seed,
    n,
    from,
    world: hub.world,
    send: hub.send,
    progressEvery: Math.max(100, Math.floor(n / 20)),
    onProgress: (s) => console.log(`  ${s.sent}/${n}  ${(s.sent / (s.ms / 1000)).toFixed(0)} req/s  findings ${s.findings.length}  ${counts(s.byStatus)}`),
  });
} finally {
  await hub.stop();
}

console.log(`\n${summary.sent} requests in ${(summary.ms / 1000).toFixed(1)} s\nby status: ${counts(summary.byStatus)}\n\nby operation:`);
for (const op of OPERATIONS) console.log(`  ${op.id.padEnd(34)} ${counts(summary.byOperation[op.id] ?? {})}`);
const undeclared = Object.entries(summary.undeclared);
if (undeclared.length > 0) {
  console.log(`\nstatuses the contract does not declare for the operation (not findings):`);
  for (const [what, count] of undeclared.sort()) console.log(`  ${what}: ${count}`);
}
if (summary.findings.length === 0) {
  console.log("\nno findings");
  process.exit(0);
}
console.log(`\n${summary.findings.length} finding(s):`);
for (const f of args.values.verbose ? summary.findings : summary.findings.slice(0, 20)) {
  console.log(`\n- case ${f.index}: ${f.problem}`);
  console.log(`  ${f.request.method} ${f.request.target} as ${f.request.signer} (signature ${f.request.signing}, idempotency ${f.request.idempotency})`);
  if (f.request.body !== undefined) console.log(`  body (${f.request.contentType}): ${f.request.body.slice(0, 300)}`);
  console.log(`  answered ${f.status}: ${f.response.slice(0, 300)}`);
  console.log(`  again: npm run fuzz -- --seed ${f.seed} --from ${f.index} --n 1   (with the state before it: --seed ${f.seed} --n ${f.index + 1})`);
}
process.exit(1);
