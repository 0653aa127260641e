/**
 * The data folder of a real `npm start`: owner-only, and no webhook secret in any of its files,
 * while deliveries still verify with the receiver's copy of the secret.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { newAccountId, signingKeyFromJwk } from "../../openapi/client/index.js";
import { startHubProcess, type HubProcess } from "../support/hub-process.js";
import { apiFor, CALL, newKey } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

async function walk(dir: string): Promise<Array<{ path: string; dir: boolean }>> {
  const out: Array<{ path: string; dir: boolean }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push({ path, dir: entry.isDirectory() });
    if (entry.isDirectory()) out.push(...(await walk(path)));
  }
  return out;
}

describe("the local data folder", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("is owner-only, and holds no webhook secret in the clear, while deliveries verify", async () => {
    const root = await mkdtemp(join(tmpdir(), "hoptrace-data-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    // A folder and a key file as an earlier version left them: readable by everyone.
    const dataDir = join(root, "data");
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, "consortium.private.jwk.json"), JSON.stringify((await generateSigningKey()).privateJwk), { mode: 0o644 });
    await chmod(join(dataDir, "consortium.private.jwk.json"), 0o644);

    const receiver: Receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    let hub: HubProcess | undefined = await startHubProcess({ dataDir });
    cleanup.push(() => hub?.stop() ?? Promise.resolve());

    const key = await signingKeyFromJwk(JSON.parse(await readFile(join(dataDir, "consortium.private.jwk.json"), "utf8")));
    const api = apiFor(hub.url, key);
    const provider = await newKey();
    const id = newAccountId();
    const reg = await api.post("/v1/providers", {
      id,
      name: "Secret Keeper Co",
      frn: "0077007700",
      contact: { name: "NOC", email: "noc@keeper.example" },
      keys: [provider.registration(id)],
    });
    expect(reg.status).toBe(201);
    const providerApi = apiFor(hub.url, provider.key);
    const ep = await providerApi.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] });
    expect(ep.status).toBe(201);
    const secret = ep.body.secret as string;
    const rotated = await providerApi.post(`/v1/webhook-endpoints/${ep.body.endpoint.id}/rotate-secret`, {});
    const newSecret = rotated.body.secret as string;

    await api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: reg.body.account.id });
    const [delivery] = await receiver.waitFor((r) => r.length >= 1);
    const headers = delivery!.headers as Record<string, string>;
    for (const s of [secret, newSecret]) expect((new Webhook(s).verify(delivery!.body, headers) as { type: string }).type).toBe("hop_request.created");

    // Every byte the hub keeps, running and after a clean stop.
    const forbidden = [secret, newSecret].flatMap((s) => [s, s.slice("whsec_".length), Buffer.from(s.slice("whsec_".length), "base64").toString("hex")]);
    const check = async () => {
      const entries = await walk(dataDir);
      expect(entries.some((e) => e.path.endsWith(".log"))).toBe(true);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      for (const entry of entries) {
        const mode = (await stat(entry.path)).mode & 0o777;
        expect(mode, entry.path).toBe(entry.dir ? 0o700 : 0o600);
        if (entry.dir) continue;
        const bytes = await readFile(entry.path);
        for (const text of forbidden) expect(bytes.includes(text), `${entry.path} holds a webhook secret`).toBe(false);
      }
    };
    await check();
    await hub.stop();
    await check();

    // After a restart the sealed secrets still sign.
    hub = await startHubProcess({ dataDir });
    const before = receiver.received.length;
    const tested = await apiFor(hub.url, provider.key).post(`/v1/webhook-endpoints/${ep.body.endpoint.id}/test`, {});
    expect(tested.status).toBe(202);
    const got = await receiver.waitFor((r) => r.length > before);
    expect(() => new Webhook(newSecret).verify(got[got.length - 1]!.body, got[got.length - 1]!.headers as Record<string, string>)).not.toThrow();
    await hub.stop();
    await check();
  }, 90_000);
});
