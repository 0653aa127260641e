/**
 * The project's command-line tools, run as a user runs them (a fresh Node process through tsx):
 * each answers --help with its usage and options and exit 0 before starting anything, refuses an
 * unknown option with exit 2, and keys:new never writes over a file nor leaves one readable by
 * others.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** tsx's loader by its own location, so a tool started in another folder still finds it. */
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const runTool = (file: string, args: string[], cwd = root): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, join(root, file), ...args],
      { cwd, timeout: 60_000, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });

/** Each tool, its npm script (as its usage line names it) and the options its help must list. */
const TOOLS: Array<[file: string, usage: string, options: string[]]> = [
  ["functions/local/new-key.ts", "npm run keys:new --", ["--account-id <id>", "--help"]],
  ["functions/demo/main.ts", "npm run demo --", ["--timeout <seconds>", "--help"]],
  ["functions/responder/cli.ts", "npm run responder --", ["--config <file>", "--sweep", "--help", "functions/responder/README.md"]],
  ["test/bench/bench.ts", "npm run bench --", ["--latency-runs <n>", "--tracebacks <n>", "--no-write", "--help"]],
  ["test/bench/webhook-latency.ts", "npm run bench:webhook --", ["[runs]", "--help"]],
  ["test/bench/log.ts", "npm run bench:log --", ["--entries <n>", "--concurrency <n>", "--rate <n>", "--help"]],
  ["test/bench/evidence.ts", "npm run bench:evidence --", ["--tracebacks <n>", "--in-flight <n>", "--help"]],
  [
    "functions/verifier/verify-cli.ts",
    "npx hoptrace-verify <bundle.json>...",
    ["--jwks <file>", "--checkpoint <file>", "--consistency <file>", "--json", "--help"],
  ],
  ["test/bench/ed25519-verify.ts", "npx tsx test/bench/ed25519-verify.ts", ["[iterations]", "--help"]],
  ["infra/bundle-report.ts", "npm run bundle:report --", ["[runs]", "--help"]],
];

describe("every tool's --help", () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "hoptrace-cli-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it.concurrent.each(TOOLS)("%s prints its usage and options, exits 0 and does nothing else", async (file, usage, options) => {
    const run = await runTool(file, ["--help"], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(`Usage: ${usage}`)).toBe(true);
    for (const option of options) expect(run.stdout).toContain(option);
    expect(run.stderr).toBe("");
    expect(await readdir(cwd)).toEqual([]);
  });

  // All of them read their command line through one function; two of them stand for the rest.
  it.concurrent.each(TOOLS.filter(([file]) => /new-key|responder/.test(file)))(
    "%s refuses an unknown option with exit 2, the reason and the usage",
    async (file, usage) => {
      const run = await runTool(file, ["--no-such-option"], cwd);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Unknown option '--no-such-option'/);
      expect(run.stderr).toContain(`Usage: ${usage}`);
      expect(run.stdout).toBe("");
    },
  );
});

describe("npm run keys:new", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hoptrace-keys-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the private key owner-only, prints its public half and key id, and with --account-id its proof", async () => {
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

  it("refuses to write over an existing file, in one line, and leaves it and the folder as they were", async () => {
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

  it("says which folder is missing instead of a stack", async () => {
    const run = await runTool("functions/local/new-key.ts", [join(dir, "no-such-folder", "k.json")], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`cannot write ${join(dir, "no-such-folder", "k.json")}: there is no folder ${join(dir, "no-such-folder")}`);
  });

  it("takes nothing that looks like an option for a file name, and wants exactly one file", async () => {
    const dashed = await runTool("functions/local/new-key.ts", ["--", "--help"], dir);
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toMatch(/looks like an option/);
    const none = await runTool("functions/local/new-key.ts", [], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name the file/);
    const two = await runTool("functions/local/new-key.ts", ["a.json", "b.json"], dir);
    expect(two.code).toBe(2);
    expect(await readdir(dir)).not.toContain("--help");
    expect(await readdir(dir)).not.toContain("a.json");
  });
});
