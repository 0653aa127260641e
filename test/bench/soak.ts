/**
 * `npm run soak -- --requests 10000`: drives `npm start` (the same entry point, in a child
 * process with its own data folder, so its memory is measured apart from this client) with a
 * realistic mix of signed requests, and prints the hub's RSS, JS heap and external memory every
 * N requests. Not a test: figures are measured and reported, never asserted.
 *
 * The mix, per traceback in flight: the initiator starts it (POST) and each provider on a chain
 * of `--hops` lists its open hop requests, reads its hop request and answers it (GET, GET, POST),
 * the last one naming the originator; the initiator then reads the chain and the last provider
 * its event feed. Webhooks go to a receiver in this process and are answered 204.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCommandLine } from "../../functions/platform/cli.js";
import type { HubProcess } from "../support/hub-process.js";
import type { Api, ApiResponse } from "../support/hub.js";

const HELP = `Usage: npm run soak -- [options]

Starts the hub as npm start does, in a child process, and keeps it busy with signed requests
(tracebacks, hop request listings and reads, answers, chains, event feeds), printing the child's
memory every --every requests.

  --requests N     requests to send (default 10000)
  --every N        print a sample every N requests (default 1000)
  --concurrency N  tracebacks in flight at once (default 8)
  --hops N         providers on each chain (default 3)
  --arena-max N    MALLOC_ARENA_MAX for the hub (glibc malloc arenas; unset by default)
  --gc             start the hub with --expose-gc and collect fully before each sample
  --stop-above MB  stop early once the hub's RSS is over MB (default 4096), to spare the machine
  --data-dir PATH  the hub's data folder (default: a new temporary folder, removed afterwards)
  -h, --help       this text`;

const { values: args } = readCommandLine(process.argv.slice(2), HELP, {
  requests: { type: "string", default: "10000" },
  every: { type: "string", default: "1000" },
  concurrency: { type: "string", default: "8" },
  hops: { type: "string", default: "3" },
  "arena-max": { type: "string" },
  gc: { type: "boolean", default: false },
  "data-dir": { type: "string" },
  "stop-above": { type: "string", default: "4096" },
});

const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive whole number, not ${value}\n\n${HELP}\n`);
    process.exit(2);
  }
  return n;
};
const REQUESTS = positive("requests", args.requests);
const EVERY = positive("every", args.every);
const CONCURRENCY = positive("concurrency", args.concurrency);
const HOPS = positive("hops", args.hops);
const STOP_ABOVE_MB = positive("stop-above", args["stop-above"]);
const ARENA_MAX = args["arena-max"] === undefined ? undefined : positive("arena-max", args["arena-max"]);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ hopIdOf, parseHopId }, { buildHub }, { signingKeyFromJwk }, { startHubProcess }, { apiFor, registerAccount }, { startReceiver }] = await Promise.all([
  import("../../functions/domain/ids.js"),
  import("../../functions/local/build.js"),
  import("../../openapi/client/index.js"),
  import("../support/hub-process.js"),
  import("../support/hub.js"),
  import("../support/receiver.js"),
]);

const CALL = { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T12:00:00-04:00" };
const EVIDENCE = { ingressTrunk: "TRUNK-7", sipCallId: "soak@pc33.example" };
const MB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).padStart(7);

interface Sample {
  requests: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function memoryOf(hub: HubProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the hub did not report its memory")), 30_000);
    const onMessage = (m: { memory?: NodeJS.MemoryUsage }) => {
      if (!m.memory) return;
      clearTimeout(timer);
      hub.child.off("message", onMessage);
      resolve(m.memory);
    };
    hub.child.on("message", onMessage);
    hub.child.send("memory");
  });
}

async function main(): Promise<void> {
  const dataDir = args["data-dir"] ?? (await mkdtemp(join(tmpdir(), "hoptrace-soak-")));
  // The bundle of the source as it is now, not one left by an earlier build.
  const [entry, receiver] = await Promise.all([buildHub(), startReceiver()]);
  const hub = await startHubProcess({
    dataDir,
    entry,
    ipc: true,
    nodeArgs: [...(args.gc ? ["--expose-gc"] : []), "--import", join(import.meta.dirname, "memory-probe.ts")],
    // The per-account rate guard is lifted: one client plays every account as fast as it can.
    env: { LOG_LEVEL: "ERROR", RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000", ...(ARENA_MAX && { MALLOC_ARENA_MAX: String(ARENA_MAX) }) },
  });
  try {
    const consortium = apiFor(hub.url, await signingKeyFromJwk(JSON.parse(await readFile(join(dataDir, "consortium.private.jwk.json"), "utf8"))));
    // Each key with its proof of possession, as the hub requires (test/support/api.ts).
    const register = (kind: "providers" | "initiators", body: Record<string, unknown>) => registerAccount(hub.url, consortium, kind, body);
    const stamp = Date.now() % 1_000_000;
    const providers: Array<{ id: string; api: Api }> = [];
    for (let i = 0; i < HOPS; i++) {
      const p = await register("providers", {
        name: `Soak Carrier ${i + 1}`,
        frn: String(stamp * 100 + i).padStart(10, "0"),
        contact: { name: "NOC", email: "noc@soak.example" },
      });
      const ep = await p.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created", "traceback.completed"] });
      if (ep.status !== 201) throw new Error(`endpoint: ${ep.status} ${ep.text}`);
      providers.push(p);
    }
    const initiator = await register("initiators", { name: "Soak Initiator", contact: { name: "Unit", email: "unit@soak.example" } });

    let sent = 0;
    let failures = 0;
    let stoppedEarly = false;
    const statuses = new Map<number, number>();
    const samples: Sample[] = [];
    const started = performance.now();
    let nextSample = EVERY;
    let sampling: Promise<void> = Promise.resolve();
    const sample = async () => {
      const m = await memoryOf(hub);
      const s = {
        requests: sent,
        seconds: (performance.now() - started) / 1000,
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      };
      samples.push(s);
      if (s.rss > STOP_ABOVE_MB * 1024 * 1024) stoppedEarly = true;
      const rate = s.seconds > 0 ? (s.requests / s.seconds).toFixed(0) : "-";
      process.stdout.write(
        `${String(s.requests).padStart(8)} ${s.seconds.toFixed(1).padStart(8)} ${rate.padStart(6)} ${MB(s.rss)} ${MB(s.heapUsed)} ${MB(s.external)} ${MB(s.arrayBuffers)}\n`,
      );
    };
    const count = (res: ApiResponse, expected: number) => {
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status !== expected) failures++;
      if (sent >= nextSample) {
        nextSample += EVERY;
        sampling = sampling.then(sample);
      }
      return res;
    };

    process.stdout.write(
      `hub pid ${hub.pid}, data ${dataDir}${ARENA_MAX ? `, MALLOC_ARENA_MAX=${ARENA_MAX}` : ""}${args.gc ? ", collected before each sample" : ""}\n`,
    );
    process.stdout.write(
      `${"requests".padStart(8)} ${"seconds".padStart(8)} ${"req/s".padStart(6)} ${"rss MB".padStart(7)} ${"heap MB".padStart(7)} ${"ext MB".padStart(7)} ${"bufs MB".padStart(7)}\n`,
    );
    await sample();
    nextSample = EVERY;

    const oneTraceback = async () => {
      const created = count(await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: providers[0]!.id }), 201);
      if (created.status !== 201) return;
      const { tracebackId } = parseHopId(created.body.hops[0].id)!;
      for (let i = 0; i < HOPS; i++) {
        const p = providers[i]!;
        const hopId = hopIdOf(tracebackId, i + 1);
        count(await p.api.get("/v1/hop-requests?limit=10"), 200);
        count(await p.api.get(`/v1/hop-requests/${hopId}`), 200);
        const answer =
          i < HOPS - 1
            ? { type: "upstream_identified", upstream: { providerId: providers[i + 1]!.id }, evidence: EVIDENCE }
            : { type: "originator_identified", customer: { name: "Dialer LLC", accountReference: "CUST-9" }, actionTaken: "suspended", evidence: EVIDENCE };
        count(await p.api.post(`/v1/hop-requests/${hopId}/answer`, answer), 200);
      }
      count(await initiator.api.get(`/v1/tracebacks/${tracebackId}`), 200);
      count(await providers[HOPS - 1]!.api.get("/v1/events?limit=10"), 200);
    };
    const worker = async () => {
      while (sent < REQUESTS && !stoppedEarly) await oneTraceback();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await sampling;
    if (samples[samples.length - 1]!.requests !== sent) await sample();

    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const half = samples.find((s) => s.requests >= last.requests / 2) ?? first;
    const per10k = (a: Sample, b: Sample) => (b.requests > a.requests ? ((b.rss - a.rss) / (b.requests - a.requests)) * 10_000 : 0);
    process.stdout.write(
      [
        ``,
        ...(stoppedEarly ? [`stopped early: the hub's RSS passed ${STOP_ABOVE_MB} MB`] : []),
        `requests ${sent} in ${last.seconds.toFixed(1)} s; statuses ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}; unexpected ${failures}`,
        `webhooks received ${receiver.received.length}`,
        `rss ${MB(first.rss).trim()} MB at start, ${MB(last.rss).trim()} MB at the end; growth per 10k requests: ${MB(per10k(first, last)).trim()} MB overall, ${MB(per10k(half, last)).trim()} MB over the second half`,
        ``,
      ].join("\n"),
    );
  } finally {
    await hub.stop();
    await receiver.close();
    if (!args["data-dir"]) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
