/**
 * `npm start` answers nothing before it is ready, and its key files appear whole or not at all:
 * a client polling from the moment the process is spawned never reads half a key file and never
 * gets an answer before the consortium's key works.
 */
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signingKeyFromJwk } from "../../openapi/client/index.js";
import { startHubProcess, type HubProcess } from "../support/hub-process.js";
import { apiFor } from "../support/hub.js";

const KEY_FILES: Record<string, (json: Record<string, unknown>) => boolean> = {
  "consortium.private.jwk.json": (j) => j.kty === "OKP" && typeof j.d === "string" && typeof j.x === "string",
  "hub-key.private.jwk.json": (j) => j.kty === "OKP" && typeof j.d === "string" && typeof j.x === "string",
  "webhook-secrets.key.json": (j) => j.kty === "oct" && typeof j.k === "string",
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** What a reader finds in the key files now: absent, or whole and owner-only. Anything else is a fault. */
function readKeyFiles(dataDir: string): { present: string[]; faults: string[] } {
  const present: string[] = [];
  const faults: string[] = [];
  for (const [name, whole] of Object.entries(KEY_FILES)) {
    let text: string;
    try {
      text = readFileSync(join(dataDir, name), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    try {
      if (!whole(JSON.parse(text))) faults.push(`${name}: not a whole key: ${text}`);
    } catch {
      faults.push(`${name}: half a file: ${JSON.stringify(text)}`);
    }
    const mode = statSync(join(dataDir, name)).mode & 0o777;
    if (mode !== 0o600) faults.push(`${name}: mode ${mode.toString(8)}`);
    present.push(name);
  }
  return { present, faults };
}

describe("npm start", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("answers its first request only when ready, and no reader ever sees half a key file", async () => {
    const root = await mkdtemp(join(tmpdir(), "hoptrace-start-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, "data");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const faults: string[] = [];
    let done = false;

    // Reads the key files as fast as it can, from before the process exists until it is up.
    let fileReads = 0;
    const files = (async () => {
      while (!done) {
        faults.push(...readKeyFiles(dataDir).faults);
        fileReads++;
        await new Promise((r) => setImmediate(r));
      }
    })();

    // Polls the API; every answer must come from a hub that is completely ready.
    const answers: number[] = [];
    const poll = async (path: string) => {
      while (!done) {
        let res: Response;
        try {
          res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(20_000) });
        } catch {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        const keyFiles = readKeyFiles(dataDir);
        const body = await res.text();
        answers.push(res.status);
        if (res.status !== 200) faults.push(`${path} answered ${res.status} ${body.slice(0, 80)}`);
        if (keyFiles.present.length !== Object.keys(KEY_FILES).length)
          faults.push(`${path} answered while the key files present were: ${keyFiles.present.join(", ") || "none"}`);
        if (path === "/openapi.json" && res.status === 200 && !JSON.parse(body).openapi) faults.push("an incomplete contract");
        if (!keyFiles.present.includes("consortium.private.jwk.json")) return;
        const consortiumKey = await signingKeyFromJwk(JSON.parse(readFileSync(join(dataDir, "consortium.private.jwk.json"), "utf8")));
        const signed = await apiFor(url, consortiumKey).get("/v1/providers");
        if (signed.status !== 200) faults.push(`the consortium's key was refused after the first answer: ${signed.status} ${signed.body?.code}`);
        return;
      }
    };
    const pollers = Promise.all([poll("/openapi.json"), poll("/health"), poll("/.well-known/jwks.json")]);

    const hub: HubProcess = await startHubProcess({ dataDir, port });
    cleanup.push(() => hub.stop());
    await pollers;
    done = true;
    await files;

    expect(hub.url).toBe(url);
    expect(answers).toHaveLength(3);
    expect(fileReads).toBeGreaterThan(10);
    expect(faults).toEqual([]);
    expect(readKeyFiles(dataDir).present).toHaveLength(3);
  }, 60_000);

  it("with PORT=0 picks a free port and prints it", async () => {
    const root = await mkdtemp(join(tmpdir(), "hoptrace-start-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const hub = await startHubProcess({ dataDir: join(root, "data"), port: 0 });
    cleanup.push(() => hub.stop());
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.url).not.toMatch(/:0$/);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  }, 60_000);
});
