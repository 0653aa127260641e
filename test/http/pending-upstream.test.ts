/** An upstream that is not registered yet, named by RMD number only, and several at once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, EVIDENCE, startFakeHub, type FakeHub } from "../fakes/hub.js";

describe("waiting for an unregistered upstream", () => {
  let t: FakeHub;
  beforeAll(async () => {
    t = await startFakeHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("activates every hop waiting on an RMD number when a provider with it registers", async () => {
    const terminating = await t.registerProvider("Terminating");
    const tracebacks = [];
    for (let i = 0; i < 3; i++) {
      const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
      const answered = await terminating.api.post(`/v1/hop-requests/${tb.body.hops[0].id}/answer`, {
        type: "upstream_identified",
        upstream: { name: "Shadow Wholesale", rmdNumber: "RMD0099887" },
        evidence: EVIDENCE,
      });
      expect(answered.status).toBe(200);
      tracebacks.push(tb.body.traceback.id as string);
    }
    for (const id of tracebacks) expect((await t.consortium.api.get(`/v1/tracebacks/${id}`)).body.traceback.status).toBe("waiting_on_provider");

    const shadow = await t.registerProvider("Shadow Wholesale", { rmdNumber: "rmd0099887" });
    const open = await shadow.api.get("/v1/hop-requests");
    expect(open.body.items).toHaveLength(3);
    for (const id of tracebacks) {
      const chain = (await t.consortium.api.get(`/v1/tracebacks/${id}`)).body;
      expect(chain.traceback.status).toBe("open");
      expect(chain.traceback.path).toEqual([terminating.id, shadow.id]);
    }
    // The RMD number is now taken, and names the provider directly.
    const again = await t.consortium.api.post("/v1/providers", { name: "Copycat", rmdNumber: "RMD0099887", contact: { name: "x", email: "x@copy.example" } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("already_registered");
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    await terminating.api.post(`/v1/hop-requests/${tb.body.hops[0].id}/answer`, {
      type: "upstream_identified",
      upstream: { name: "Shadow", rmdNumber: "RMD0099887" },
      evidence: EVIDENCE,
    });
    expect((await t.consortium.api.get(`/v1/tracebacks/${tb.body.traceback.id}`)).body.traceback.path).toEqual([terminating.id, shadow.id]);
  });

  it("lets the consortium address a hop waiting on an upstream named by name alone", async () => {
    const terminating = await t.registerProvider("Terminating 2");
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    await terminating.api.post(`/v1/hop-requests/${tb.body.hops[0].id}/answer`, {
      type: "upstream_identified",
      upstream: { name: "Nameless Carrier" },
      evidence: EVIDENCE,
    });
    const waiting = (await t.consortium.api.get(`/v1/tracebacks/${tb.body.traceback.id}`)).body.hops[1];
    expect(waiting.status).toBe("awaiting_registration");

    const found = await t.registerProvider("Nameless Carrier Inc");
    expect((await terminating.api.post(`/v1/hop-requests/${waiting.id}/assign`, { providerId: found.id })).status).toBe(403);
    expect((await t.consortium.api.post(`/v1/hop-requests/${waiting.id}/assign`, { providerId: "acc_nobody" })).body.code).toBe("unknown_provider");
    const assigned = await t.consortium.api.post(`/v1/hop-requests/${waiting.id}/assign`, { providerId: found.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.status).toBe("open");
    expect((await found.api.get("/v1/hop-requests")).body.items.map((h: { id: string }) => h.id)).toEqual([waiting.id]);
    expect((await t.consortium.api.post(`/v1/hop-requests/${waiting.id}/assign`, { providerId: found.id })).body.code).toBe("hop_not_awaiting_registration");
  });
});
