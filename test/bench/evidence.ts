/**
 * `npm run bench:evidence`: the transparency log behind the API, and the offline verifier. On
 * the embedded hub (integrator woken by each append), tracebacks of five hops are created and
 * answered through the signed API, many at once: measured are the log entries appended per
 * second (every request and hub decision), the delay from an entry's append to the first signed
 * checkpoint covering it, and the delay a client sees from its write's response to the inclusion
 * proof being served. Then the evidence bundles are fetched and verified: one five-hop signed
 * traceback, and all of them. Figures are printed, never asserted.
 */
import { cpus, platform, release } from "node:os";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";
import type { LogHead, StoredEntry } from "../../functions/usecases/log-ports.js";
import type { Party } from "../support/hub.js";

const HELP = `Usage: npm run bench:evidence -- [options]

Tracebacks of five hops created and answered through the signed API of an embedded hub, many at
once, then at a paced rate; prints log entries appended per second, integration delay (append to
signed checkpoint, and a write's response to its inclusion proof being served) p50/p99 under both,
writes per answered hop, bundle fetch time, and the time to verify one five-hop bundle and every
bundle of the run.

Options:
  --tracebacks <n>  tracebacks created and answered (default 1000)
  --in-flight <n>   tracebacks worked on at once (default 40)
  --rate <n>        tracebacks started per second in the paced phase, 30 s (default 1)
  -h, --help        this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, { tracebacks: { type: "string" }, "in-flight": { type: "string" }, rate: { type: "string" } });
const TRACEBACKS = integerOption(cli, "--tracebacks", cli.values.tracebacks, 1000, 1, 100_000);
const IN_FLIGHT = integerOption(cli, "--in-flight", cli.values["in-flight"], 40, 1, 1000);
const RATE = integerOption(cli, "--rate", cli.values.rate, 1, 1, 100);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [
  { verifyReceipt },
  { hopIdOf },
  { verifyBundle },
  { bundleOf, evidenceWorld, traceThrough },
  { EVIDENCE, startTestHub },
  { instrument },
  { ms, pct, progress: log },
] = await Promise.all([
  import("../../functions/crypto/receipt.js"),
  import("../../functions/domain/ids.js"),
  import("../../functions/verifier/bundle.js"),
  import("../support/evidence.js"),
  import("../support/hub.js"),
  import("./counters.js"),
  import("./figures.js"),
]);
const PACED_SECONDS = 30;
const HOPS = 5;
/** One write in this many has its proof polled by the client, as a receipt holder would. */
const PROBE_EVERY = 10;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

async function main(): Promise<void> {
  const t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  try {
    const deps = t.hub.runtime.deps;
    // When each entry was appended, and each head written: what a reader polling would see.
    const appendedAt = new Map<string, number>();
    const heads: Array<{ size: number; at: number }> = [];
    const store = deps.transparencyLog.logStore;
    const putEntry = store.putEntry.bind(store);
    const advanceHead = store.advanceHead.bind(store);
    store.putEntry = async (e: StoredEntry) => {
      const r = await putEntry(e);
      if (r.created) appendedAt.set(e.statementId, performance.now());
      return r;
    };
    store.advanceHead = async (h: LogHead) => {
      await advanceHead(h);
      heads.push({ size: h.size, at: performance.now() });
    };

    const counter = instrument(t.hub.runtime.db, t.hub.runtime.sqs);
    const appends = countAppends(t.hub.runtime.db);
    const w = await evidenceWorld(t, HOPS);
    const jwks = w.jwks;
    const signedTb = await traceThrough(w);

    const probes: Array<Promise<number>> = [];
    let writes = 0;
    const probe = (receipt: string, at: number) =>
      probes.push(
        (async () => {
          const id = (await verifyReceipt(receipt, jwks)).log!.id;
          for (;;) {
            const res = await fetch(`${t.url}/log/v1/proofs/inclusion?statementId=${encodeURIComponent(id)}`);
            await res.arrayBuffer();
            if (res.status === 200) return performance.now() - at;
            await new Promise((r) => setTimeout(r, 5));
          }
        })(),
      );
    const answer = async (p: Party, hopId: string, body: unknown) => {
      const res = await p.api.post(`/v1/hop-requests/${hopId}/answer`, body);
      if (res.status !== 200) throw new Error(`answer ${hopId}: ${res.status} ${res.text}`);
      if (++writes % PROBE_EVERY === 0) probe(res.headers.get("hoptrace-receipt")!, performance.now());
    };
    const ids: string[] = [];
    let started = 0;
    const one = async () => {
      const n = started++;
      const created = await w.initiator.api.post("/v1/tracebacks", {
        callingNumber: `+1305${String(2_000_000 + n).padStart(7, "0")}`,
        calledNumber: "+12025550143",
        callTime: "2024-06-03T16:00:00Z",
        terminatingProviderId: w.providers[0]!.id,
      });
      if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
      const tb = created.body.traceback.id as string;
      ids.push(tb);
      for (let i = 0; i < HOPS; i++) {
        const next = w.providers[i + 1];
        await answer(
          w.providers[i]!,
          hopIdOf(tb, i + 1),
          next
            ? { type: "upstream_identified", upstream: { providerId: next.id }, evidence: EVIDENCE }
            : { type: "originator_identified", customer: { name: "Bench Dialer" }, actionTaken: "suspended", evidence: EVIDENCE },
        );
      }
    };

    /** Runs `load`, then waits for the log to cover it: appends, seconds, and both delays of its entries. */
    const phase = async (load: () => Promise<unknown>) => {
      const before = appendedAt.size;
      const headsBefore = heads.length;
      probes.length = 0;
      const t0 = performance.now();
      await load();
      const seconds = (performance.now() - t0) / 1000;
      const proofs = sorted(await Promise.all(probes));
      for (let i = 0; i < 1000 && (await store.getHead())!.size < appendedAt.size; i++) await new Promise((r) => setTimeout(r, 20));
      const own = [...appendedAt.keys()].slice(before);
      const covering = heads.slice(headsBefore);
      const entries = (await store.getEntries(own)).filter((e) => e.index !== undefined);
      const delays = sorted(entries.map((e) => (covering.find((h) => h.size > e.index!)?.at ?? NaN) - appendedAt.get(e.statementId)!).filter(Number.isFinite));
      return { appended: own.length, seconds, delays, proofs };
    };
    const figures = (d: number[]) => `${ms(pct(d, 0.5))} / ${ms(pct(d, 0.99))} / ${ms(d.at(-1) ?? NaN)}`;

    log(`load: ${TRACEBACKS} tracebacks of ${HOPS} hops, ${IN_FLIGHT} at once`);
    counter.reset();
    appends.reset();
    const flood = await phase(() =>
      Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (started < TRACEBACKS) await one();
        }),
      ),
    );
    const dynamo = counter.snapshot();
    const logWrites = appends.snapshot();
    const hops = TRACEBACKS * HOPS;

    log(`paced: ${RATE} traceback(s) per second for ${PACED_SECONDS} s`);
    const paced = await phase(async () => {
      const started: Array<Promise<void>> = [];
      const t0 = performance.now();
      for (let k = 0; k < RATE * PACED_SECONDS; k++) {
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + (k * 1000) / RATE - performance.now())));
        started.push(one());
      }
      await Promise.all(started);
    });

    log("bundles: fetching");
    const f0 = performance.now();
    const bundles = [];
    for (const id of ids) bundles.push(await bundleOf(w.initiator.api, id));
    const fetchMs = (performance.now() - f0) / ids.length;
    const signed = await bundleOf(w.initiator.api, signedTb);

    log("bundles: verifying");
    let v0 = performance.now();
    const signedOk = (await verifyBundle(signed, { jwks })).ok;
    const signedCold = performance.now() - v0;
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) {
      v0 = performance.now();
      await verifyBundle(structuredClone(signed), { jwks });
      warm.push(performance.now() - v0);
    }
    v0 = performance.now();
    let verified = 0;
    for (const b of bundles) if ((await verifyBundle(b, { jwks })).ok) verified++;
    const allMs = performance.now() - v0;
    const statements = bundles.reduce((n, b) => n + b.log.entries.length, 0);

    const lines = [
      `## Evidence: the log behind the API, and the offline verifier (npm run bench:evidence)`,
      ``,
      `${TRACEBACKS} tracebacks of ${HOPS} hops through the signed API, ${IN_FLIGHT} at once, on the embedded hub (integrator woken by each append); ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${platform()} ${release()}, Node ${process.version}.`,
      ``,
      `| figure | value |`,
      `|---|---|`,
      `| requests of the load (creations and answers) per second | ${((TRACEBACKS * (HOPS + 1)) / flood.seconds).toFixed(1)} |`,
      `| log entries appended per second (requests and hub decisions: ${flood.appended} in ${flood.seconds.toFixed(1)} s) | ${(flood.appended / flood.seconds).toFixed(1)} |`,
      `| under that load: append to a signed checkpoint covering it, p50 / p99 / max | ${figures(flood.delays)} |`,
      `| under that load: an answer's response to its inclusion proof served (${flood.proofs.length} polled), p50 / p99 / max | ${figures(flood.proofs)} |`,
      `| at ${RATE} traceback(s) per second (${paced.appended} entries in ${paced.seconds.toFixed(0)} s): append to a signed checkpoint, p50 / p99 / max | ${figures(paced.delays)} |`,
      `| at ${RATE} traceback(s) per second: an answer's response to its inclusion proof served (${paced.proofs.length} polled), p50 / p99 / max | ${figures(paced.proofs)} |`,
      `| log entries per answered hop (its answer, the next hop's placement; per traceback also its creation, hop 1, the outcome) | ${(flood.appended / hops).toFixed(2)} |`,
      `| DynamoDB writes per answered hop, all / the log's appends (PutItem) | ${(dynamo.dbWrites / hops).toFixed(2)} / ${(logWrites.puts / hops).toFixed(2)} |`,
      `| write units per answered hop (table), all / the log's appends (request entries ${(logWrites.requestUnits / Math.max(1, logWrites.requests)).toFixed(2)} each, decisions ${(logWrites.decisionUnits / Math.max(1, logWrites.decisions)).toFixed(2)}) | ${(dynamo.writeUnits / hops).toFixed(2)} / ${((logWrites.requestUnits + logWrites.decisionUnits) / hops).toFixed(2)} |`,
      `| evidence bundle fetched (GET /v1/tracebacks/{id}/evidence), mean | ${ms(fetchMs)} |`,
      `| verifying one signed five-hop bundle (${signed.log.entries.length} statements): first / then p50 | ${ms(signedCold)} / ${ms(pct(sorted(warm), 0.5))}${signedOk ? "" : " (NOT VERIFIED)"} |`,
      `| verifying all ${bundles.length} bundles (${statements} statements), one after the other | ${(allMs / 1000).toFixed(1)} s (${verified} verified) |`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await t.stop();
  }
}

