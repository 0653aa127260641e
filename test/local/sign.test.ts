/**
 * `npm run sign`: the headers it prints sign a request the hub accepts, sent by a real curl, as
 * "Name: value" lines (`curl -H @file`) and as a whole curl command; once only, as any signature.
 * The cases share one hub and touch nothing of each other's, so they run at once. Its --help is
 * tested with every tool's, in test/repo/cli.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "../support/hub.js";
import { tsxArgs } from "../support/tsx.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
const sign = (...args: string[]) => run(process.execPath, tsxArgs("functions/local/sign.ts", ...args), { cwd: root });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 0, stderr: "" }),
    (e: { code: number; stderr: string }) => e,
  );

/** curl's status line and body for a request with the given header lines. */
async function curl(args: string[]): Promise<{ status: number; body: any }> {
  const { stdout } = await run("curl", ["-sS", "-w", "\n%{http_code}", ...args]);
  const lines = stdout.split("\n");
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join("\n") || "null") };
}

describe("npm run sign", () => {
  let t: TestHub;
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    [t, dir] = await Promise.all([startTestHub(), mkdtemp(join(tmpdir(), "hoptrace-sign-"))]);
    keyFile = join(dir, "consortium.private.jwk.json");
    await writeFile(keyFile, JSON.stringify(t.consortium.key.privateKey.export({ format: "jwk" })), { mode: 0o600 });
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.concurrent("signs a GET that curl sends with -H @file and the hub accepts, once", async ({ expect }) => {
    const url = `${t.url}/v1/me`;
    const { stdout } = await sign("GET", url, "--key", keyFile);
    expect(stdout).toMatch(
      /^signature-input: sig1=\("@method" "@target-uri"\);created=\d+;expires=\d+;nonce="[\w-]+";keyid="[\w-]+";alg="ed25519";tag="hoptrace-v1"$/m,
    );
    const headers = join(dir, "get.txt");
    await writeFile(headers, stdout);
    const first = await curl(["-H", `@${headers}`, url]);
    expect(first.status).toBe(200);
    expect(first.body.account).toMatchObject({ id: t.consortium.id, kind: "consortium" });
    // A signature is accepted once.
    expect((await curl(["-H", `@${headers}`, url])).status).toBe(401);
  });

  it.concurrent("signs a POST with its body and an Idempotency-Key, and --curl prints a command that runs", async ({ expect }) => {
    const body = join(dir, "endpoint.json");
    await writeFile(body, JSON.stringify({ url: "http://127.0.0.1:9/hoptrace", eventTypes: ["hop_request.created"] }));
    const { stdout } = await sign("POST", `${t.url}/v1/webhook-endpoints`, "--body", body, "--key", keyFile, "--idempotency-key", "sign-test-1", "--curl");
    expect(stdout).toMatch(/^curl -sS -X POST '/);
    expect(stdout).toContain("'idempotency-key: sign-test-1'");
    expect(stdout).toMatch(/'content-digest: sha-256=:[A-Za-z0-9+/]+=*:'/);
    const { stdout: out } = await run("sh", ["-c", `${stdout.trim()} -w '\\n%{http_code}'`]);
    const lines = out.split("\n");
    expect(lines.pop()).toBe("201");
    expect(JSON.parse(lines.join("\n")).secret).toMatch(/^whsec_/);
  });

  it.concurrent("refuses bad arguments with the usage (exit 2) and an unusable key with one line (exit 1)", async ({ expect }) => {
    const [noUrl, badMethod, relative, bodyOnGet, missing] = await Promise.all([
      failure(sign("GET")),
      failure(sign("FETCH", `${t.url}/v1/me`, "--key", keyFile)),
      failure(sign("GET", "/v1/me", "--key", keyFile)),
      failure(sign("GET", `${t.url}/v1/me`, "--body", keyFile, "--key", keyFile)),
      failure(sign("GET", `${t.url}/v1/me`, "--key", join(dir, "none.json"))),
    ]);
    expect(noUrl).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: npm run sign") });
    expect(badMethod).toMatchObject({ code: 2 });
    expect(relative).toMatchObject({ code: 2, stderr: expect.stringContaining("absolute") });
    expect(bodyOnGet).toMatchObject({ code: 2 });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  });
});
