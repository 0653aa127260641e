/** A full traceback hop by hop over real HTTP, every call made through the generated client. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHoptraceClient, type HoptraceClient } from "../../openapi/client/index.js";
import { CALL, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";

describe("a traceback followed hop by hop", () => {
  let t: TestHub;
  const client = (p: Party): HoptraceClient => createHoptraceClient({ baseUrl: t.url, key: p.key });
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function openHop(p: Party) {
    const { data, error } = await client(p).GET("/v1/hop-requests", { params: { query: { status: "open" } } });
    expect(error).toBeUndefined();
    expect(data!.items).toHaveLength(1);
    return data!.items[0]!;
  }

  it("walks terminating -> intermediate -> originator and keeps the chain", async () => {
    const terminating = await t.registerProvider("Terminating Co");
    const middle = await t.registerProvider("Middle Transit");
    const origin = await t.registerProvider("Origin Telecom");
    const initiator = await t.registerInitiator("State AG");

    const created = await client(initiator).POST("/v1/tracebacks", { body: { ...CALL, terminatingProviderId: terminating.id, campaign: "utility" } });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get("hoptrace-receipt")).toMatch(/^ey/);
    expect(created.data!.traceback.call.callingNumber).toBe("+13055550123");
    expect(created.data!.traceback.call.calledNumber).toBe("+12025550143");
    const tbId = created.data!.traceback.id;

    const hop1 = await openHop(terminating);
    expect(hop1.namedBy.accountId).toBe(initiator.id);
    expect(hop1).not.toHaveProperty("path");
    const a1 = await client(terminating).POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId: hop1.id } },
      body: { type: "upstream_identified", upstream: { providerId: middle.id }, evidence: EVIDENCE },
    });
    expect(a1.data!.status).toBe("answered");

    const hop2 = await openHop(middle);
    expect(hop2.namedBy).toEqual({ accountId: terminating.id, hopId: hop1.id });
    await client(middle).POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId: hop2.id } },
      body: { type: "upstream_identified", upstream: { providerId: origin.id }, evidence: EVIDENCE },
    });

    const hop3 = await openHop(origin);
    const a3 = await client(origin).POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId: hop3.id } },
      body: { type: "originator_identified", customer: { name: "Dialer LLC", accountReference: "CUST-9" }, actionTaken: "suspended", evidence: EVIDENCE },
    });
    expect(a3.response.status).toBe(200);

    const { data: chain } = await client(initiator).GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId: tbId } } });
    expect(chain!.traceback.status).toBe("completed");
    expect(chain!.traceback.result!.outcome).toBe("originator_found");
    expect(chain!.traceback.path).toEqual([terminating.id, middle.id, origin.id]);
    expect(chain!.hops.map((h) => h.status)).toEqual(["answered", "answered", "answered"]);
    expect(chain!.hops[2]!.answerSeconds).toBeGreaterThanOrEqual(0);
    const { data: after } = await client(terminating).GET("/v1/hop-requests", { params: { query: {} } });
    expect(after!.items).toHaveLength(0);
  });
});
