/**
 * `npm run bench`: measures the embedded stack and writes BENCHMARKS.md. Not a test: figures are
 * measured and reported, never asserted. Every loop is bounded in count and in time; all traffic
 * stays on loopback. `--help` for the options.
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem, platform, release } from "node:os";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { TABLE } from "../../functions/adapters/dynamo/keys.js";
import { startNetwork, type Member } from "../../functions/demo/network.js";
import type { CallRecordSource } from "../../functions/responder/cdr.js";
import type { TrunkMap } from "../../functions/responder/config.js";
import type { HopHandled } from "../../functions/responder/responder.js";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";
import { instrument, type Counts } from "./counters.js";
import { startFloor } from "./floor.js";

const HELP = `Usage: npm run bench -- [options]

Measures the embedded stack (hub, dynalite and local-aws-sqs in this process, five providers'
auto-responders beside it, all over loopback HTTP): the latency of 5-hop tracebacks one at a time
against a bare-HTTP floor, the throughput with 200 tracebacks in flight, the DynamoDB and SQS work
and the cost per answered hop, and raw dynalite PutItem. Prints the report and writes it to
BENCHMARKS.md. Takes a few minutes; every phase is bounded in time.

Options:
  --latency-runs <n>  5-hop tracebacks measured one at a time, after 5 warm-up runs (default 60)
  --tracebacks <n>    tracebacks in the throughput phase, 200 in flight (default 300)
  --no-write          print the report only; leave BENCHMARKS.md as it is
  -h, --help          this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, { "latency-runs": { type: "string" }, tracebacks: { type: "string" }, "no-write": { type: "boolean" } });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const HOPS = 5;
const LATENCY_RUNS = integerOption(cli, "--latency-runs", cli.values["latency-runs"], 60, 1, 10_000);
const WARMUP = 5;
const IN_FLIGHT = 200;
const THROUGHPUT_TRACEBACKS = integerOption(cli, "--tracebacks", cli.values.tracebacks, 300, 1, 100_000);
const THROUGHPUT_START_WINDOW_MS = 90_000;
const DRAIN_MS = 60_000;
/** Under load a traceback waits its turn behind the 199 others. */
const TRACEBACK_TIMEOUT_MS = 150_000;
const PUT_ITEMS = 5000;
const PUT_WINDOW_MS = 10_000;
const PUT_CONCURRENCY = 32;
const PRICES = { writeUnit: 0.625, readUnit: 0.125, sqsRequest: 0.4 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: pct(s, 0.5), p95: pct(s, 0.95), n: s.length };
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** A switch that carried every call: each lookup finds exactly one record, on the trunk "IN". */
const everyCall: CallRecordSource = { find: async (call) => [{ startTime: call.at, calling: call.calling, called: call.called, ingressTrunk: "IN", sipCallId: "bench@sip.example" }] };

/** BENCHMARKS.md ends with figures other commands measured (npm run soak): kept as they are. */
const OTHER_COMMANDS_HEADING = "\n## Memory under a soak";

async function sectionsOfOtherCommands(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  const at = text.indexOf(OTHER_COMMANDS_HEADING);
  return at < 0 ? "" : text.slice(at);
}

