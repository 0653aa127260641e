import { describe, expect, it } from "vitest";
import type { HopAnswer } from "../../functions/domain/answer.js";
import { ConflictError } from "../../functions/domain/errors.js";
import {
  applyDecision,
  assignRegisteredProvider,
  closeTraceback,
  decideAnswer,
  firstHopOf,
  startTraceback,
  type DeadlineFor,
  type Hop,
  type Traceback,
} from "../../functions/domain/traceback.js";

const TB_ID = "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const ULID = TB_ID.slice(3);
const T0 = new Date("2024-06-03T16:05:00.000Z");
const T1 = new Date("2024-06-03T16:10:00.000Z");
const deadlineFor: DeadlineFor = (at) => ({ clockStartsAt: at.toISOString(), dueAt: new Date(at.getTime() + 86_400_000).toISOString() });
const CALL = { callingNumber: "+13055550123", callingNumberAsGiven: "+13055550123", calledNumber: "+12025550143" as const, callTime: "2024-06-03T12:00:00-04:00", callTimeUtc: "2024-06-03T16:00:00.000Z" };
const EVIDENCE = { ingressTrunk: "TRUNK-7" };

function started(): { traceback: Traceback; firstHop: Hop } {
  return startTraceback(
    { id: TB_ID, initiatorId: "acc_INIT", createdBy: "acc_INIT", call: CALL, deadlinePolicy: "fixed", terminatingProviderId: "acc_TERM", campaign: "utility" },
    T0,
    deadlineFor,
  );
}

