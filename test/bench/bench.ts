/**
 * `npm run bench`: measures the hub and writes BENCHMARKS.md. Not a test: figures are measured
 * and reported, never asserted. The emulators, the hub and the five providers' responders run as
 * three separate processes (test/bench/stack), so the hub's own CPU and calls are measured apart
 * from dynalite's and the responders'; this process is the initiator and the clock. Every loop is
 * bounded in count and in time; all traffic stays on loopback. `--help` for the options.
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem, platform, release } from "node:os";
import { fileURLToPath } from "node:url";
import type { Member } from "../../functions/demo/network.js";
import type { Emulators } from "../../functions/local/emulators.js";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";
import type { SigningKey } from "../../openapi/client/index.js";
import type { Counts } from "./counters.js";
import type { CostInputs } from "./stack/cost.js";
import type { ChildHandle, Message } from "./stack/ipc.js";

const HELP = `Usage: npm run bench -- [options]

Measures the hub with the emulators (dynalite, local-aws-sqs), the hub and five providers'
auto-responders each in a process of its own, all over loopback HTTP: the latency of 5-hop
tracebacks one at a time against a bare-HTTP floor, the DynamoDB calls on the path of one hop and
the time from an answer accepted to the next webhook, the hub's CPU per answered hop, the
throughput with 200 tracebacks in flight, the DynamoDB, SQS, Lambda and API Gateway work per hop
and its all-in cost, and raw dynalite PutItem. Prints the report and writes it to BENCHMARKS.md.
Takes a few minutes; every phase is bounded in time.

Options:
  --latency-runs <n>  5-hop tracebacks measured one at a time, after 5 warm-up runs (default 60)
  --tracebacks <n>    tracebacks in the throughput phase, 200 in flight (default 300)
  --no-write          print the report only; leave BENCHMARKS.md as it is
  -h, --help          this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, {
  "latency-runs": { type: "string" },
  tracebacks: { type: "string" },
  "no-write": { type: "boolean" },
});

// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [
  { DynamoDBClient, PutItemCommand },
  { TABLE },
  { generateSigningKey },
  { registrar },
  { FUNCTION_SIZING },
  { createHoptraceClient },
  { pct, progress: log },
  { startFloor },
  { allInCost, PRICES },
  { startChild },
] = await Promise.all([
  import("@aws-sdk/client-dynamodb"),
  import("../../functions/adapters/dynamo/keys.js"),
  import("../../functions/crypto/keys.js"),
  import("../../functions/demo/network.js"),
  import("../../infra/function-sizing.js"),
  import("../../openapi/client/index.js"),
  import("./figures.js"),
  import("./floor.js"),
  import("./stack/cost.js"),
  import("./stack/ipc.js"),
]);

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
/** Tracebacks whose hub calls are traced, one at a time. */
const PATH_RUNS = 20;

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: pct(s, 0.5), p95: pct(s, 0.95), n: s.length };
};
type Summary = ReturnType<typeof summary>;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user + b.system - a.user - a.system) / 1000;

/** BENCHMARKS.md ends with figures other commands measured (npm run soak, ...): kept as they are. */
const OTHER_COMMANDS_HEADING = "\n## Memory under a soak";

async function sectionsOfOtherCommands(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  const at = text.indexOf(OTHER_COMMANDS_HEADING);
  return at < 0 ? "" : text.slice(at);
}

interface HubSnapshot {
  counts: Counts;
  cpu: NodeJS.CpuUsage;
  requests: { count: number; ms: number; byRoute: Record<string, number> };
  batches: { count: number; ms: number; messages: number };
  trace: Array<{ at: number; command: string; background: boolean }>;
}
interface Billed {
  writes: number;
  table: number;
  byIndex: Record<string, number>;
}

