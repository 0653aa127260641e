/**
 * `npm run bench:rmd [-- --filings 10000]`: the embedded stack with its data on disk, as
 * `npm start` runs it; a generated RMD export of that many filings imported through the
 * streamed upload, then a later export (an eighth removed, 3 % changed, 0.5 % added) diffed
 * against it. Prints the time of each and the lookups after, with the CPU time they took: the hub,
 * the emulator and the uploading client share this process, so that is the whole cost of each.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";

const HELP = `Usage: npm run bench:rmd -- [options]

On the embedded stack with its data on disk, as npm start runs it: imports a generated RMD export
through the streamed upload, then a later export (an eighth removed, 3 % changed, 0.5 % added)
diffed against it, and looks filings up by RMD number. Prints the time of each, and the CPU time
(user + system) of this process, which runs the hub, the emulator and the client alike.

Options:
  --filings <n>  filings in the first export (default 10000)
  -h, --help     this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, { filings: { type: "string" } });
const filings = integerOption(cli, "--filings", cli.values.filings, 10_000, 1, 10_000_000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ uploadRmdExport }, { startTestHub }, { laterRmdExport, syntheticRmdExport }] = await Promise.all([
  import("../../functions/rmd-import/upload.js"),
  import("../support/hub.js"),
  import("../support/rmd-export.js"),
]);
const dir = mkdtempSync(join(tmpdir(), "hoptrace-bench-rmd-"));
const hub = await startTestHub({ dataDir: join(dir, "data") });
try {
  const file = join(dir, "rmd.csv");
  writeFileSync(file, syntheticRmdExport(filings, 7).csv);
  const cpuSince = (from: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(from);
    return `${((used.user + used.system) / 1e6).toFixed(1)} s CPU`;
  };
  const timed = async (label: string, asOf: string) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const res = await uploadRmdExport({ hub: hub.url, key: hub.consortium.key, file, asOf });
    const seconds = (performance.now() - started) / 1000;
    const used = cpuSince(cpu);
    if (res.status !== 201) throw new Error(`${label}: ${res.status} ${res.text}`);
    const body = res.body as Record<string, number>;
    console.log(
      `${label}: ${body.filings} filings, ${(statSync(file).size / 1e6).toFixed(1)} MB: ${seconds.toFixed(1)} s, ${used} (${body.added} added, ${body.changed} changed, ${body.removed} removed, ${body.unchanged} unchanged)`,
    );
  };
  await timed("first import", "2025-08-01");
  const removed = Math.round(filings / 8);
  writeFileSync(file, laterRmdExport(filings, { removed, changed: Math.round(filings * 0.03), added: Math.round(filings * 0.005) }, 7).csv);
  await timed("later import", "2025-08-25");
  const started = performance.now();
  const cpu = process.cpuUsage();
  const lookups = 200;
  for (let i = 0; i < lookups; i++) {
    const number = `RMD${String(1_000_000 + ((i * 7919) % filings)).padStart(7, "0")}`;
    const res = await hub.consortium.api.get(`/v1/rmd/lookup?rmdNumber=${number}&at=2025-09-01`);
    if (res.status !== 200) throw new Error(`lookup ${number}: ${res.status}`);
  }
  console.log(`lookup by RMD number as of a date: ${((performance.now() - started) / lookups).toFixed(1)} ms each over ${lookups}, ${cpuSince(cpu)} in all`);
} finally {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
}
