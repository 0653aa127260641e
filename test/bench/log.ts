/**
 * `npm run bench:log`: the transparency log on the embedded emulator. Appends arrive from many
 * concurrent writers while one integrator runs in a loop, as it would behind the API; measured:
 * appends per second, entries integrated per second, the delay from an accepted append to the
 * first checkpoint that covers it, the DynamoDB writes and write units per entry, and the
 * latency and reads of an inclusion proof. Figures are printed, never asserted. `--help` for the
 * options.
 */
import { cpus, platform, release } from "node:os";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";
import type { LogDeps, LogHead, LogStore } from "../../functions/usecases/log-ports.js";

const HELP = `Usage: npm run bench:log -- [options]

The transparency log on the embedded DynamoDB emulator: appends from many concurrent writers
while one integrator runs in a loop. Prints appends and entries integrated per second, the delay
from an accepted append to the first signed checkpoint covering it (under a flood, and at a paced
rate for 10 s), DynamoDB writes and write units per entry, and inclusion proof latency and reads.

Options:
  --entries <n>      statements appended in the flood phases (default 3000)
  --concurrency <n>  appends in flight (default 32)
  --rate <n>         appends per second in the paced phase (default 25)
  -h, --help         this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, { entries: { type: "string" }, concurrency: { type: "string" }, rate: { type: "string" } });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ENTRIES = integerOption(cli, "--entries", cli.values.entries, 3000, 3, 1_000_000);
const CONCURRENCY = integerOption(cli, "--concurrency", cli.values.concurrency, 32, 1, 1000);
const RATE = integerOption(cli, "--rate", cli.values.rate, 25, 1, 10_000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [
  { createDocumentClient },
  { DynamoLogStore },
  { createSqsClient },
  { generateSigningKey },
  { MemoryTree },
  { verifyInclusion },
  { readCheckpoint },
  { systemClock },
  { startEmulators },
  { appendStatement },
  { integrate },
  { inclusionProof },
  { instrument },
  { ms, pct, progress: log },
] = await Promise.all([
  import("../../functions/adapters/dynamo/client.js"),
  import("../../functions/adapters/dynamo/log-store.js"),
  import("../../functions/adapters/sqs/client.js"),
  import("../../functions/crypto/keys.js"),
  import("../../functions/crypto/merkle/memory-tree.js"),
  import("../../functions/crypto/merkle/verify.js"),
  import("../../functions/crypto/checkpoint.js"),
  import("../../functions/domain/clock.js"),
  import("../../functions/local/emulators.js"),
  import("../../functions/usecases/log-append.js"),
  import("../../functions/usecases/log-integrate.js"),
  import("../../functions/usecases/log-proofs.js"),
  import("./counters.js"),
  import("./figures.js"),
]);
const PACED_SECONDS = 10;
const PROOFS = 200;
const IDLE_MS = 20;
const TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  const emulators = await startEmulators();
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  const sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
  const counter = instrument(db, sqs);
  const key = await generateSigningKey();
  const store = new DynamoLogStore(db, emulators.tableName, "bench");
  // Every head written, with when: what a reader polling the checkpoint would see.
  const heads: Array<{ size: number; at: number }> = [];
  const watched: LogStore = Object.assign(Object.create(store) as LogStore, {
    advanceHead: async (head: LogHead) => {
      await store.advanceHead(head);
      heads.push({ size: head.size, at: performance.now() });
    },
  });
  const deps: LogDeps = { logStore: watched, clock: systemClock, hubKey: key, logOrigin: "127.0.0.1/log" };
  await integrate(deps);
  const appendedAt = new Map<string, number>();
  let next = 0;
  const appendAll = (count: number) => {
    const end = next + count;
    return Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < end) {
          const i = next++;
          const id = `req_bench_${String(i).padStart(7, "0")}`;
          await appendStatement(deps, { kind: "request", id, subject: `tb_${i % 97}`, bytes: `{"method":"POST","n":${i},"signature":"${"x".repeat(120)}"}` });
          appendedAt.set(id, performance.now());
        }
      }),
    );
  };

  // A: appends alone, the backlog left for B.
  const backlog = Math.floor(ENTRIES / 3);
  counter.reset();
  let t = performance.now();
  await appendAll(backlog);
  const appendOnlyRate = backlog / ((performance.now() - t) / 1000);
  const appendCounts = counter.snapshot();

  // B: one integrator works the backlog off.
  counter.reset();
  t = performance.now();
  while ((await integrate(deps)).size < backlog);
  const integrateOnlyRate = backlog / ((performance.now() - t) / 1000);
  const integrateCounts = counter.snapshot();

  // C: appends keep arriving while one integrator runs in a loop, as behind the API.
  const steady = ENTRIES - backlog;
  const headsBefore = heads.length;
  t = performance.now();
  let appending = true;
  let runs = 0;
  const integrator = (async () => {
    while (performance.now() - t < TIMEOUT_MS) {
      const r = await integrate(deps);
      runs++;
      if (!appending && r.size >= ENTRIES) break;
      if (r.sequenced === 0) await new Promise((res) => setTimeout(res, IDLE_MS));
    }
  })();
  await appendAll(steady);
  const steadyAppendRate = steady / ((performance.now() - t) / 1000);
  appending = false;
  await integrator;
  const steadyHeads = heads.slice(headsBefore);

  const delaysOf = async (ids: string[], after: typeof heads) =>
    (await store.getEntries(ids))
      .map((e) => {
        const covering = after.find((h) => h.size > e.index!);
        return covering ? covering.at - appendedAt.get(e.statementId)! : NaN;
      })
      .filter((d) => Number.isFinite(d))
      .sort((a, b) => a - b);
  const delays = await delaysOf([...appendedAt.keys()].slice(backlog), steadyHeads);

  // D: a paced stream, the rate of a busy day of tracebacks rather than a flood.
  const pacedHeadsBefore = heads.length;
  const pacedFirst = next;
  const pacedCount = RATE * PACED_SECONDS;
  t = performance.now();
  let pacedDone = false;
  const pacedIntegrator = (async () => {
    while (!pacedDone || (await store.getHead())!.size < pacedFirst + pacedCount) {
      const r = await integrate(deps);
      if (r.sequenced === 0) await new Promise((res) => setTimeout(res, IDLE_MS));
    }
  })();
  const pending: Promise<unknown>[] = [];
  for (let k = 0; k < pacedCount; k++) {
    const due = t + (k * 1000) / RATE;
    await new Promise((res) => setTimeout(res, Math.max(0, due - performance.now())));
    pending.push(appendAll(1));
  }
  await Promise.all(pending);
  pacedDone = true;
  await pacedIntegrator;
  const pacedDelays = await delaysOf([...appendedAt.keys()].slice(pacedFirst), heads.slice(pacedHeadsBefore));

  const all = await store.getEntries([...appendedAt.keys()]);
  const byIndex = [...all].sort((a, b) => a.index! - b.index!);
  const tree = new MemoryTree(byIndex.map((e) => e.leafHash));
  const head = await store.getHead();
  const dense = byIndex.every((e, i) => e.index === i) && byIndex.length === ENTRIES + pacedCount;
  const rootMatches = Buffer.from(head!.rootHash).equals(Buffer.from(tree.root()));

  counter.reset();
  const proofTimes: number[] = [];
  const root = readCheckpoint(head!.checkpoint).rootHash;
  let verified = 0;
  for (let k = 0; k < PROOFS; k++) {
    const e = byIndex[Math.floor((k * byIndex.length) / PROOFS)]!;
    const start = performance.now();
    const p = await inclusionProof(deps, { statementId: e.statementId });
    proofTimes.push(performance.now() - start);
    if (verifyInclusion(p.index, p.treeSize, e.leafHash, p.proof, root)) verified++;
  }
  const proofCounts = counter.snapshot();
  proofTimes.sort((a, b) => a - b);

  const perEntry = (n: number, of: number) => (n / of).toFixed(2);
  const lines = [
    `## Transparency log (npm run bench:log)`,
    ``,
    `${ENTRIES} statements, ${CONCURRENCY} appends in flight, one integrator; in-memory dynalite on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${platform()} ${release()}, Node ${process.version}.`,
    ``,
    `| figure | value |`,
    `|---|---|`,
    `| appends per second, alone (${backlog}) | ${appendOnlyRate.toFixed(0)} |`,
    `| entries integrated per second by one integrator, from a backlog of ${backlog} | ${integrateOnlyRate.toFixed(0)} |`,
    `| appends per second with the integrator running (${steady}) | ${steadyAppendRate.toFixed(0)} |`,
    `| integration delay under that flood, append accepted → covered by a signed checkpoint: p50 / p99 / max | ${ms(pct(delays, 0.5))} / ${ms(pct(delays, 0.99))} / ${ms(delays[delays.length - 1] ?? NaN)} |`,
    `| integrator runs / checkpoints signed while appends arrived | ${runs} / ${steadyHeads.length} |`,
    `| integration delay at ${RATE} appends per second (${pacedCount}): p50 / p99 / max | ${ms(pct(pacedDelays, 0.5))} / ${ms(pct(pacedDelays, 0.99))} / ${ms(pacedDelays[pacedDelays.length - 1] ?? NaN)} |`,
    `| DynamoDB writes per entry: append / integration | ${perEntry(appendCounts.dbWrites, backlog)} / ${perEntry(integrateCounts.dbWrites, backlog)} |`,
    `| write units per entry (table; the pending index adds one per append and one per integration): append / integration | ${perEntry(appendCounts.writeUnits, backlog)} / ${perEntry(integrateCounts.writeUnits, backlog)} |`,
    `| reads per entry integrated (requests / read units) | ${perEntry(integrateCounts.dbReads, backlog)} / ${perEntry(integrateCounts.readUnits, backlog)} |`,
    `| indexes dense and unique; root equals the reference tree's; proofs verified | ${dense ? "yes" : "NO"}; ${rootMatches ? "yes" : "NO"}; ${verified}/${PROOFS} |`,
    `| inclusion proof by statement id: p50 / p99, requests per proof | ${ms(pct(proofTimes, 0.5))} / ${ms(pct(proofTimes, 0.99))}, ${(proofCounts.dbReads / PROOFS).toFixed(1)} |`,
    ``,
    `Integration by command (${backlog} entries): ${Object.entries(integrateCounts.byCommand)
      .map(([k, v]) => `${k.replace("dynamodb ", "")} ${v}`)
      .join(", ")}.`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  db.destroy();
  sqs.destroy();
  await emulators.stop();
}

main().catch((err) => {
  log(String(err?.stack ?? err));
  process.exitCode = 1;
});
