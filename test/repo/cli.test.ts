/**
 * The project's command-line tools, run as a user runs them (a fresh Node process through tsx):
 * each answers --help with its usage and options and exit 0 before starting anything, refuses an
 * unknown option with exit 2, and loads nothing for either but its command line's reader (no SDK,
 * no app, no emulator); keys:new never writes over a file nor leaves one readable by others. The
 * processes are independent and run at once.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TSX_LOADER } from "../support/tsx.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = TSX_LOADER;
const moduleLog = pathToFileURL(join(root, "test", "support", "module-log.mjs")).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const runTool = (file: string, args: string[], cwd = root, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, ...nodeArgs, join(root, file), ...args],
      { cwd, timeout: 60_000, env: { ...process.env, NODE_NO_WARNINGS: "1", ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });

/** What a tool may load to read its command line: itself, the shared reader, npm start's Node check. */
const COMMAND_LINE_MODULES = ["functions/platform/cli.ts", "functions/local/node-version.ts"];

/** Runs the tool and lists the modules it loaded but Node's own, those of the repository by their path in it. */
async function runListingModules(file: string, args: string[], cwd: string, logDir: string): Promise<Run & { loaded: string[] }> {
  const log = join(logDir, `${file.replace(/\W/g, "_")}-${args.join("_").replace(/\W/g, "_")}.txt`);
  const run = await runTool(file, args, cwd, { HOPTRACE_MODULE_LOG: log }, ["--import", moduleLog]);
  const urls = (await readFile(log, "utf8")).split("\n").filter((url) => url !== "" && !url.startsWith("node:"));
  return { ...run, loaded: [...new Set(urls.map((url) => (url.startsWith(pathToFileURL(root).href) ? fileURLToPath(url).slice(root.length) : url)))] };
}

/** What the tool loaded besides itself and its command line's reader; the log must show the tool itself. */
function loadedBeyondCommandLine(run: { loaded: string[] }, file: string): string[] {
  if (!run.loaded.includes(file)) throw new Error(`the module log does not show ${file} itself: ${run.loaded.join(", ")}`);
  return run.loaded.filter((path) => path !== file && !COMMAND_LINE_MODULES.includes(path));
}

/** Each tool, the start of its help (its usage line, naming its npm script) and what its help must list. */
const TOOLS: Array<[file: string, usage: string, options: string[]]> = [
  ["functions/local/main.ts", "Usage: npm start", ["PORT", "HOPTRACE_DATA_DIR", "README.md", "--help"]],
  ["functions/local/new-key.ts", "Usage: npm run keys:new --", ["--account-id <id>", "--help"]],
  ["functions/local/sign.ts", "usage: npm run sign --", ["METHOD URL", "--body", "--key", "--idempotency-key", "--lifetime", "--curl", "--help"]],
  ["functions/demo/main.ts", "Usage: npm run demo --", ["--timeout <seconds>", "--help"]],
  ["functions/responder/cli.ts", "Usage: npm run responder --", ["--config <file>", "--sweep", "--help", "functions/responder/README.md"]],
  ["functions/rmd-import/cli.ts", "usage: npm run rmd:import --", ["--hub <url>", "--key <file.jwk>", "--as-of <date>", "--help"]],
  [
    "functions/verifier/verify-cli.ts",
    "Usage: npx hoptrace-verify <bundle.json>...",
    ["--jwks <file>", "--checkpoint <file>", "--consistency <file>", "--json", "--help"],
  ],
  ["functions/verifier/witness-cli.ts", "usage: hoptrace-witness", ["--hub <url>", "--state <file>", "--interval <seconds>", "--once"]],
  ["test/bench/bench.ts", "Usage: npm run bench --", ["--latency-runs <n>", "--tracebacks <n>", "--no-write", "--help"]],
  ["test/bench/webhook-latency.ts", "Usage: npm run bench:webhook --", ["[runs]", "--help"]],
  ["test/bench/log.ts", "Usage: npm run bench:log --", ["--entries <n>", "--concurrency <n>", "--rate <n>", "--help"]],
  ["test/bench/evidence.ts", "Usage: npm run bench:evidence --", ["--tracebacks <n>", "--in-flight <n>", "--help"]],
  ["test/bench/campaigns.ts", "Usage: npm run bench:campaigns --", ["--seeds <a,b,...>", "--calls <n>", "--campaigns <n>", "--help"]],
  ["test/bench/rmd-import.ts", "Usage: npm run bench:rmd --", ["--filings <n>", "--help"]],
  ["test/bench/start.ts", "Usage: npm run bench:start --", ["--runs <n>", "--idle <s>", "--help"]],
  ["test/bench/soak.ts", "Usage: npm run soak --", ["--requests N", "--concurrency N", "--data-dir PATH", "--help"]],
  ["test/bench/ed25519-verify.ts", "Usage: npx tsx test/bench/ed25519-verify.ts", ["[iterations]", "--help"]],
  ["test/chaos/cli.ts", "Usage: npm run chaos --", ["--kills N", "--seed N", "--keep", "--help"]],
  ["test/fuzz/cli.ts", "Usage: npm run fuzz --", ["--n <count>", "--seed <int>", "--http", "--help"]],
  ["infra/bundle-report.ts", "Usage: npm run bundle:report --", ["[runs]", "--help"]],
];

