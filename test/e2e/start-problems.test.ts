/**
 * `npm start` as an operator meets it: every setting in the README's table reaches the hub, a
 * value it cannot use stops it with one line naming the setting, and so do a busy port, a data
 * folder held by another hub or not writable, and a Node older than `engines`. The cases are
 * independent (each its own data folder, port 0) and run at once, but for the two that share one
 * running hub.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signingKeyFromJwk } from "../../openapi/client/index.js";
import { runHubProcessToExit, startHubProcess, type HubProcess } from "../support/hub-process.js";
import { apiFor, CALL, providerRegistration, registerAccount } from "../support/hub.js";

const ROOT = join(import.meta.dirname, "../..");

/**
 * The files a process loaded, from module-log.mjs's list: a module of the bundle stands for the
 * source files its source map names, so that what was loaded reads as what was written.
 */
async function sourcesLoaded(moduleLog: string): Promise<string[]> {
  const files = (await readFile(moduleLog, "utf8"))
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .map((url) => fileURLToPath(url));
  const sources = await Promise.all(
    files.map(async (file) => {
      if (!existsSync(`${file}.map`)) return [file];
      const map = JSON.parse(await readFile(`${file}.map`, "utf8")) as { sources: string[] };
      return map.sources.map((source) => resolve(dirname(file), source));
    }),
  );
  return sources.flat();
}

/** The variables of the README's configuration table, and whether `npm start` sets them itself. */
function readmeVariables(): Array<{ name: string; awsOnly: boolean }> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Deploying on AWS"));
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => {
      const [names = "", defaults = ""] = line.split("|").slice(1);
      return [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => ({ name: m[1]!, awsOnly: /[*_]AWS[*_]/.test(defaults) }));
    });
}

function withoutLogFormat(): NodeJS.ProcessEnv {
  const { LOG_FORMAT: _, ...env } = process.env;
  return env;
}

