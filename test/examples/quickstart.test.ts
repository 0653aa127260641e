/**
 * The provider quickstart under examples/, as an integrator runs it: type-checked against the
 * built @hoptrace/client's declarations, then each step run as its own process against a started
 * hub, from a new key to a hop request received by webhook and answered.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "../support/hub.js";
import { TSX_LOADER } from "../support/tsx.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = ["--import", TSX_LOADER];
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the provider quickstart (examples/provider)", () => {
  let t: TestHub;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;

  beforeAll(async () => {
    [t, dir, port] = await Promise.all([
      startTestHub({ background: true, sweepIntervalMs: 60_000 }),
      mkdtemp(join(tmpdir(), "hoptrace-quickstart-")),
      freePort(),
    ]);
    const consortiumKey = join(dir, "consortium.private.jwk.json");
    await writeFile(consortiumKey, JSON.stringify(t.consortium.key.privateKey.export({ format: "jwk" })), { mode: 0o600 });
    env = {
      ...process.env,
      HOPTRACE_URL: t.url,
      HOPTRACE_EXAMPLE_DIR: join(dir, "provider"),
      HOPTRACE_CONSORTIUM_KEY: consortiumKey,
      HOPTRACE_WEBHOOK_PORT: String(port),
    };
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const step = async (file: string, ...args: string[]) =>
    JSON.parse((await run(process.execPath, [...tsx, join(root, "examples", "provider", file), ...args], { cwd: root, env })).stdout);
  const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

  // The two cases are independent: the type check runs while the steps do.
  it.concurrent("type-checks against the built package, as an integrator compiles it", async ({ expect }) => {
    await expect(
      run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "examples", "tsconfig.json")], { cwd: root }),
    ).resolves.toBeDefined();
  });

  it.concurrent("makes a key, gets it registered with its proof, learns its account, creates an endpoint, and answers the hop it is sent", async ({
    expect,
  }) => {
    const made = await step("01-make-key.ts");
    expect(made.accountId).toMatch(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await modeOf(made.privateKeyFile)).toBe(0o600);
    const registration = await readFile(made.registrationFile, "utf8");
    expect(JSON.parse(registration)).toMatchObject({ id: made.accountId, keys: [{ proof: expect.stringMatching(/^[\w-]{86}$/) }] });
    expect(registration).not.toContain('"d"');
    // A second run keeps the key it has.
    await expect(run(process.execPath, [...tsx, join(root, "examples", "provider", "01-make-key.ts")], { cwd: root, env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("exists already"),
    });

    const registered = await step("02-register.ts", "Quickstart Carrier", "0073000001");
    expect(registered).toEqual({ accountId: made.accountId, name: "Quickstart Carrier", keys: [made.keyId] });

    const me = await step("03-me.ts");
    expect(me).toMatchObject({
      account: { id: made.accountId, kind: "provider" },
      signedWith: made.keyId,
      keys: [{ keyId: made.keyId, status: "active" }],
      endpoints: [],
    });

    const url = `http://127.0.0.1:${port}/hoptrace`;
    const endpoint = await step("04-webhook-endpoint.ts", url);
    expect(endpoint.url).toBe(url);
    expect(await modeOf(endpoint.secretFile)).toBe(0o600);
    expect(await readFile(endpoint.secretFile, "utf8")).toMatch(/^whsec_/);
    expect((await step("03-me.ts")).endpoints).toEqual([{ id: endpoint.endpointId, url, status: "active" }]);

    const receiver = spawn(process.execPath, [...tsx, join(root, "examples", "provider", "05-receive-and-answer.ts"), "--once"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    receiver.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    receiver.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => receiver.on("exit", resolve));
    try {
      await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toContain("receiving hop requests");
      const created = await t.consortium.api.post("/v1/tracebacks", {
        callingNumber: "+13055550123",
        calledNumber: "+12025550143",
        callTime: "2024-06-03T12:00:00-04:00",
        terminatingProviderId: made.accountId,
      });
      expect(created.status).toBe(201);
      const tracebackId = created.body.traceback.id;
      expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 25_000))]), stderr).toBe(0);
      const answered = JSON.parse(stdout.trim().split("\n").at(-1)!);
      expect(answered).toMatchObject({ tracebackId, type: "originator_identified", status: "answered" });

      const chain = await t.consortium.api.get(`/v1/tracebacks/${tracebackId}`);
      expect(chain.body.traceback).toMatchObject({ status: "completed", result: { outcome: "originator_found" } });
      expect(chain.body.hops.map((h: { providerId: string; answer?: { type: string } }) => [h.providerId, h.answer?.type])).toEqual([
        [made.accountId, "originator_identified"],
      ]);
    } finally {
      receiver.kill();
    }
  }, 90_000);
});