describe("every tool's command line", () => {
  let cwd: string;
  let logs: string;
  beforeAll(async () => {
    [cwd, logs] = await Promise.all([mkdtemp(join(tmpdir(), "hoptrace-cli-")), mkdtemp(join(tmpdir(), "hoptrace-cli-modules-"))]);
  });
  afterAll(async () => {
    await Promise.all([cwd, logs].map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it.concurrent.for(TOOLS)("%s prints its usage and options, exits 0, and loads and does nothing else", async ([file, usage, options], { expect }) => {
    const run = await runListingModules(file, ["--help"], cwd, logs);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(usage)).toBe(true);
    for (const option of options) expect(run.stdout).toContain(option);
    expect(run.stderr).toBe("");
    expect(loadedBeyondCommandLine(run, file)).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });

  // The tools with a reader of their own, and three of those sharing one (which stand for the rest).
  it.concurrent.for(TOOLS.filter(([file]) => /local\/main|new-key|responder|sign|rmd-import\/cli|witness|fuzz/.test(file)))(
    "%s refuses an unknown option with exit 2, the reason and the usage, before loading anything else",
    async ([file, usage], { expect }) => {
      const run = await runListingModules(file, ["--no-such-option"], cwd, logs);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Unknown option '--no-such-option'/);
      expect(run.stderr).toContain(usage);
      expect(run.stdout).toBe("");
      expect(loadedBeyondCommandLine(run, file)).toEqual([]);
      expect(await readdir(cwd)).toEqual([]);
    },
  );
});

describe("npm run keys:new", () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "hoptrace-keys-"));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });
  /** A folder of the case's own, so that the cases run at once and each sees only its files. */
  const folder = () => mkdtemp(join(base, "case-"));

  it.concurrent("writes the private key owner-only, prints its public half and key id, and with --account-id its proof", async ({ expect }) => {
    const dir = await folder();
    const run = await runTool("functions/local/new-key.ts", ["--account-id", "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", "carrier.jwk.json"], dir);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { keyId: string; publicJwk: { x: string }; accountId: string; proof: string };
    const written = JSON.parse(await readFile(join(dir, "carrier.jwk.json"), "utf8")) as { x: string; d: string };
    expect((await stat(join(dir, "carrier.jwk.json"))).mode & 0o777).toBe(0o600);
    expect(written.x).toBe(printed.publicJwk.x);
    expect(typeof written.d).toBe("string");
    expect(JSON.stringify(printed)).not.toContain(written.d);
    expect(printed.accountId).toBe("acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9");
    const { importPublicJwk } = await import("../../functions/crypto/keys.js");
    const { verifyKeyProof } = await import("../../functions/crypto/key-proof.js");
    expect(verifyKeyProof(importPublicJwk(printed.publicJwk), printed.accountId, printed.keyId, printed.proof)).toBe(true);
  });

  it.concurrent("refuses to write over an existing file, in one line, and leaves it and the folder as they were", async ({ expect }) => {
    const dir = await folder();
    const file = join(dir, "taken.jwk.json");
    await writeFile(file, "the key someone already uses\n");
    const before = (await readdir(dir)).sort();
    const run = await runTool("functions/local/new-key.ts", ["taken.jwk.json"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("taken.jwk.json already exists: not replaced. Choose another name, or remove it first.");
    expect(run.stdout).toBe("");
    expect(await readFile(file, "utf8")).toBe("the key someone already uses\n");
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it.concurrent("says which folder is missing instead of a stack", async ({ expect }) => {
    const dir = await folder();
    const run = await runTool("functions/local/new-key.ts", [join(dir, "no-such-folder", "k.json")], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`cannot write ${join(dir, "no-such-folder", "k.json")}: there is no folder ${join(dir, "no-such-folder")}`);
  });

  it.concurrent("takes nothing that looks like an option for a file name, and wants exactly one file", async ({ expect }) => {
    const dir = await folder();
    const [dashed, none, two] = await Promise.all([
      runTool("functions/local/new-key.ts", ["--", "--help"], dir),
      runTool("functions/local/new-key.ts", [], dir),
      runTool("functions/local/new-key.ts", ["a.json", "b.json"], dir),
    ]);
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toMatch(/looks like an option/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name the file/);
    expect(two.code).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });
});