/** Settings any text is a good value of: a folder, a person's name. */
const FREE_TEXT = new Set(["HOPTRACE_DATA_DIR", "MAIL_DIR", "HOPTRACE_FIRST_PERSON_NAME"]);

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("npm start refuses what it cannot run with, in one line and exit 1", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  const folder = async () => {
    const root = await mkdtemp(join(tmpdir(), "hoptrace-start-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    return root;
  };

  it.concurrent("names every setting of the README's table given a value it cannot use, before anything is written", async ({ expect }) => {
    const variables = readmeVariables().filter((v) => !v.awsOnly && !FREE_TEXT.has(v.name));
    expect(variables.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        "PORT",
        "DEFAULT_DEADLINE_POLICY",
        "LOG_FORMAT",
        "LOG_LEVEL",
        "CONSORTIUM_PUBLIC_JWK",
        "RATE_LIMIT_BURST",
        "SMTP_URL",
        "MAIL_FROM",
        "PUBLIC_RATE_LIMIT_BURST",
        "HOPTRACE_FIRST_PERSON_EMAIL",
      ]),
    );
    const root = await folder();
    const dataDir = join(root, "data");
    const modules = join(root, "modules.txt");
    const run = await runHubProcessToExit({
      dataDir,
      env: { ...Object.fromEntries(variables.map((v) => [v.name, "bogus"])), HOPTRACE_MODULE_LOG: modules },
      nodeArgs: ["--import", pathToFileURL(join(ROOT, "test", "support", "module-log.mjs")).href],
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const said = lines(run.stderr);
    expect(said).toHaveLength(variables.length);
    for (const v of variables)
      expect(
        said.some((line) => line.startsWith(`${v.name}=`) || line.startsWith(`${v.name} `)),
        v.name,
      ).toBe(true);
    expect(said).toContain('DEFAULT_DEADLINE_POLICY="bogus" is not allowed: use us-24h, ca-2bd, fixed');
    expect(said).toContain('SMTP_URL="bogus" is not allowed: use an smtp: or smtps: URL, such as smtp://user:pass@host:587');
    expect(said).toContain('HOPTRACE_FIRST_PERSON_EMAIL="bogus" is not allowed: use an e-mail address such as ada@consortium.example');
    expect(existsSync(dataDir)).toBe(false);
    // Refused before the hub itself (the app, the emulators) was loaded.
    const loaded = await sourcesLoaded(modules);
    expect(loaded).toContain(join(ROOT, "functions", "local", "start.ts"));
    expect(loaded).not.toContain(join(ROOT, "functions", "local", "embedded.ts"));
    expect(loaded).not.toContain(join(ROOT, "functions", "http", "app.ts"));
    expect(loaded.filter((file) => /node_modules\/(dynalite|local-aws-sqs|@aws-sdk)\//.test(file))).toEqual([]);
  }, 60_000);

  it.concurrent("takes every setting it lists from the environment, and a fixed deadline policy sets the hops' deadlines", async ({ expect }) => {
    const dataDir = join(await folder(), "data");
    const hub = await startHubProcess({
      dataDir,
      startTimeoutMs: 60_000,
      env: {
        DEFAULT_DEADLINE_POLICY: "fixed",
        FIXED_DEADLINE_SECONDS: "600",
        REMINDER_SECONDS_BEFORE_DUE: "300,60",
        RATE_LIMIT_BURST: "500",
        LOG_FORMAT: "text",
      },
    });
    cleanup.push(() => hub.stop());
    await expect.poll(() => hub.output()).toContain("Ctrl-C to stop.");
    expect(hub.output()).toContain(
      "settings:       DEFAULT_DEADLINE_POLICY=fixed FIXED_DEADLINE_SECONDS=600 REMINDER_SECONDS_BEFORE_DUE=300,60 RATE_LIMIT_BURST=500 LOG_LEVEL=WARN LOG_FORMAT=text",
    );
    expect(hub.output()).toContain(`console:        ${hub.url}/console/`);
    expect(hub.output()).toMatch(new RegExp(`first person:   open ${hub.url}/console/enrol#token=[A-Za-z0-9_-]{43}\n`));
    expect(hub.output()).toMatch(/Next: open the first person's link in a browser, .*; or register a provider/);

    const consortium = apiFor(hub.url, await signingKeyFromJwk(JSON.parse(await readFile(join(dataDir, "consortium.private.jwk.json"), "utf8"))));
    const provider = await registerAccount(hub.url, consortium, "providers", providerRegistration("Fixed Deadline Co"));
    const created = await consortium.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id });
    expect(created.status).toBe(201);
    const hop = created.body.hops[0];
    // us-24h, the default, would give 24 hours and reminders 4 h and 1 h before.
    expect(Date.parse(hop.deadline.dueAt) - Date.parse(hop.deadline.clockStartsAt)).toBe(600_000);
    expect(hop.deadline.reminders.map((r: string) => (Date.parse(hop.deadline.dueAt) - Date.parse(r)) / 1000)).toEqual([300, 60]);

    // LOG_FORMAT=text without a terminal: readable lines all the same.
    expect((await fetch(`${hub.url}/v1/providers`)).status).toBe(401);
    await expect
      .poll(() => hub.output(), { timeout: 20_000 })
      .toMatch(/^\d\d:\d\d:\d\d WARN {2}request signature refused requestId=req_\S+ reason=missing_signature$/m);
  }, 60_000);

  it.concurrent("says the port is busy", async ({ expect }) => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const { port } = server.address() as AddressInfo;
    const dataDir = join(await folder(), "data");
    const run = await runHubProcessToExit({ dataDir, port, timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([`port ${port} is in use by another process: stop it, or set PORT to another port (PORT=0 picks a free one)`]);
    // Said before the emulators started: no table was opened in the data folder.
    expect(existsSync(join(dataDir, "dynamodb"))).toBe(false);
  }, 90_000);

  it.concurrent("says the data folder cannot be written", async ({ expect }) => {
    const root = await folder();
    await chmod(root, 0o755);
    const dataDir = join(root, "data");
    await mkdir(dataDir, { mode: 0o555 });
    await chmod(dataDir, 0o555);
    // Root writes anywhere, and an owner may chmod its way in: as root the folder belongs to
    // another user and the hub runs without the capabilities that override modes and owners.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chown(dataDir, 65534, 65534);
    const run = await runHubProcessToExit({ dataDir, withoutFileOverride: asRoot });
    expect(run.code).toBe(1);
    const said = lines(run.stderr);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      new RegExp(
        `^cannot write to the data folder ${dataDir} \\((EACCES|EPERM)[^)]*\\): make it writable by this user, or set HOPTRACE_DATA_DIR to another folder$`,
      ),
    );
  }, 60_000);

  it.concurrent("says the Node is older than package.json engines", async ({ expect }) => {
    const engines = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node as string;
    const old = 'data:text/javascript,Object.defineProperty(process,"version",{value:"v18.19.1"})';
    const run = await runHubProcessToExit({ dataDir: join(await folder(), "data"), nodeArgs: ["--import", old] });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      `Hoptrace needs Node ${engines.replace(/^>=\s*/, "")} or later (package.json engines: "${engines}"); this is Node 18.19.1: install a newer Node (e.g. \`nvm install 20\`)`,
    ]);
  }, 60_000);

  it.concurrent("on a terminal, logs readable lines without being told to", async ({ expect }) => {
    const dataDir = join(await folder(), "data");
    // `script` gives the hub a terminal, as a person running `npm start` has.
    const child = spawn("script", ["-qec", `${process.execPath} --import tsx functions/local/main.ts`, "/dev/null"], {
      cwd: ROOT,
      env: { ...withoutLogFormat(), HOPTRACE_DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "WARN" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const exited = new Promise((r) => child.once("close", r));
    cleanup.push(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    await expect.poll(() => output, { timeout: 60_000 }).toMatch(/Ctrl-C to stop\./);
    const url = /Hoptrace listening on (http:\/\/\S+)/.exec(output)![1]!;
    expect((await fetch(`${url}/v1/providers`)).status).toBe(401);
    await expect
      .poll(() => output, { timeout: 20_000 })
      .toMatch(/^\d\d:\d\d:\d\d WARN {2}request signature refused requestId=req_\S+ reason=missing_signature\r?$/m);
    // The hub itself, by the pid its lock names: a clean stop releases the folder.
    process.kill(JSON.parse(await readFile(join(dataDir, "hub.lock"), "utf8")).pid, "SIGTERM");
    await exited;
    expect(existsSync(join(dataDir, "hub.lock"))).toBe(false);
  }, 60_000);

  describe("with a hub running on a data folder", () => {
    let dataDir: string;
    let first: HubProcess;
    beforeAll(async () => {
      dataDir = join(await folder(), "data");
      first = await startHubProcess({ dataDir, startTimeoutMs: 60_000 });
      cleanup.push(() => first.stop());
    }, 90_000);

    it("logs JSON when its output is not a terminal", async () => {
      expect((await fetch(`${first.url}/v1/providers`)).status).toBe(401);
      await expect.poll(() => first.output(), { timeout: 20_000 }).toMatch(/request signature refused/);
      const line = lines(first.output()).find((l) => l.includes("request signature refused"))!;
      expect(JSON.parse(line)).toMatchObject({ level: "WARN", message: "request signature refused", reason: "missing_signature" });
    }, 60_000);

    it("refuses the data folder to another hub, and a hub takes over the lock of one that was killed", async () => {
      const lock = JSON.parse(await readFile(join(dataDir, "hub.lock"), "utf8"));
      expect(lock.pid).toBe(first.pid);

      const second = await runHubProcessToExit({ dataDir });
      expect(second.code).toBe(1);
      expect(lines(second.stderr)).toEqual([
        `the data folder ${dataDir} is in use by another hub (pid ${first.pid}, see ${join(dataDir, "hub.lock")}): stop it, or set HOPTRACE_DATA_DIR to another folder`,
      ]);

      first.child.kill("SIGKILL");
      await new Promise((r) => first.child.once("exit", r));
      expect(JSON.parse(await readFile(join(dataDir, "hub.lock"), "utf8")).pid).toBe(first.pid);
      const third = await startHubProcess({ dataDir, startTimeoutMs: 60_000 });
      cleanup.push(() => third.stop());
      expect(JSON.parse(await readFile(join(dataDir, "hub.lock"), "utf8")).pid).toBe(third.pid);
      expect((await fetch(`${third.url}/health`)).status).toBe(200);
      // A clean stop leaves no lock behind.
      await third.stop();
      expect(existsSync(join(dataDir, "hub.lock"))).toBe(false);
    }, 90_000);
  });
});