/** The log's appends (conditional puts of entry items) and the write units they consume, by kind of statement. */
function countAppends(db: DynamoDBDocumentClient) {
  let counts = { puts: 0, requests: 0, decisions: 0, requestUnits: 0, decisionUnits: 0 };
  type Args = { input: { Item?: { pk?: unknown; entry?: Uint8Array } } };
  (db.middlewareStack as unknown as { add(mw: unknown, opts: object): void }).add(
    (next: (a: Args) => Promise<{ output: { ConsumedCapacity?: { CapacityUnits?: number } } }>, context: { commandName: string }) => async (args: Args) => {
      const result = await next(args);
      const item = args.input.Item;
      if (context.commandName !== "PutItemCommand" || typeof item?.pk !== "string" || !item.pk.startsWith("LOGENTRY#")) return result;
      const units = result.output.ConsumedCapacity?.CapacityUnits ?? 0;
      counts.puts++;
      if (Buffer.from(item.entry ?? []).includes('"kind":"decision"')) {
        counts.decisions++;
        counts.decisionUnits += units;
      } else {
        counts.requests++;
        counts.requestUnits += units;
      }
      return result;
    },
    { step: "initialize", name: "benchCountLogAppends", priority: "low" },
  );
  return {
    snapshot: () => ({ ...counts }),
    reset: () => {
      counts = { puts: 0, requests: 0, decisions: 0, requestUnits: 0, decisionUnits: 0 };
    },
  };
}

main().catch((err) => {
  log(String(err?.stack ?? err));
  process.exitCode = 1;
});
