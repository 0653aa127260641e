/** The embedded stack keeps its data and its hub key on disk across restarts. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedHub } from "../../functions/local/embedded.js";
import { ensureConsortium } from "../../functions/usecases/bootstrap.js";
import { apiFor, CALL, newKey, providerRegistration, registerAccount } from "../support/hub.js";
import { startReceiver } from "../support/receiver.js";

describe("restarting the embedded hub", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("keeps accounts, tracebacks and the hub key", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hoptrace-restart-"));
    dirs.push(dataDir);
    const consortium = await newKey();

    const first = await startEmbeddedHub({ dataDir, background: false });
    await ensureConsortium(first.runtime.deps, consortium.publicJwk);
    const api1 = apiFor(first.url, consortium.key);
    const provider = await api1.post("/v1/providers", { name: "Kept Co", contact: { name: "NOC", email: "noc@kept.example" } });
    const tb = await api1.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.body.account.id });
    expect(tb.status).toBe(201);
    const jwks1 = await (await fetch(`${first.url}/.well-known/jwks.json`)).json();
    await first.stop();

    const second = await startEmbeddedHub({ dataDir, background: false });
    try {
      const api2 = apiFor(second.url, consortium.key);
      const chain = await api2.get(`/v1/tracebacks/${tb.body.traceback.id}`);
      expect(chain.status).toBe(200);
      expect(chain.body.hops[0].providerId).toBe(provider.body.account.id);
      expect(await (await fetch(`${second.url}/.well-known/jwks.json`)).json()).toEqual(jwks1);
    } finally {
      await second.stop();
    }
  });

  it("delivers after a restart what the in-memory queue held when the hub went down", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hoptrace-restart-"));
    dirs.push(dataDir);
    const consortium = await newKey();
    const receiver = await startReceiver();
    try {
      // No worker in the first life: the notification is recorded and queued, and goes down with the queue.
      const first = await startEmbeddedHub({ dataDir, background: false });
      await ensureConsortium(first.runtime.deps, consortium.publicJwk);
      const provider = await registerAccount(first.url, apiFor(first.url, consortium.key), "providers", providerRegistration("Queued Co"));
      expect((await provider.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] })).status).toBe(201);
      const tb = await apiFor(first.url, consortium.key).post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id });
      expect(tb.status).toBe(201);
      await first.stop();
      expect(receiver.received).toHaveLength(0);

      const second = await startEmbeddedHub({ dataDir });
      try {
        const [got] = await receiver.waitFor((r) => r.length >= 1, 10_000);
        expect(got!.headers["webhook-id"]).toBe(`evt_${tb.body.hops[0].id}.created`);
      } finally {
        await second.stop();
      }
    } finally {
      await receiver.close();
    }
  });
});
