/**
 * Tracebacks of calls whose caller ID is spoofed: any calling number is accepted as given, and
 * what is wrong with it is a finding on the traceback and its chain, filed under no provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";

let t: FakeHub;
let provider: Party;
let initiator: Party;

beforeAll(async () => {
  t = await startFakeHub({ env: { LOG_LEVEL: "ERROR" } });
  provider = await t.registerProvider("Spoof Terminating Carrier");
  initiator = await t.registerInitiator("Spoof Unit AG");
});
afterAll(async () => {
  await t?.stop();
});

const create = (callingNumber: string, calledNumber = CALL.calledNumber) =>
  initiator.api.post("/v1/tracebacks", { ...CALL, callingNumber, calledNumber, terminatingProviderId: provider.id });

describe("a traceback of a call with a spoofed calling number", () => {
  it.each([
    ["a withheld number", "anonymous", undefined, "invalid_calling_number", "info"],
    ["a withheld number as a phone shows it", "Restricted", undefined, "invalid_calling_number", "info"],
    ["ten digits no plan can assign", "1234567890", "+11234567890", "invalid_calling_number", "critical"],
    ["area code 000", "+10005550100", "+10005550100", "invalid_calling_number", "critical"],
    ["a service code", "911", undefined, "invalid_calling_number", "critical"],
    ["text that is no number", "V1AGRA-DEALS", undefined, "invalid_calling_number", "critical"],
    ["an unassigned area code", "+1 (370) 555-0100", "+13705550100", "unallocated_number", "warning"],
    ["an N11 exchange", "305-411-0123", "+13054110123", "unallocated_number", "warning"],
    ["directory assistance", "1 305 555 1212", "+13055551212", "unallocated_number", "warning"],
  ])("is created for %s (%j), kept as given, with the finding on the chain", async (_what, given, e164, code, severity) => {
    const res = await create(given);
    expect(res.status).toBe(201);
    const call = res.body.traceback.call;
    expect(call.callingNumberAsGiven).toBe(given);
    expect(call.callingNumberE164).toBe(e164);
    expect(call.callingNumber).toBe(e164 ?? given);
    expect(call.calledNumber).toBe("+12025550143");
    expect(res.body.traceback.callFindings).toEqual([{ code, severity, detail: expect.any(String) }]);

    const chain = await initiator.api.get(`/v1/tracebacks/${res.body.traceback.id}`);
    expect(chain.status).toBe(200);
    expect(chain.body.traceback.call).toEqual(call);
    expect(chain.body.findings).toEqual([{ code, severity, detail: expect.any(String) }]);
    // The provider asked sees the call as it was given, to look it up in its records.
    const hop = await provider.api.get(`/v1/hop-requests/${res.body.hops[0].id}`);
    expect(hop.body.call).toEqual(call);
  });

  it("an international number given with 011 is read as E.164 and valid", async () => {
    const res = await create("011 44 20 7946 0958");
    expect(res.status).toBe(201);
    expect(res.body.traceback.call).toMatchObject({
      callingNumber: "+442079460958",
      callingNumberAsGiven: "011 44 20 7946 0958",
      callingNumberE164: "+442079460958",
    });
    expect(res.body.traceback.callFindings).toBeUndefined();
    expect((await initiator.api.get(`/v1/tracebacks/${res.body.traceback.id}`)).body.findings).toBeUndefined();
  });

  it("a valid number keeps its E.164 form in callingNumber, as before, with no finding", async () => {
    const res = await create("+1 (305) 555-0123");
    expect(res.body.traceback.call).toEqual({
      callingNumber: "+13055550123",
      callingNumberAsGiven: "+1 (305) 555-0123",
      callingNumberE164: "+13055550123",
      calledNumber: "+12025550143",
      callTime: CALL.callTime,
      callTimeUtc: "2024-06-03T16:00:00.000Z",
    });
    expect(res.body.traceback.callFindings).toBeUndefined();
  });

  it("neighbor spoofing is detected: the calling number has the called number's area code and exchange", async () => {
    const res = await create("(202) 555-0187");
    expect(res.status).toBe(201);
    const chain = await initiator.api.get(`/v1/tracebacks/${res.body.traceback.id}`);
    expect(chain.body.findings).toEqual([
      { code: "neighbor_spoofing", severity: "info", detail: "+12025550187 shares area code and exchange 202-555 with the called number +12025550143" },
    ]);
    // Another exchange of the same area code is not a neighbor.
    const other = await create("(202) 456-0187");
    expect(other.body.traceback.callFindings).toBeUndefined();
  });

  it("on a signed call the chain lists the call's findings first, then those of its signatures", async () => {
    const res = await initiator.api.post("/v1/tracebacks", {
      ...CALL,
      callingNumber: "anonymous",
      identityHeaders: ["not-a-passport"],
      terminatingProviderId: provider.id,
    });
    expect(res.status).toBe(201);
    const chain = await initiator.api.get(`/v1/tracebacks/${res.body.traceback.id}`);
    const codes = chain.body.findings.map((f: { code: string }) => f.code);
    expect(codes[0]).toBe("invalid_calling_number");
    expect(codes.slice(1)).toEqual(chain.body.traceback.signatures[0].findings.map((f: { code: string }) => f.code));
    expect(codes.length).toBeGreaterThan(1);
  });

  it("the findings are listed with the traceback and, once it ends, filed under no provider on its path", async () => {
    const res = await initiator.api.post("/v1/tracebacks", {
      ...CALL,
      callingNumber: "1234567890",
      identityHeaders: ["not-a-passport"],
      terminatingProviderId: provider.id,
    });
    const page = await initiator.api.get("/v1/tracebacks?limit=100");
    expect(page.body.items.find((tb: { id: string }) => tb.id === res.body.traceback.id).callFindings.map((f: { code: string }) => f.code)).toEqual([
      "invalid_calling_number",
    ]);
    const answered = await provider.api.post(`/v1/hop-requests/${res.body.hops[0].id}/answer`, {
      type: "no_record",
      windowSearched: { from: "2024-06-03T15:55:00Z", to: "2024-06-03T16:05:00Z" },
    });
    expect(answered.status).toBe(200);
    const chain = await initiator.api.get(`/v1/tracebacks/${res.body.traceback.id}`);
    expect(chain.body.traceback.status).toBe("completed");
    expect(chain.body.findings.map((f: { code: string }) => f.code)).toContain("invalid_calling_number");
    const filed = await t.consortium.api.get(`/v1/providers/${provider.id}/findings`);
    expect(filed.status).toBe(200);
    expect(filed.body.items).toEqual([]);
  });

  it("the same request retried with its Idempotency-Key replays the same traceback", async () => {
    const body = { ...CALL, callingNumber: " Anonymous ", terminatingProviderId: provider.id };
    const first = await initiator.api.post("/v1/tracebacks", body, { idempotencyKey: "spoofed-anonymous-1" });
    const again = await initiator.api.post("/v1/tracebacks", body, { idempotencyKey: "spoofed-anonymous-1" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.traceback.id).toBe(first.body.traceback.id);
    expect(again.body.traceback.call.callingNumberAsGiven).toBe(" Anonymous ");
  });
});
