/**
 * `npm run bench:start [-- --runs 5]`: what a start of the local hub costs, from the source under
 * tsx (as `npm start` ran it before it bundled the hub) and from the bundle `npm start` runs now.
 * Each run starts the hub on an empty data folder, waits for its "listening" line, reads the CPU
 * time its process tree used until then (Linux's /proc) and stops it. Also prints the build, and
 * what the hub `npm start` runs costs at rest: its CPU over some seconds with nothing to do (its
 * sweeps of the due-work indexes every second and its idle queue pollers).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";

const HELP = `Usage: npm run bench:start -- [options]

Starts the local hub on an empty data folder, from the source under tsx and from the bundle npm
start runs, and prints the median time to its "listening" line and the CPU time (user + system)
its processes used until then, read from /proc (Linux only), then the time of the build and the
CPU time the hub spends at rest, with nothing to do, over --idle seconds.

Options:
  --runs <n>    starts of each (default 5)
  --idle <s>    seconds the hub is watched at rest (default 10; 0 skips it)
  -h, --help    this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, { runs: { type: "string" }, idle: { type: "string" } });
const runs = integerOption(cli, "--runs", cli.values.runs, 5, 1, 100);
const idleSeconds = integerOption(cli, "--idle", cli.values.idle, 10, 0, 3600);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ buildHub }, { startHubProcess }, { progress }] = await Promise.all([
  import("../../functions/local/build.js"),
  import("../support/hub-process.js"),
  import("./figures.js"),
]);
const ROOT = join(import.meta.dirname, "../..");
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of `pid` and every process below it, or NaN without /proc. */
function treeCpuSeconds(pid: number): number {
  if (!existsSync("/proc/self/stat")) return Number.NaN;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ")".
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone since the directory was read.
    }
  }
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) pending.push(child);
  }
  return ticks / TICKS_PER_SECOND;
}

/** One start: milliseconds to "listening", CPU seconds until then, and over `restMs` after that. */
async function startOnce(entry: string, restMs = 0): Promise<{ ms: number; cpu: number; atRest: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "hoptrace-bench-start-"));
  const started = performance.now();
  const hub = await startHubProcess({ dataDir, entry });
  const ms = performance.now() - started;
  const cpu = treeCpuSeconds(hub.pid);
  await new Promise((r) => setTimeout(r, restMs));
  const atRest = treeCpuSeconds(hub.pid) - cpu;
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { ms, cpu, atRest };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(label: string, entry: string): Promise<void> {
  const samples: Array<{ ms: number; cpu: number }> = [];
  for (let i = 0; i < runs; i++) {
    progress(`${label}: start ${i + 1} of ${runs}`);
    samples.push(await startOnce(entry));
  }
  const cpu = median(samples.map((s) => s.cpu));
  console.log(
    `${label}: ${median(samples.map((s) => s.ms)).toFixed(0)} ms to listening, ${Number.isNaN(cpu) ? "CPU n/a" : `${cpu.toFixed(2)} s CPU`} (median of ${runs})`,
  );
}

const building = performance.now();
const entry = await buildHub();
const buildMs = performance.now() - building;
await measure("from the source (node --import tsx functions/local/main.ts)", join(ROOT, "functions/local/main.ts"));
await measure("from the bundle (npm start: node --enable-source-maps functions/local/dist/main.mjs)", entry);
console.log(`the bundle's build (esbuild, functions/local/build.ts): ${buildMs.toFixed(0)} ms`);
if (idleSeconds > 0) {
  progress(`the bundle's hub at rest for ${idleSeconds} s`);
  const { atRest } = await startOnce(entry, idleSeconds * 1000);
  console.log(
    `at rest (npm start, nothing to do): ${Number.isNaN(atRest) ? "CPU n/a" : `${atRest.toFixed(2)} s CPU in ${idleSeconds} s, ${((100 * atRest) / idleSeconds).toFixed(1)} % of a core`}`,
  );
}
