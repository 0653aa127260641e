import { describe, expect, it } from "vitest";
import type { CallQuery, CallRecord } from "../../functions/responder/cdr.js";
import type { TrunkMap } from "../../functions/responder/config.js";
import { decide } from "../../functions/responder/decide.js";

const call: CallQuery = { calling: "+13055550123", called: "+12025550143", at: new Date("2024-06-03T16:00:00Z") };
const record = (over: Partial<CallRecord> = {}): CallRecord => ({
  startTime: new Date("2024-06-03T16:00:02Z"),
  calling: "+13055550123",
  called: "+12025550143",
  ingressTrunk: "UP-A",
  sipCallId: "abc@pbx",
  ...over,
});
const trunks: TrunkMap = {
  "UP-A": { upstream: { providerId: "acc_upstream" } },
  "UP-A2": { upstream: { providerId: "acc_upstream" } },
  "UP-B": { upstream: { name: "Unregistered Transit", frn: "0012345678" } },
  CUST: { customer: { name: "Dialer LLC", accountReference: "C-9" }, actionTaken: "suspended" },
  INTL: { foreign: { name: "Overseas Ltd", country: "GB" } },
};

describe("deciding a hop answer from call records", () => {
  it("answers no_record with the window searched when nothing matches", () => {
    expect(decide(call, [], trunks, 90)).toEqual({
      answer: { type: "no_record", windowSearched: { from: "2024-06-03T15:58:30.000Z", to: "2024-06-03T16:01:30.000Z" } },
    });
  });

  it("leaves no_record to a person while rows that may be the call could not be read, and answers from a record found all the same", () => {
    const unreadable = [
      { line: 12, reason: "Invalid Opening Quote: a quote is found on field 1 at line 12" },
      { line: 40, reason: 'called number "20255501" is not a telephone number', startTime: new Date("2024-06-03T16:00:10Z") },
    ];
    expect(decide(call, [], trunks, 90, unreadable)).toEqual({
      needsPerson:
        "no readable record of this call, but 2 unreadable rows of the call records may be it (lines 12, 40: Invalid Opening Quote: a quote is found on field 1 at line 12)",
    });
    expect(decide(call, [record()], trunks, 90, unreadable)).toMatchObject({
      answer: { type: "upstream_identified", upstream: { providerId: "acc_upstream" } },
    });
  });

  it("names the registered upstream of the ingress trunk, with the record as evidence", () => {
    expect(decide(call, [record({ identityHeader: "eyJ...;info=<https://cert.example/x.pem>" })], trunks, 60)).toEqual({
      answer: {
        type: "upstream_identified",
        upstream: { providerId: "acc_upstream" },
        evidence: {
          ingressTrunk: "UP-A",
          callTimeSeen: "2024-06-03T16:00:02.000Z",
          sipCallId: "abc@pbx",
          identityHeader: "eyJ...;info=<https://cert.example/x.pem>",
        },
      },
    });
  });

  it("names an unregistered upstream by name and FRN", () => {
    const d = decide(call, [record({ ingressTrunk: "UP-B" })], trunks, 60);
    expect(d).toMatchObject({ answer: { type: "upstream_identified", upstream: { name: "Unregistered Transit", frn: "0012345678" } } });
  });

  it("answers as originator for a customer trunk, naming the customer and the action taken", () => {
    const d = decide(call, [record({ ingressTrunk: "CUST" })], trunks, 60);
    expect(d).toMatchObject({ answer: { type: "originator_identified", customer: { name: "Dialer LLC", accountReference: "C-9" }, actionTaken: "suspended" } });
  });

  it("answers foreign point of entry for a trunk from abroad", () => {
    const d = decide(call, [record({ ingressTrunk: "INTL" })], trunks, 60);
    expect(d).toMatchObject({ answer: { type: "foreign_point_of_entry", foreignProvider: { name: "Overseas Ltd", country: "GB" } } });
  });

  it("hands an unmapped trunk to a person", () => {
    expect(decide(call, [record({ ingressTrunk: "MYSTERY-9" })], trunks, 60)).toEqual({ needsPerson: "ingress trunk MYSTERY-9 is not in the trunk map" });
  });

  it("hands records that point to different parties to a person instead of guessing", () => {
    const d = decide(call, [record(), record({ ingressTrunk: "CUST" })], trunks, 60);
    expect(d).toHaveProperty("needsPerson");
    expect((d as { needsPerson: string }).needsPerson).toMatch(/UP-A, CUST/);
  });

  it("hands a mix of a mapped and an unmapped trunk to a person", () => {
    expect(decide(call, [record(), record({ ingressTrunk: "MYSTERY-9" })], trunks, 60)).toHaveProperty("needsPerson");
  });

  it("answers when several records agree on the party, with evidence from the first and a note", () => {
    const d = decide(call, [record(), record({ ingressTrunk: "UP-A2", sipCallId: "retry@pbx" })], trunks, 60);
    expect(d).toMatchObject({
      answer: { type: "upstream_identified", upstream: { providerId: "acc_upstream" }, evidence: { ingressTrunk: "UP-A", sipCallId: "abc@pbx" } },
    });
    expect((d as { answer: { evidence: { notes: string } } }).answer.evidence.notes).toMatch(/2 records/);
  });

  it("leaves out evidence longer than the answer schema allows rather than cutting it", () => {
    const d = decide(call, [record({ sipCallId: "x".repeat(501) })], trunks, 60) as unknown as { answer: { evidence: Record<string, unknown> } };
    expect(d.answer.evidence).not.toHaveProperty("sipCallId");
  });

  it("does not share mapping objects between answers", () => {
    const d = decide(call, [record()], trunks, 60) as { answer: { upstream: { providerId: string } } };
    d.answer.upstream.providerId = "changed";
    expect(trunks["UP-A"]).toEqual({ upstream: { providerId: "acc_upstream" } });
  });
});