async function main(): Promise<void> {
  const started = performance.now();
  // The per-account rate guard is lifted: this measures the hub's own capacity, not the guard.
  const net = await startNetwork({ sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR", RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" } });
  const counters = instrument(net.hub.runtime.db, net.hub.runtime.sqs);
  try {
    // A chain of five providers, each with a responder: P1 <- P2 <- ... <- P5, whose customer placed the call.
    const providers: Member[] = [];
    for (let i = 1; i <= HOPS; i++) providers.push(await net.registerProvider(`Bench Carrier ${i}`));
    const initiator = await net.registerInitiator("Bench Initiator");

    const waiting = new Map<string, (at: number) => void>();
    const finished = new Map<string, number>();
    const inside = new Map<string, number>();
    const answeredHops = new Set<string>();
    let answeredEvents = 0;
    const webhookIds: string[] = [];
    const webhookHops = new Set<string>();
    const onHandled = (h: HopHandled) => {
      if (h.outcome !== "answered" || !h.tracebackId) return;
      answeredEvents++;
      answeredHops.add(h.hopId);
      inside.set(h.tracebackId, (inside.get(h.tracebackId) ?? 0) + (h.totalMs - h.hubMs));
      if (!h.hopId.endsWith(`_${HOPS}`)) return;
      const at = performance.now();
      const waiter = waiting.get(h.tracebackId);
      // The last answer can land before the POST that created the traceback has returned.
      if (waiter) waiter(at);
      else finished.set(h.tracebackId, at);
    };
    for (let i = 0; i < HOPS; i++) {
      const trunks: TrunkMap = { IN: i < HOPS - 1 ? { upstream: { providerId: providers[i + 1]!.id } } : { customer: { name: "Bench Dialer LLC", accountReference: "B-1" }, actionTaken: "suspended" } };
      await net.runResponder(providers[i]!, trunks, everyCall, {
        onHandled,
        onWebhook: (p) => {
          webhookIds.push(p.id);
          const hop = p.data.hopId;
          if (hop) webhookHops.add(hop);
        },
      });
    }

    let callCounter = 0;
    const traceback = async (): Promise<{ id: string; ms: number }> => {
      const n = callCounter++;
      const calling = `+1305${String(2_000_000 + (n % 8_000_000)).padStart(7, "0")}`;
      const t0 = performance.now();
      const { data, response } = await initiator.client.POST("/v1/tracebacks", {
        body: { callingNumber: calling, calledNumber: "+12025550143", callTime: "2024-06-03T16:00:00Z", terminatingProviderId: providers[0]!.id },
      });
      if (!data) throw new Error(`creating a traceback failed: HTTP ${response.status}`);
      const id = data.traceback.id;
      const end =
        finished.get(id) ??
        (await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            reject(new Error(`traceback ${id} did not finish in ${TRACEBACK_TIMEOUT_MS} ms`));
          }, TRACEBACK_TIMEOUT_MS);
          waiting.set(id, (at) => {
            clearTimeout(timer);
            waiting.delete(id);
            resolve(at);
          });
        }));
      finished.delete(id);
      return { id, ms: end - t0 };
    };

    // 1. Latency, one traceback at a time.
    log(`latency: ${WARMUP} warm-up and ${LATENCY_RUNS} measured 5-hop tracebacks, one at a time`);
    for (let i = 0; i < WARMUP; i++) await traceback();
    const e2e: number[] = [];
    const hubPerHop: number[] = [];
    const insidePerHop: number[] = [];
    const latencyDeadline = performance.now() + 120_000;
    for (let i = 0; i < LATENCY_RUNS && performance.now() < latencyDeadline; i++) {
      const r = await traceback();
      const responderMs = inside.get(r.id) ?? 0;
      e2e.push(r.ms);
      insidePerHop.push(responderMs / HOPS);
      hubPerHop.push((r.ms - responderMs) / HOPS);
    }

    // 2. The floor, same count, same run.
    log("floor: the same chains over bare HTTP");
    const floor = await startFloor(HOPS);
    const floorMs: number[] = [];
    for (let i = 0; i < WARMUP; i++) await floor.runChain();
    for (let i = 0; i < e2e.length; i++) floorMs.push(await floor.runChain());
    await floor.stop();

    // 3. Throughput with 200 tracebacks in flight; storage and queue calls counted.
    log(`throughput: ${THROUGHPUT_TRACEBACKS} tracebacks, ${IN_FLIGHT} in flight`);
    answeredHops.clear();
    answeredEvents = 0;
    webhookIds.length = 0;
    webhookHops.clear();
    counters.reset();
    const tpIds: string[] = [];
    const tpTimes: number[] = [];
    const failures: string[] = [];
    let launched = 0;
    const tpStart = performance.now();
    const cpuStart = process.cpuUsage();
    const startBy = tpStart + THROUGHPUT_START_WINDOW_MS;
    const worker = async () => {
      while (launched < THROUGHPUT_TRACEBACKS && performance.now() < startBy) {
        launched++;
        try {
          const r = await traceback();
          tpIds.push(r.id);
          tpTimes.push(r.ms);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    await Promise.race([Promise.all(Array.from({ length: IN_FLIGHT }, worker)), new Promise((r) => setTimeout(r, THROUGHPUT_START_WINDOW_MS + DRAIN_MS))]);
    const tpSeconds = (performance.now() - tpStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuShare = (cpu.user + cpu.system) / 1e6 / tpSeconds;
    const counts: Counts = counters.snapshot();
    const tpAnswered = answeredHops.size;
    const tpAnsweredEvents = answeredEvents;

    log("checking every throughput traceback through the API");
    // Checked twice: a chain the first pass finds unfinished gets a second look 5 s later.
    const check = async (ids: string[]) => {
      const wrong = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 25) {
        await Promise.all(
          ids.slice(i, i + 25).map(async (id) => {
            const { data, response } = await net.consortium.client.GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId: id } } });
            const ok = data && data.traceback.result?.outcome === "originator_found" && data.hops.length === HOPS && data.hops.every((h) => h.status === "answered");
            if (!ok) wrong.set(id, data ? `${data.traceback.status} ${data.traceback.result?.outcome ?? "-"} hops ${data.hops.map((h) => h.status).join(",")}` : `HTTP ${response.status}`);
          }),
        );
      }
      return wrong;
    };
    const firstPass = await check(tpIds);
    await new Promise((r) => setTimeout(r, 5000));
    const wrongMap = await check([...firstPass.keys()]);
    for (const [id, why] of wrongMap) log(`  ${id}: ${why}`);
    const wrong = [...wrongMap.keys()];
    const reasons = [...new Set(firstPass.values())].slice(0, 3);
    const expectedHops = launched * HOPS;
    const distinctWebhooks = new Set(webhookIds).size;

    // 4. Raw dynalite PutItem rate, same process, same table.
    log("dynalite: raw PutItem");
    const raw = new DynamoDBClient({ region: "us-east-1", endpoint: net.hub.emulators.dynamoEndpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    let puts = 0;
    const putStart = performance.now();
    const putEnd = putStart + PUT_WINDOW_MS;
    await Promise.all(
      Array.from({ length: PUT_CONCURRENCY }, async () => {
        while (puts < PUT_ITEMS && performance.now() < putEnd) {
          const n = puts++;
          await raw.send(
            new PutItemCommand({
              TableName: net.hub.emulators.tableName,
              Item: { [TABLE.partitionKey]: { S: `BENCH#${n}` }, [TABLE.sortKey]: { S: "ITEM" }, payload: { S: "x".repeat(400) }, n: { N: String(n) } },
            }),
          );
        }
      }),
    );
    const putsPerSecond = puts / ((performance.now() - putStart) / 1000);
    raw.destroy();

    const report = render({
      e2e: summary(e2e),
      floor: summary(floorMs),
      hubPerHop: summary(hubPerHop),
      insidePerHop: summary(insidePerHop),
      floorPerHop: summary(floorMs.map((x) => x / HOPS)),
      throughput: {
        tracebacks: launched,
        completed: tpIds.length,
        failures: failures.length,
        seconds: tpSeconds,
        answeredHops: tpAnswered,
        answeredEvents: tpAnsweredEvents,
        expectedHops,
        webhooks: webhookIds.length,
        distinctWebhooks,
        webhookHops: webhookHops.size,
        wrongChains: wrong.length,
        unfinishedAtFirstCheck: firstPass.size,
        firstCheckReasons: reasons,
        tracebackTime: summary(tpTimes),
        cpuShare,
      },
      counts,
      putsPerSecond,
      puts,
      totalSeconds: (performance.now() - started) / 1000,
    });
    process.stdout.write(report);
    if (!cli.values["no-write"]) {
      const file = fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url));
      await writeFile(file, report + (await sectionsOfOtherCommands(file)));
      log("written to BENCHMARKS.md");
    }
  } finally {
    await net.stop();
  }
}

