import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, EVIDENCE, startTestHub, type TestHub } from "../support/hub.js";

describe("a traceback followed hop by hop over real HTTP", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("walks terminating -> intermediate -> originator and keeps the chain", async () => {
    const terminating = await t.registerProvider("Terminating Co");
    const middle = await t.registerProvider("Middle Transit");
    const origin = await t.registerProvider("Origin Telecom");
    const initiator = await t.registerInitiator("State AG");

    const created = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id, campaign: "utility" });
    expect(created.status).toBe(201);
    expect(created.headers.get("hoptrace-receipt")).toMatch(/^ey/);
    expect(created.body.traceback.call.callingNumber).toBe("+13055550123");
    expect(created.body.traceback.call.calledNumber).toBe("+12025550143");
    const tbId = created.body.traceback.id;

    const inbox = await terminating.api.get("/v1/hop-requests");
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    const hop1 = inbox.body.items[0];
    expect(hop1.namedBy.accountId).toBe(initiator.id);
    expect(hop1).not.toHaveProperty("path");

    const a1 = await terminating.api.post(`/v1/hop-requests/${hop1.id}/answer`, { type: "upstream_identified", upstream: { providerId: middle.id }, evidence: EVIDENCE });
    expect(a1.status).toBe(200);
    expect(a1.body.status).toBe("answered");

    const hop2 = (await middle.api.get("/v1/hop-requests")).body.items[0];
    expect(hop2.namedBy).toEqual({ accountId: terminating.id, hopId: hop1.id });
    const a2 = await middle.api.post(`/v1/hop-requests/${hop2.id}/answer`, { type: "upstream_identified", upstream: { providerId: origin.id }, evidence: EVIDENCE });
    expect(a2.status).toBe(200);

    const hop3 = (await origin.api.get("/v1/hop-requests")).body.items[0];
    const a3 = await origin.api.post(`/v1/hop-requests/${hop3.id}/answer`, {
      type: "originator_identified",
      customer: { name: "Dialer LLC", accountReference: "CUST-9" },
      actionTaken: "suspended",
      evidence: EVIDENCE,
    });
    expect(a3.status).toBe(200);

    const chain = await initiator.api.get(`/v1/tracebacks/${tbId}`);
    expect(chain.status).toBe(200);
    expect(chain.body.traceback.status).toBe("completed");
    expect(chain.body.traceback.result.outcome).toBe("originator_found");
    expect(chain.body.traceback.path).toEqual([terminating.id, middle.id, origin.id]);
    expect(chain.body.hops.map((h: { status: string }) => h.status)).toEqual(["answered", "answered", "answered"]);
    expect(chain.body.hops[2].answerSeconds).toBeGreaterThanOrEqual(0);
    expect((await terminating.api.get("/v1/hop-requests")).body.items).toHaveLength(0);
  });
});