async function main(): Promise<void> {
  const started = performance.now();
  const children: ChildHandle[] = [];
  try {
    log("starting the emulators, the hub and the responders, each in its own process");
    const emu = await startChild("test/bench/stack/emulators-process.ts");
    children.push(emu.child);
    const endpoints = emu.ready as unknown as Omit<Emulators, "stop">;
    const c = await generateSigningKey();
    const hubStart = await startChild("test/bench/stack/hub-process.ts", {
      BENCH_EMULATORS: JSON.stringify(endpoints),
      BENCH_CONSORTIUM_JWK: JSON.stringify(c.publicJwk),
    });
    const hub = hubStart.child;
    children.push(hub);
    const hubUrl = hubStart.ready.url as string;
    const member = (id: string, name: string, key: SigningKey): Member => ({ id, name, key, client: createHoptraceClient({ baseUrl: hubUrl, key }) });
    const consortium = member(hubStart.ready.consortiumAccountId as string, "Consortium", { privateKey: c.privateKey, keyId: c.kid });
    const register = registrar(consortium, member);
    // A chain of five providers, each with a responder: P1 <- P2 <- ... <- P5, whose customer placed the call.
    const providers: Member[] = [];
    for (let i = 1; i <= HOPS; i++) providers.push(await register("provider", `Bench Carrier ${i}`));
    const initiator = await register("initiator", "Bench Initiator");

    const waiting = new Map<string, (at: number) => void>();
    const finished = new Map<string, number>();
    const inside = new Map<string, number>();
    const answeredHops = new Set<string>();
    let answeredEvents = 0;
    const webhookIds: string[] = [];
    const webhookHops = new Set<string>();
    /** Epoch ms of the first hop_request.created webhook of a hop, and of its answer accepted. */
    const createdAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const responders = await startChild("test/bench/stack/responders-process.ts", {
      BENCH_HUB_URL: hubUrl,
      BENCH_PROVIDERS: JSON.stringify(providers.map((p) => ({ id: p.id, name: p.name, privateJwk: p.key.privateKey.export({ format: "jwk" }) }))),
    });
    children.push(responders.child);
    const epochToLocal = (at: number) => at - performance.timeOrigin;
    responders.child.onEvent("handled", (h: Message) => {
      const hopId = h.hopId as string;
      const tracebackId = h.tracebackId as string | null;
      if (h.outcome !== "answered" || !tracebackId) return;
      answeredEvents++;
      answeredHops.add(hopId);
      answeredAt.set(hopId, h.at as number);
      inside.set(tracebackId, (inside.get(tracebackId) ?? 0) + ((h.totalMs as number) - (h.hubMs as number)));
      if (!hopId.endsWith(`_${HOPS}`)) return;
      const at = epochToLocal(h.at as number);
      const waiter = waiting.get(tracebackId);
      // The last answer can land before the POST that created the traceback has returned.
      if (waiter) waiter(at);
      else finished.set(tracebackId, at);
    });
    responders.child.onEvent("webhook", (w: Message) => {
      webhookIds.push(w.webhookId as string);
      const hop = w.hopId as string | null;
      if (!hop) return;
      webhookHops.add(hop);
      if (w.eventType === "hop_request.created" && !createdAt.has(hop)) createdAt.set(hop, w.at as number);
    });

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

    // 1. Latency, one traceback at a time: the hub's CPU, requests and batches while quiet.
    log(`latency: ${WARMUP} warm-up and ${LATENCY_RUNS} measured 5-hop tracebacks, one at a time`);
    for (let i = 0; i < WARMUP; i++) await traceback();
    await hub.ask("reset", { trace: false });
    const quietStart = (await hub.ask<HubSnapshot>("snapshot")).cpu;
    const e2e: number[] = [];
    const hubPerHop: number[] = [];
    const insidePerHop: number[] = [];
    const latencyIds: string[] = [];
    const latencyDeadline = performance.now() + 120_000;
    for (let i = 0; i < LATENCY_RUNS && performance.now() < latencyDeadline; i++) {
      const r = await traceback();
      const responderMs = inside.get(r.id) ?? 0;
      latencyIds.push(r.id);
      e2e.push(r.ms);
      insidePerHop.push(responderMs / HOPS);
      hubPerHop.push((r.ms - responderMs) / HOPS);
    }
    // The last answer's follow-ups (outcome, log) finish after it is accepted.
    await new Promise((r) => setTimeout(r, 500));
    const quiet = await hub.ask<HubSnapshot>("snapshot");
    const quietHops = latencyIds.length * HOPS;

    // 2. The path of a hop, apart: taking each call's stack costs the hub CPU of its own.
    const pathRuns = Math.min(PATH_RUNS, LATENCY_RUNS);
    log(`path: ${pathRuns} tracebacks one at a time, the hub tracing its DynamoDB calls`);
    await hub.ask("reset", { trace: true });
    const pathIds: string[] = [];
    for (let i = 0; i < pathRuns; i++) pathIds.push((await traceback()).id);
    await new Promise((r) => setTimeout(r, 500));
    const path = criticalPath(pathIds, createdAt, (await hub.ask<HubSnapshot>("snapshot")).trace);
    const answerToWebhook = summary(latencyIds.flatMap((id) => gapsOf(id, createdAt, answeredAt)));

    // 3. The floor, same count, same run.
    log("floor: the same chains over bare HTTP");
    const floor = await startFloor(HOPS);
    const floorMs: number[] = [];
    for (let i = 0; i < WARMUP; i++) await floor.runChain();
    for (let i = 0; i < e2e.length; i++) floorMs.push(await floor.runChain());
    await floor.stop();

    // 4. Throughput with 200 tracebacks in flight; the hub's work and the writes billed counted.
    log(`throughput: ${THROUGHPUT_TRACEBACKS} tracebacks, ${IN_FLIGHT} in flight`);
    answeredHops.clear();
    answeredEvents = 0;
    webhookIds.length = 0;
    webhookHops.clear();
    await hub.ask("reset", { trace: false });
    await emu.child.ask("reset");
    const loadedStart = (await hub.ask<HubSnapshot>("snapshot")).cpu;
    const emuCpuStart = (await emu.child.ask<{ cpu: NodeJS.CpuUsage }>("cpu")).cpu;
    const respondersCpuStart = (await responders.child.ask<{ cpu: NodeJS.CpuUsage }>("cpu")).cpu;
    const tpIds: string[] = [];
    const tpTimes: number[] = [];
    const failures: string[] = [];
    let launched = 0;
    const tpStart = performance.now();
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
    // Follow-ups of the last answers (outcome, log entries, webhooks) finish after the phase.
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = await hub.ask<HubSnapshot>("snapshot");
    const emuCpuEnd = (await emu.child.ask<{ cpu: NodeJS.CpuUsage }>("cpu")).cpu;
    const respondersCpuEnd = (await responders.child.ask<{ cpu: NodeJS.CpuUsage }>("cpu")).cpu;
    const { billed } = await emu.child.ask<{ billed: Billed }>("units");
    const tpAnswered = answeredHops.size;
    const tpAnsweredEvents = answeredEvents;

    log("checking every throughput traceback through the API");
    // Checked twice: a chain the first pass finds unfinished gets a second look 5 s later.
    const check = async (ids: string[]) => {
      const wrong = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 25) {
        await Promise.all(
          ids.slice(i, i + 25).map(async (id) => {
            const { data, response } = await consortium.client.GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId: id } } });
            const ok =
              data && data.traceback.result?.outcome === "originator_found" && data.hops.length === HOPS && data.hops.every((h) => h.status === "answered");
            if (!ok)
              wrong.set(
                id,
                data
                  ? `${data.traceback.status} ${data.traceback.result?.outcome ?? "-"} hops ${data.hops.map((h) => h.status).join(",")}`
                  : `HTTP ${response.status}`,
              );
          }),
        );
      }
      return wrong;
    };
    const firstPass = await check(tpIds);
    await new Promise((r) => setTimeout(r, 5000));
    const wrongMap = await check([...firstPass.keys()]);
    for (const [id, why] of wrongMap) log(`  ${id}: ${why}`);
    const reasons = [...new Set(firstPass.values())].slice(0, 3);

    // 5. Raw dynalite PutItem rate, against the emulators' process.
    log("dynalite: raw PutItem");
    const raw = new DynamoDBClient({
      region: "us-east-1",
      endpoint: endpoints.dynamoEndpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    let puts = 0;
    const putStart = performance.now();
    const putEnd = putStart + PUT_WINDOW_MS;
    await Promise.all(
      Array.from({ length: PUT_CONCURRENCY }, async () => {
        while (puts < PUT_ITEMS && performance.now() < putEnd) {
          const n = puts++;
          await raw.send(
            new PutItemCommand({
              TableName: endpoints.tableName,
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
      quiet: {
        hops: quietHops,
        cpuMsPerHop: cpuMs(quietStart, quiet.cpu) / quietHops,
        dbPerHop: (quiet.counts.dbReads + quiet.counts.dbWrites) / quietHops,
        snapshot: quiet,
      },
      path,
      answerToWebhook,
      throughput: {
        tracebacks: launched,
        completed: tpIds.length,
        failures: failures.length,
        seconds: tpSeconds,
        answeredHops: tpAnswered,
        answeredEvents: tpAnsweredEvents,
        expectedHops: launched * HOPS,
        webhooks: webhookIds.length,
        distinctWebhooks: new Set(webhookIds).size,
        webhookHops: webhookHops.size,
        wrongChains: wrongMap.size,
        unfinishedAtFirstCheck: firstPass.size,
        firstCheckReasons: reasons,
        tracebackTime: summary(tpTimes),
        hubCpuMs: cpuMs(loadedStart, loaded.cpu),
        emulatorCpuMs: cpuMs(emuCpuStart, emuCpuEnd),
        respondersCpuMs: cpuMs(respondersCpuStart, respondersCpuEnd),
      },
      loaded,
      billed,
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
    for (const child of children.reverse()) await child.stop();
  }
}

interface PathFigures {
  /** Hops with both ends seen (every hop but the last of each traceback). */
  hops: number;
  /** DynamoDB calls the hub started from a hop's webhook to the next hop's, background work left out. */
  calls: Summary;
  byCommand: Record<string, number>;
}

const hopOf = (tracebackId: string, seq: number) => `hop_${tracebackId.slice(3)}_${seq}`;

/** Per hop of a traceback but the last: its answer accepted (as its responder saw it) to the next hop's webhook received, ms. */
function gapsOf(id: string, createdAt: Map<string, number>, answeredAt: Map<string, number>): number[] {
  const gaps: number[] = [];
  for (let seq = 1; seq < HOPS; seq++) {
    const answered = answeredAt.get(hopOf(id, seq));
    const next = createdAt.get(hopOf(id, seq + 1));
    if (answered !== undefined && next !== undefined) gaps.push(next - answered);
  }
  return gaps;
}

/**
 * The path of one hop is from its webhook reaching its provider (who then GETs it and answers)
 * to the next hop's webhook reaching the next provider: with one traceback at a time, every call
 * the hub started in between served that hop, except what the integrator, sweeper and
 * reconciler did meanwhile (told apart by the hub from each call's async stack).
 */
function criticalPath(ids: string[], createdAt: Map<string, number>, trace: HubSnapshot["trace"]): PathFigures {
  const calls: number[] = [];
  const byCommand: Record<string, number> = {};
  const sorted = trace.filter((t) => !t.background).sort((a, b) => a.at - b.at);
  for (const id of ids) {
    for (let seq = 1; seq < HOPS; seq++) {
      const from = createdAt.get(hopOf(id, seq));
      const to = createdAt.get(hopOf(id, seq + 1));
      if (from === undefined || to === undefined) continue;
      const inWindow = sorted.filter((t) => t.at >= from && t.at < to);
      calls.push(inWindow.length);
      for (const t of inWindow) byCommand[t.command] = (byCommand[t.command] ?? 0) + 1;
    }
  }
  return { hops: calls.length, calls: summary(calls), byCommand };
}

interface Figures {
  e2e: Summary;
  floor: Summary;
  hubPerHop: Summary;
  insidePerHop: Summary;
  floorPerHop: Summary;
  quiet: { hops: number; cpuMsPerHop: number; dbPerHop: number; snapshot: HubSnapshot };
  path: PathFigures;
  answerToWebhook: Summary;
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
    tracebackTime: Summary;
    hubCpuMs: number;
    emulatorCpuMs: number;
    respondersCpuMs: number;
  };
  loaded: HubSnapshot;
  billed: Billed;
  putsPerSecond: number;
  puts: number;
  totalSeconds: number;
}

const GB = 1024;

function render(f: Figures): string {
  const t = f.throughput;
  const hops = Math.max(1, t.answeredHops);
  const per = (x: number) => x / hops;
  const fix = (x: number, d = 2) => x.toFixed(d);
  const c = f.loaded.counts;
  const hopsPerSecond = t.answeredHops / t.seconds;
  const gsiUnits = Object.values(f.billed.byIndex).reduce((a, b) => a + b, 0);
  // Durations from the quiet phase: under load a request's time is mostly its wait for the one
  // event loop, which a Lambda instance (one request at a time) does not have.
  const q = f.quiet.snapshot;
  const qHops = Math.max(1, f.quiet.hops);
  const apiMsPerHop = q.requests.ms / qHops;
  const deliveryMsPerHop = q.batches.ms / qHops;
  const lambdaGbSeconds = (apiMsPerHop / 1000) * (FUNCTION_SIZING.api.memoryMiB / GB) + (deliveryMsPerHop / 1000) * (FUNCTION_SIZING.delivery.memoryMiB / GB);
  const inputs: CostInputs = {
    writeUnits: per(f.billed.table + gsiUnits + c.dbFailedWrites),
    readUnits: per(c.readUnits),
    sqsRequests: per(c.sqsRequests),
    apiRequests: per(f.loaded.requests.count),
    lambdaInvocations: (q.requests.count + q.batches.count) / qHops,
    lambdaGbSeconds,
  };
  const cost = allInCost(inputs);
  const cpu = cpus();
  const lost = t.expectedHops - t.webhookHops;
  const rows = (o: Record<string, number>, divide: number) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `| ${k} | ${v} | ${fix(v / divide)} |`)
      .join("\n");
  const indexRows = Object.entries(f.billed.byIndex)
    .sort()
    .map(([k, v]) => `| write units, index ${k} | ${fix(per(v))} |`)
    .join("\n");
  const routes = Object.entries(f.loaded.requests.byRoute)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fix(per(v))}`)
    .join("; ");
  return `# Benchmarks

Measured by \`npm run bench\` (test/bench/bench.ts). The emulators (dynalite and local-aws-sqs,
in memory), the hub (API, delivery poller, reconciler, sweeper, integrator) and the five
providers' auto-responders run as three separate processes (test/bench/stack); the bench's own
process is the initiator. The hub reports its own CPU time and counts its own DynamoDB, SQS and
HTTP work over the IPC channel to the bench (no port); the emulators' process bills every item
write as DynamoDB would, from the real item images and each index's projection. Figures are from
one run on this machine: a baseline for comparisons between versions, not a promise about AWS,
where DynamoDB and SQS answer in a few milliseconds over the network rather than from LevelDB.

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
| answer accepted -> next hop's webhook received (${f.answerToWebhook.n} hops) | ${ms(f.answerToWebhook.median)} | ${ms(f.answerToWebhook.p95)} |

The floor (test/bench/floor.ts) is a plain node:http "hub" and five plain "providers" doing the
same exchange (start POST, then per hop webhook POST -> GET -> answer POST) with fetch, without
signatures, storage or queue. **Hub share per hop ÷ bare-HTTP floor: ${(f.hubPerHop.median / Math.max(0.001, f.floorPerHop.median)).toFixed(1)}×** (medians).

### The path of one hop

From a hop's webhook reaching its provider (who GETs the hop request and answers it) to the next
hop's webhook reaching the next provider, one traceback at a time: the DynamoDB calls the hub
started in that window, leaving out the integrator's, sweeper's and reconciler's (told apart by
each call's async stack), in a phase of its own since taking stacks costs CPU. ${f.path.hops} hops
(every hop but the last of each traceback). The CPU figures are from the untraced phases.

| measure | value |
|---|---|
| **DynamoDB calls on the critical path per hop**, median / p95 | **${f.path.calls.median}** / ${f.path.calls.p95} |
| hub CPU per answered hop, quiet (one traceback at a time, ${f.quiet.hops} hops) | ${fix(f.quiet.cpuMsPerHop, 1)} ms |
| hub CPU per answered hop, loaded (${IN_FLIGHT} in flight) | ${fix(t.hubCpuMs / hops, 1)} ms |
| emulators' CPU per answered hop, loaded | ${fix(t.emulatorCpuMs / hops, 1)} ms |
| DynamoDB requests per answered hop, quiet (all work, background included) | ${fix(f.quiet.dbPerHop)} |

| command on the path | calls | per hop |
|---|---|---|
${rows(f.path.byCommand, Math.max(1, f.path.hops))}

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
| chains read through the API right after the phase that were not yet 5 answered hops ending originator_found | ${t.unfinishedAtFirstCheck}${t.firstCheckReasons.length ? ` (seen: ${t.firstCheckReasons.join("; ")})` : ""} |
| of those, still not so 5 s later | ${t.wrongChains} |
| time of one traceback under this load, median / p95 | ${(t.tracebackTime.median / 1000).toFixed(1)} s / ${(t.tracebackTime.p95 / 1000).toFixed(1)} s |
| elapsed | ${t.seconds.toFixed(1)} s |
| hub CPU per elapsed second (1.0 = one core busy) | ${fix(t.hubCpuMs / 1000 / t.seconds)} |
| emulators' CPU per elapsed second | ${fix(t.emulatorCpuMs / 1000 / t.seconds)} |
| responders' CPU per elapsed second | ${fix(t.respondersCpuMs / 1000 / t.seconds)} |
| raw dynalite PutItem per second (its process, ${PUT_CONCURRENCY} concurrent, ${f.puts} items) | ${f.putsPerSecond.toFixed(0)} |
| answered hops per second as a share of raw PutItem per second | ${((hopsPerSecond / f.putsPerSecond) * 100).toFixed(1)} % |

## Work per answered hop

Counted in the throughput phase and divided by the hops answered: requests by the hub on its own
DynamoDB and SQS clients, write units billed by the emulators' process from each item's real
images (table, and each global secondary index the item is projected into, by its projection),
read units as dynalite counts them. Everything the hub did is included: creating the tracebacks
(one per five hops), signature replay and idempotency records, outbox, events, log entries and
their integration, webhook deliveries and their bookkeeping. Empty polls of the local SQS poller
(${c.sqsEmptyReceives} in the phase) are left out: Lambda's event source mapping polls differently.

| per answered hop | count |
|---|---|
| **DynamoDB requests: reads / writes** | **${fix(per(c.dbReads))} R + ${fix(per(c.dbWrites))} W** |
| of the writes, refused by their condition (billed one unit each here) | ${fix(per(c.dbFailedWrites))} |
| read units | ${fix(per(c.readUnits))} |
| item writes applied (emulators) | ${fix(per(f.billed.writes))} |
| write units, table | ${fix(per(f.billed.table))} |
${indexRows}
| **write units, table and indexes** | **${fix(inputs.writeUnits)}** |
| SQS messages sent | ${fix(per(c.sqsMessagesSent))} |
| SQS requests (send, non-empty receive, delete) | ${fix(inputs.sqsRequests)} |
| API Gateway requests (${routes}) | ${fix(inputs.apiRequests)} |
| API function, quiet phase: requests, ms of handling (${FUNCTION_SIZING.api.memoryMiB} MiB configured) | ${fix(q.requests.count / qHops)}, ${fix(apiMsPerHop, 1)} |
| delivery function, quiet phase: batches, ms of handling (${FUNCTION_SIZING.delivery.memoryMiB} MiB configured) | ${fix(q.batches.count / qHops)}, ${fix(deliveryMsPerHop, 1)} |
| Lambda invocations / GB-s | ${fix(inputs.lambdaInvocations)} / ${inputs.lambdaGbSeconds.toFixed(4)} |

| command | calls | per hop |
|---|---|---|
${rows(c.byCommand, hops)}

### All-in cost per million answered hops (on-demand, us-east-1)

Prices (test/bench/stack/cost.ts, each with its source): DynamoDB $${PRICES.dynamoWriteUnit} per million write
units and $${PRICES.dynamoReadUnit} per million read units; SQS $${PRICES.sqsRequest} per million requests; Lambda arm64
$${PRICES.lambdaGbSecond} per million GB-s and $${PRICES.lambdaRequest} per million invocations; API Gateway HTTP API
$${PRICES.httpApiRequest} per million requests (a REST API: $${PRICES.restApiRequest}). Lambda durations are the local hub's
request and batch handling times with the memory configured in infra/function-sizing.ts; on AWS
each DynamoDB call adds a few ms of network. The integrator's, sweeper's and reconciler's
invocations, storage, logs and data transfer are not included.

| | inputs per hop | USD per million hops |
|---|---|---|
| DynamoDB | ${fix(inputs.writeUnits)} WRU, ${fix(inputs.readUnits)} RRU | ${fix(cost.dynamo)} |
| SQS | ${fix(inputs.sqsRequests)} requests | ${fix(cost.sqs)} |
| Lambda | ${fix(inputs.lambdaInvocations)} invocations, ${inputs.lambdaGbSeconds.toFixed(4)} GB-s | ${fix(cost.lambda)} |
| API Gateway (HTTP API) | ${fix(inputs.apiRequests)} requests | ${fix(cost.apiGateway)} |
| **all-in** | | **${fix(cost.total)}** |
`;
}

await main();
// The children are stopped; closed servers may still wait on keep-alive sockets for minutes, and the
// figures are written, so the run ends here.
process.exit(0);