const TERMINAL: Array<[HopAnswer, string]> = [
  [{ type: "originator_identified", customer: { name: "Dialer LLC" }, actionTaken: "suspended", evidence: EVIDENCE }, "originator_found"],
  [{ type: "foreign_point_of_entry", foreignProvider: { name: "Abroad Tel", country: "GB" }, evidence: EVIDENCE }, "point_of_entry_found"],
  [{ type: "no_record", windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" } }, "no_record"],
  [{ type: "not_our_call", explanation: "spoofed" }, "no_record"],
  [{ type: "insufficient_information", explanation: "no call time" }, "no_record"],
  [{ type: "refused", reason: "no subpoena" }, "non_responsive_provider"],
];

describe("startTraceback and firstHopOf", () => {
  it("opens a traceback whose path starts at the terminating provider and whose hop 1 is derived deterministically", () => {
    const { traceback, firstHop } = started();
    expect(traceback).toMatchObject({ id: TB_ID, status: "open", hopCount: 1, path: ["acc_TERM"], identityHeaders: [], createdAt: T0.toISOString(), campaign: "utility" });
    expect(traceback.result).toBeUndefined();
    expect(firstHop).toEqual({
      id: `hop_${ULID}_1`,
      tracebackId: TB_ID,
      seq: 1,
      providerId: "acc_TERM",
      namedBy: { accountId: "acc_INIT" },
      status: "open",
      call: CALL,
      createdAt: T0.toISOString(),
      deadline: deadlineFor(T0),
    });
    expect(firstHopOf(traceback, deadlineFor)).toEqual(firstHop);
  });
});

describe("decideAnswer and applyDecision", () => {
  it.each(TERMINAL)("%j ends the traceback as %s and keeps the chain", (answer, outcome) => {
    const { traceback, firstHop } = started();
    const decision = decideAnswer(traceback, firstHop, answer, undefined, "acc_TERM", T1, deadlineFor);
    expect(decision).toEqual({ kind: "complete", result: { outcome, reason: answer.type, hopSeq: 1, decidedAt: T1.toISOString(), decidedBy: "acc_TERM" } });
    const after = applyDecision(traceback, decision);
    expect(after.status).toBe("completed");
    expect(after.result?.outcome).toBe(outcome);
    expect(after.path).toEqual(["acc_TERM"]);
    expect(after.hopCount).toBe(1);
  });

  it("a registered upstream becomes the next hop with the deterministic id hop_<ulid>_<seq+1>", () => {
    const { traceback, firstHop } = started();
    const answer: HopAnswer = { type: "upstream_identified", upstream: { providerId: "acc_MID" }, evidence: EVIDENCE };
    const decision = decideAnswer(traceback, firstHop, answer, { registered: "acc_MID" }, "acc_TERM", T1, deadlineFor);
    expect(decision).toEqual({
      kind: "next_hop",
      nextHop: {
        id: `hop_${ULID}_2`,
        tracebackId: TB_ID,
        seq: 2,
        providerId: "acc_MID",
        namedBy: { accountId: "acc_TERM", hopId: `hop_${ULID}_1` },
        status: "open",
        call: CALL,
        createdAt: T1.toISOString(),
        deadline: deadlineFor(T1),
      },
    });
    // Deciding again from the same inputs yields the same hop: a retried follow-up writes one item.
    expect(decideAnswer(traceback, firstHop, answer, { registered: "acc_MID" }, "acc_TERM", T1, deadlineFor)).toEqual(decision);
    const after = applyDecision(traceback, decision);
    expect(after).toMatchObject({ status: "open", hopCount: 2, path: ["acc_TERM", "acc_MID"] });
    expect(after.result).toBeUndefined();
  });

  it("naming a provider already on the path is a loop", () => {
    const { traceback, firstHop } = started();
    const d1 = decideAnswer(traceback, firstHop, { type: "upstream_identified", upstream: { providerId: "acc_MID" }, evidence: EVIDENCE }, { registered: "acc_MID" }, "acc_TERM", T1, deadlineFor);
    if (d1.kind !== "next_hop") throw new Error("expected a next hop");
    const tb2 = applyDecision(traceback, d1);
    const d2 = decideAnswer(tb2, d1.nextHop, { type: "upstream_identified", upstream: { providerId: "acc_TERM" }, evidence: EVIDENCE }, { registered: "acc_TERM" }, "acc_MID", T1, deadlineFor);
    expect(d2.kind).toBe("complete");
    if (d2.kind !== "complete") return;
    expect(d2.result).toMatchObject({ outcome: "loop_detected", hopSeq: 2, decidedBy: "acc_MID" });
    const after = applyDecision(tb2, d2);
    expect(after.status).toBe("completed");
    expect(after.path).toEqual(["acc_TERM", "acc_MID"]);
  });

  it("naming oneself is a loop", () => {
    const { traceback, firstHop } = started();
    const d = decideAnswer(traceback, firstHop, { type: "upstream_identified", upstream: { providerId: "acc_TERM" }, evidence: EVIDENCE }, { registered: "acc_TERM" }, "acc_TERM", T1, deadlineFor);
    expect(d).toMatchObject({ kind: "complete", result: { outcome: "loop_detected", hopSeq: 1 } });
  });

  it("an unregistered upstream waits for its registration; the path does not grow", () => {
    const { traceback, firstHop } = started();
    const pending = { name: "Shady Transit", frn: "0099887766" };
    const d = decideAnswer(traceback, firstHop, { type: "upstream_identified", upstream: pending, evidence: EVIDENCE }, { unregistered: pending }, "acc_TERM", T1, deadlineFor);
    expect(d.kind).toBe("awaiting_registration");
    if (d.kind !== "awaiting_registration") return;
    expect(d.nextHop).toMatchObject({ id: `hop_${ULID}_2`, seq: 2, status: "awaiting_registration", pendingProvider: pending });
    expect(d.nextHop.providerId).toBeUndefined();
    expect(d.nextHop.deadline).toBeUndefined();
    const after = applyDecision(traceback, d);
    expect(after).toMatchObject({ status: "waiting_on_provider", hopCount: 2, path: ["acc_TERM"] });
  });

  it.each(["answered", "cancelled", "awaiting_registration"] as const)("refuses to answer a hop that is %s", (status) => {
    const { traceback, firstHop } = started();
    expect(() => decideAnswer(traceback, { ...firstHop, status }, TERMINAL[0]![0], undefined, "acc_TERM", T1, deadlineFor)).toThrow(ConflictError);
    try {
      decideAnswer(traceback, { ...firstHop, status }, TERMINAL[0]![0], undefined, "acc_TERM", T1, deadlineFor);
    } catch (err) {
      expect((err as ConflictError).code).toBe("hop_not_open");
    }
  });

  it("refuses an answer to a closed traceback", () => {
    const { traceback, firstHop } = started();
    const closed = closeTraceback(traceback, "duplicate", "acc_INIT", T1);
    expect(() => decideAnswer(closed, firstHop, TERMINAL[0]![0], undefined, "acc_TERM", T1, deadlineFor)).toThrow(expect.objectContaining({ code: "traceback_closed" }));
  });

  it("an upstream_identified answer without a resolved upstream is a programming error, not a decision", () => {
    const { traceback, firstHop } = started();
    expect(() => decideAnswer(traceback, firstHop, { type: "upstream_identified", upstream: { providerId: "acc_X" }, evidence: EVIDENCE }, undefined, "acc_TERM", T1, deadlineFor)).toThrow();
  });
});

describe("assignRegisteredProvider", () => {
  function waiting() {
    const { traceback, firstHop } = started();
    const pending = { name: "Shady Transit", frn: "0099887766" };
    const d = decideAnswer(traceback, firstHop, { type: "upstream_identified", upstream: pending, evidence: EVIDENCE }, { unregistered: pending }, "acc_TERM", T1, deadlineFor);
    if (d.kind !== "awaiting_registration") throw new Error("expected awaiting_registration");
    return { traceback: applyDecision(traceback, d), hop: d.nextHop };
  }

  it("turns the waiting hop into an open hop request to the new provider", () => {
    const { traceback, hop } = waiting();
    const later = new Date("2024-06-04T09:00:00.000Z");
    const out = assignRegisteredProvider(traceback, hop, "acc_NEW", later, deadlineFor);
    expect(out.hop).toMatchObject({ id: hop.id, providerId: "acc_NEW", status: "open", deadline: deadlineFor(later) });
    expect(out.hop.pendingProvider).toBeUndefined();
    expect(out.traceback).toMatchObject({ status: "open", path: ["acc_TERM", "acc_NEW"], hopCount: 2 });
  });

  it("ends the traceback as a loop when the new provider is already on the path", () => {
    const { traceback, hop } = waiting();
    const out = assignRegisteredProvider(traceback, hop, "acc_TERM", T1, deadlineFor);
    expect(out.hop.status).toBe("cancelled");
    expect(out.traceback.status).toBe("completed");
    expect(out.traceback.result).toMatchObject({ outcome: "loop_detected", hopSeq: 2, decidedBy: "hub" });
  });

  it("refuses a hop that is not waiting for registration", () => {
    const { traceback, firstHop } = started();
    expect(() => assignRegisteredProvider(traceback, firstHop, "acc_NEW", T1, deadlineFor)).toThrow(expect.objectContaining({ code: "hop_not_awaiting_registration" }));
  });
});

describe("closeTraceback", () => {
  it("ends an open traceback as closed with the reason, by whom and at which hop", () => {
    const { traceback } = started();
    const closed = closeTraceback(traceback, "duplicate of tb_X", "acc_INIT", T1);
    expect(closed.status).toBe("completed");
    expect(closed.result).toEqual({ outcome: "closed", reason: "duplicate of tb_X", hopSeq: 1, decidedAt: T1.toISOString(), decidedBy: "acc_INIT" });
    expect(closed.path).toEqual(traceback.path);
  });

  it("refuses to close a completed traceback", () => {
    const { traceback } = started();
    const closed = closeTraceback(traceback, "first", "acc_INIT", T1);
    expect(() => closeTraceback(closed, "again", "acc_INIT", T1)).toThrow(ConflictError);
    expect(() => closeTraceback(closed, "again", "acc_INIT", T1)).toThrow(expect.objectContaining({ code: "traceback_completed" }));
  });
});