interface Figures {
  e2e: ReturnType<typeof summary>;
  floor: ReturnType<typeof summary>;
  hubPerHop: ReturnType<typeof summary>;
  insidePerHop: ReturnType<typeof summary>;
  floorPerHop: ReturnType<typeof summary>;
  throughput: {
    tracebacks: number;
    completed: number;
    failures: number;
    seconds: number;
    answeredHops: number;
    answeredEvents: number;
    expectedHops: number;
    webhooks: number;
    distinctWebhooks: number;
    webhookHops: number;
    wrongChains: number;
    unfinishedAtFirstCheck: number;
    firstCheckReasons: string[];
    tracebackTime: ReturnType<typeof summary>;
    cpuShare: number;
  };
  counts: Counts;
  putsPerSecond: number;
  puts: number;
  totalSeconds: number;
}

function render(f: Figures): string {
  const t = f.throughput;
  const hops = Math.max(1, t.answeredHops);
  const per = (x: number) => (x / hops).toFixed(2);
  const c = f.counts;
  const hopsPerSecond = t.answeredHops / t.seconds;
  const dbSimple = (c.dbReads / hops) * PRICES.readUnit + (c.dbWrites / hops) * PRICES.writeUnit;
  const dbSized = (c.readUnits / hops) * PRICES.readUnit + (c.writeUnits / hops) * PRICES.writeUnit;
  const sqsCost = (c.sqsRequests / hops) * PRICES.sqsRequest;
  const cpu = cpus();
  const lost = t.expectedHops - t.webhookHops;
  const commands = Object.entries(c.byCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `| ${k} | ${v} | ${per(v)} |`)
    .join("\n");
  return `# Benchmarks

Measured by \`npm run bench\` (test/bench/bench.ts) on the embedded stack: the hub, dynalite and
local-aws-sqs in one Node process, every request over loopback HTTP, the auto-responders of five
providers in the same process. Figures are from one run on this machine; they are a baseline
for comparisons between versions, not a promise about AWS, where DynamoDB and SQS answer in a few
milliseconds over the network rather than through an in-process LevelDB.

- Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${platform()} ${release()}
- Node ${process.version}; run on ${new Date().toISOString().slice(0, 10)}; whole run ${f.totalSeconds.toFixed(0)} s

## Latency: a 5-hop traceback answered by responders

${f.e2e.n} tracebacks one at a time (after 5 warm-up runs). A traceback runs from the initiator's
POST /v1/tracebacks to the fifth provider's answer being accepted: five times webhook -> signed
GET of the hop request -> CDR lookup and decision -> signed answer. "Inside the responders" is
the responders' own time (verification, lookup, decision, signing), that is handling time minus
the time spent waiting on the hub; the hub's share is the rest.

| measure | median | p95 |
|---|---|---|
| end to end, 5 hops | ${ms(f.e2e.median)} | ${ms(f.e2e.p95)} |
| per hop: hub's share (total minus responders) | ${ms(f.hubPerHop.median)} | ${ms(f.hubPerHop.p95)} |
| per hop: inside the responders | ${ms(f.insidePerHop.median)} | ${ms(f.insidePerHop.p95)} |
| floor: the same 5-hop chain over bare HTTP, no hub logic | ${ms(f.floor.median)} | ${ms(f.floor.p95)} |
| floor per hop | ${ms(f.floorPerHop.median)} | ${ms(f.floorPerHop.p95)} |

The floor (test/bench/floor.ts) is a plain node:http "hub" and five plain "providers" doing the
same exchange (start POST, then per hop webhook POST -> GET -> answer POST) with fetch, without
signatures, storage or queue. The hub's median per hop is ${(f.hubPerHop.median / Math.max(0.001, f.floorPerHop.median)).toFixed(1)} times the floor's.

## Throughput: ${IN_FLIGHT} tracebacks in flight

${t.tracebacks} tracebacks of 5 hops, kept ${IN_FLIGHT} in flight (a new one starts when one ends).

| measure | value |
|---|---|
| answered hops per second | **${hopsPerSecond.toFixed(1)}** |
| tracebacks completed / started | ${t.completed} / ${t.tracebacks}${t.failures ? ` (${t.failures} did not finish in ${TRACEBACK_TIMEOUT_MS / 1000} s)` : ""} |
| hops answered (distinct) / expected | ${t.answeredHops} / ${t.expectedHops} |
| answers reported by responders (duplicates would exceed the distinct count) | ${t.answeredEvents} |
| webhooks received / distinct webhook-ids | ${t.webhooks} / ${t.distinctWebhooks} (${t.webhooks - t.distinctWebhooks} duplicate deliveries) |
| hop requests that got a webhook / hop requests created | ${t.webhookHops} / ${t.expectedHops} (${lost} without one) |
| chains read through the API right after the phase that were not yet 5 answered hops ending originator_found | ${t.unfinishedAtFirstCheck}${t.firstCheckReasons.length ? ` (seen: ${t.firstCheckReasons.join("; ")})` : ""} |\n| of those, still not so 5 s later | ${t.wrongChains} |
| time of one traceback under this load, median / p95 | ${(t.tracebackTime.median / 1000).toFixed(1)} s / ${(t.tracebackTime.p95 / 1000).toFixed(1)} s |
| elapsed | ${t.seconds.toFixed(1)} s |
| CPU time of the process per elapsed second (1.0 = one core busy) | ${t.cpuShare.toFixed(2)} |
| raw dynalite PutItem per second (same process, ${PUT_CONCURRENCY} concurrent, ${f.puts} items) | ${f.putsPerSecond.toFixed(0)} |
| answered hops per second as a share of raw PutItem per second | ${((hopsPerSecond / f.putsPerSecond) * 100).toFixed(1)} % |

## Storage and queue work per answered hop

Counted in the throughput phase with AWS SDK middleware on the hub's own DynamoDB and SQS
clients, and divided by the hops answered. Everything the hub did is included: creating the
tracebacks (one per five hops), signature replay records, idempotency records, outbox, events,
webhook deliveries and their bookkeeping. Empty polls of the local SQS poller
(${c.sqsEmptyReceives} in the phase) are left out: Lambda's event source mapping polls differently.

| per answered hop | count |
|---|---|
| DynamoDB reads (requests) | ${per(c.dbReads)} |
| DynamoDB writes (requests) | ${per(c.dbWrites)} |
| DynamoDB read units (dynalite's count from item sizes, table only) | ${per(c.readUnits)} |
| DynamoDB write units (dynalite's count from item sizes, table only) | ${per(c.writeUnits)} |
| SQS messages sent | ${per(c.sqsMessagesSent)} |
| SQS requests (send, non-empty receive, delete) | ${per(c.sqsRequests)} |

| command | calls | per hop |
|---|---|---|
${commands}

### Cost per million answered hops (on-demand)

Prices used: DynamoDB on-demand $${PRICES.writeUnit} per million write request units and
$${PRICES.readUnit} per million read request units (us-east-1, 2025); SQS standard $${PRICES.sqsRequest} per million
requests. Lambda, API Gateway, storage and data transfer are not included.

| | USD per million hops |
|---|---|
| DynamoDB, one unit per request (assumes items of at most 1 KB written, 4 KB read, strongly consistent reads) | ${dbSimple.toFixed(2)} |
| DynamoDB, units from the measured item sizes (table only; each GSI an item is projected into adds its own write units on AWS) | ${dbSized.toFixed(2)} |
| SQS | ${sqsCost.toFixed(2)} |
| total (one unit per request) | **${(dbSimple + sqsCost).toFixed(2)}** |
`;
}

await main();
// After the hub has stopped, closed servers still wait on keep-alive sockets for minutes; the
// figures are written, so the run ends here.
process.exit(0);
