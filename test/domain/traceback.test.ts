import { describe, expect, it } from "vitest";
import type { HopAnswer } from "../../functions/domain/answer-schema.js";
import { ConflictError } from "../../functions/domain/errors.js";
import {
  assignRegisteredProvider,
  closeTraceback,
  decideAnswer,
  firstHopOf,
  nextStep,
  startTraceback,
  type DeadlineFor,
  type Hop,
  type HopDecision,
  type Traceback,
} from "../../functions/domain/traceback.js";
import { STORED_CALL as CALL } from "../support/stored-call.js";

const TB_ID = "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const ULID = TB_ID.slice(3);
const T0 = new Date("2024-06-03T16:05:00.000Z");
const T1 = new Date("2024-06-03T16:10:00.000Z");
const deadlineFor: DeadlineFor = (at) => ({ clockStartsAt: at.toISOString(), dueAt: new Date(at.getTime() + 86_400_000).toISOString() });
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
    expect(traceback).toMatchObject({
      id: TB_ID,
      status: "open",
      hopCount: 1,
      path: ["acc_TERM"],
      identityHeaders: [],
      createdAt: T0.toISOString(),
      campaign: "utility",
    });
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

/** Hop `hop` as its answer leaves it: the answer, who gave it when, and what it decided. */
function answered(hop: Hop, answer: HopAnswer, decision: HopDecision | undefined, by = hop.providerId!, at = T1): Hop {
  return { ...hop, status: "answered", answer, answeredAt: at.toISOString(), answeredBy: { accountId: by, keyId: `kid-${by}` }, ...(decision && { decision }) };
}

const NAMING_MID: HopAnswer = { type: "upstream_identified", upstream: { providerId: "acc_MID" }, evidence: EVIDENCE };
const PENDING = { name: "Shady Transit", frn: "0099887766" };
const NAMING_PENDING: HopAnswer = { type: "upstream_identified", upstream: PENDING, evidence: EVIDENCE };

/** The traceback standing on hop 2, asked of acc_MID. */
function atMid(): { traceback: Traceback; hop: Hop } {
  const { traceback, firstHop } = started();
  const step = nextStep(traceback, answered(firstHop, NAMING_MID, { kind: "next_hop", providerId: "acc_MID" }), deadlineFor)!;
  return { traceback: step.traceback, hop: step.nextHop! };
}

describe("decideAnswer", () => {
  it.each(TERMINAL)("%j ends the traceback as %s", (answer, outcome) => {
    const { traceback, firstHop } = started();
    expect(decideAnswer(traceback, firstHop, answer, undefined, "acc_TERM", T1)).toEqual({
      kind: "complete",
      result: { outcome, reason: answer.type, hopSeq: 1, decidedAt: T1.toISOString(), decidedBy: "acc_TERM" },
    });
  });

  it("a registered upstream not on the path is asked next", () => {
    const { traceback, firstHop } = started();
    expect(decideAnswer(traceback, firstHop, NAMING_MID, { registered: "acc_MID" }, "acc_TERM", T1)).toEqual({ kind: "next_hop", providerId: "acc_MID" });
  });

  it("naming a provider already on the path is a loop, decided by the provider that named it", () => {
    const { traceback, hop } = atMid();
    const d = decideAnswer(
      traceback,
      hop,
      { type: "upstream_identified", upstream: { providerId: "acc_TERM" }, evidence: EVIDENCE },
      { registered: "acc_TERM" },
      "acc_MID",
      T1,
    );
    expect(d).toEqual({
      kind: "complete",
      result: { outcome: "loop_detected", reason: "provider acc_TERM is already on the path", hopSeq: 2, decidedAt: T1.toISOString(), decidedBy: "acc_MID" },
    });
  });

  it("naming oneself is a loop", () => {
    const { traceback, firstHop } = started();
    const d = decideAnswer(
      traceback,
      firstHop,
      { type: "upstream_identified", upstream: { providerId: "acc_TERM" }, evidence: EVIDENCE },
      { registered: "acc_TERM" },
      "acc_TERM",
      T1,
    );
    expect(d).toMatchObject({ kind: "complete", result: { outcome: "loop_detected", hopSeq: 1 } });
  });

  it("an unregistered upstream makes the next hop wait for its registration", () => {
    const { traceback, firstHop } = started();
    expect(decideAnswer(traceback, firstHop, NAMING_PENDING, { unregistered: PENDING }, "acc_TERM", T1)).toEqual({ kind: "awaiting_registration" });
  });

  it("a signer inquiry's answer decides nothing about the chain, but a closed traceback refuses it too", () => {
    const { traceback } = started();
    const inquiry: Hop = { ...started().firstHop, id: `hop_${ULID}_901`, seq: 901, kind: "signer_inquiry", providerId: "acc_SIGNER" };
    expect(decideAnswer(traceback, inquiry, TERMINAL[0]![0], undefined, "acc_SIGNER", T1)).toBeUndefined();
    const closed = closeTraceback(traceback, "duplicate", "acc_INIT", T1);
    expect(() => decideAnswer(closed, inquiry, TERMINAL[0]![0], undefined, "acc_SIGNER", T1)).toThrow(expect.objectContaining({ code: "traceback_closed" }));
  });

  it.each(["answered", "cancelled", "awaiting_registration"] as const)("refuses to answer a hop that is %s", (status) => {
    const { traceback, firstHop } = started();
    expect(() => decideAnswer(traceback, { ...firstHop, status }, TERMINAL[0]![0], undefined, "acc_TERM", T1)).toThrow(ConflictError);
    expect(() => decideAnswer(traceback, { ...firstHop, status }, TERMINAL[0]![0], undefined, "acc_TERM", T1)).toThrow(
      expect.objectContaining({ code: "hop_not_open" }),
    );
  });

  it("refuses an answer to a closed traceback", () => {
    const { traceback, firstHop } = started();
    const closed = closeTraceback(traceback, "duplicate", "acc_INIT", T1);
    expect(() => decideAnswer(closed, firstHop, TERMINAL[0]![0], undefined, "acc_TERM", T1)).toThrow(expect.objectContaining({ code: "traceback_closed" }));
  });

  it("an upstream_identified answer without a resolved upstream is a programming error, not a decision", () => {
    const { traceback, firstHop } = started();
    expect(() => decideAnswer(traceback, firstHop, NAMING_MID, undefined, "acc_TERM", T1)).toThrow("needs its upstream resolved");
  });
});

describe("nextStep of an answered hop", () => {
  it.each(TERMINAL)("%j: the decision kept on the hop ends the traceback as %s, and nothing more is asked", (answer) => {
    const { traceback, firstHop } = started();
    const decision = decideAnswer(traceback, firstHop, answer, undefined, "acc_TERM", T1)!;
    const overdue = { ...traceback, overdue: { hopSeq: 1, since: T1.toISOString() } };
    const step = nextStep(overdue, answered(firstHop, answer, decision), deadlineFor)!;
    expect(step.nextHop).toBeUndefined();
    expect(step.traceback).toEqual({ ...traceback, status: "completed", result: decision.kind === "complete" && decision.result });
  });

  it("applies the decision the hop keeps, not the answer: a decision made once is the one applied", () => {
    const { traceback, firstHop } = started();
    // What was decided when the answer came stands, whatever deciding it again today would say.
    const kept: HopDecision = {
      kind: "complete",
      result: { outcome: "no_record", reason: "no_record", hopSeq: 1, decidedAt: T1.toISOString(), decidedBy: "acc_TERM" },
    };
    expect(nextStep(traceback, answered(firstHop, NAMING_MID, kept), deadlineFor)!.traceback.result).toEqual(kept.result);
  });

  it("next_hop: the named provider is asked in hop 2 as of the answer's time, and joins the path", () => {
    const { traceback, firstHop } = started();
    const later = new Date("2024-06-05T00:00:00.000Z");
    const hop = answered(firstHop, NAMING_MID, { kind: "next_hop", providerId: "acc_MID" }, "acc_TERM", later);
    const step = nextStep({ ...traceback, overdue: { hopSeq: 1, since: T1.toISOString() } }, hop, deadlineFor)!;
    expect(step.nextHop).toEqual({
      id: `hop_${ULID}_2`,
      tracebackId: TB_ID,
      seq: 2,
      providerId: "acc_MID",
      namedBy: { accountId: "acc_TERM", hopId: `hop_${ULID}_1` },
      status: "open",
      call: CALL,
      createdAt: later.toISOString(),
      deadline: deadlineFor(later),
    });
    expect(step.traceback).toEqual({ ...traceback, status: "open", hopCount: 2, path: ["acc_TERM", "acc_MID"] });
    // Derived from the two items alone: a repeat (after a crash, or a second reconciler) places the same hop.
    expect(nextStep({ ...traceback, overdue: { hopSeq: 1, since: T1.toISOString() } }, hop, deadlineFor)).toEqual(step);
  });

  it("awaiting_registration: hop 2 waits for the upstream as the answer described it; the path does not grow", () => {
    const { traceback, firstHop } = started();
    const step = nextStep(traceback, answered(firstHop, NAMING_PENDING, { kind: "awaiting_registration" }), deadlineFor)!;
    expect(step.nextHop).toEqual({
      id: `hop_${ULID}_2`,
      tracebackId: TB_ID,
      seq: 2,
      pendingProvider: PENDING,
      namedBy: { accountId: "acc_TERM", hopId: `hop_${ULID}_1` },
      status: "awaiting_registration",
      call: CALL,
      createdAt: T1.toISOString(),
    });
    expect(step.traceback).toEqual({ ...traceback, status: "waiting_on_provider", hopCount: 2 });
  });

  it("a loop decided at the answer ends the traceback with that loop", () => {
    const { traceback, hop } = atMid();
    const naming: HopAnswer = { type: "upstream_identified", upstream: { providerId: "acc_TERM" }, evidence: EVIDENCE };
    const decision = decideAnswer(traceback, hop, naming, { registered: "acc_TERM" }, "acc_MID", T1)!;
    const step = nextStep(traceback, answered(hop, naming, decision), deadlineFor)!;
    expect(step.nextHop).toBeUndefined();
    expect(step.traceback).toMatchObject({
      status: "completed",
      path: ["acc_TERM", "acc_MID"],
      hopCount: 2,
      result: { outcome: "loop_detected", hopSeq: 2, decidedBy: "acc_MID" },
    });
  });
});

describe("nextStep of an open hop", () => {
  it("escalated: the traceback ends as non_responsive_provider, decided by the hub at the escalation, its overdue mark gone", () => {
    const { traceback, firstHop } = started();
    const hop: Hop = {
      ...firstHop,
      deadline: { ...firstHop.deadline!, escalateAt: "2024-06-05T16:05:00.000Z" },
      overdueAt: "2024-06-04T17:05:00.000Z",
      escalatedAt: "2024-06-05T16:06:00.000Z",
    };
    const step = nextStep({ ...traceback, overdue: { hopSeq: 1, since: hop.overdueAt! } }, hop, deadlineFor)!;
    expect(step).toEqual({
      traceback: {
        ...traceback,
        status: "completed",
        result: {
          outcome: "non_responsive_provider",
          reason: "no answer from acc_TERM by 2024-06-05T16:05:00.000Z",
          hopSeq: 1,
          decidedAt: "2024-06-05T16:06:00.000Z",
          decidedBy: "hub",
        },
      },
    });
  });

  it("overdue: the traceback is marked with the hop and since when, once", () => {
    const { traceback, firstHop } = started();
    const hop: Hop = { ...firstHop, overdueAt: "2024-06-04T17:05:00.000Z" };
    const step = nextStep(traceback, hop, deadlineFor)!;
    expect(step).toEqual({ traceback: { ...traceback, overdue: { hopSeq: 1, since: "2024-06-04T17:05:00.000Z" } } });
    expect(nextStep(step.traceback, hop, deadlineFor)).toBeUndefined();
  });

  it("opened for an upstream that registered: the traceback no longer waits, and the provider joins the path", () => {
    const { traceback, firstHop } = started();
    const waiting = nextStep(traceback, answered(firstHop, NAMING_PENDING, { kind: "awaiting_registration" }), deadlineFor)!;
    const opened = assignRegisteredProvider(waiting.traceback, waiting.nextHop!, "acc_NEW", T1, deadlineFor);
    expect(nextStep(waiting.traceback, opened, deadlineFor)).toEqual({ traceback: { ...waiting.traceback, status: "open", path: ["acc_TERM", "acc_NEW"] } });
    // Opened and already overdue (its follow-up came late): both at once.
    const late = nextStep(waiting.traceback, { ...opened, overdueAt: "2024-06-05T00:00:00.000Z" }, deadlineFor)!;
    expect(late.traceback).toMatchObject({ status: "open", path: ["acc_TERM", "acc_NEW"], overdue: { hopSeq: 2, since: "2024-06-05T00:00:00.000Z" } });
  });

  it("asked, reminded or not yet overdue: the traceback stays as it is", () => {
    const { traceback, firstHop } = started();
    expect(nextStep(traceback, firstHop, deadlineFor)).toBeUndefined();
    expect(nextStep(traceback, { ...firstHop, remindersSent: 1 }, deadlineFor)).toBeUndefined();
  });
});

describe("nextStep of a cancelled hop", () => {
  it("cancelled for a loop at its registration: the traceback ends with the loop the cancellation decided", () => {
    const { traceback, firstHop } = started();
    const waiting = nextStep(traceback, answered(firstHop, NAMING_PENDING, { kind: "awaiting_registration" }), deadlineFor)!;
    const cancelled = assignRegisteredProvider(waiting.traceback, waiting.nextHop!, "acc_TERM", T1, deadlineFor);
    expect(nextStep(waiting.traceback, cancelled, deadlineFor)).toEqual({
      traceback: {
        ...waiting.traceback,
        status: "completed",
        result: { outcome: "loop_detected", reason: "provider acc_TERM is already on the path", hopSeq: 2, decidedAt: T1.toISOString(), decidedBy: "hub" },
      },
    });
  });

  it("cancelled by an earlier version, which kept no decision: a loop, as of the hop's creation", () => {
    const { traceback, firstHop } = started();
    const waiting = nextStep(traceback, answered(firstHop, NAMING_PENDING, { kind: "awaiting_registration" }), deadlineFor)!;
    const cancelled: Hop = { ...waiting.nextHop!, status: "cancelled" };
    expect(nextStep(waiting.traceback, cancelled, deadlineFor)!.traceback.result).toEqual({
      outcome: "loop_detected",
      reason: "provider named is already on the path",
      hopSeq: 2,
      decidedAt: T1.toISOString(),
      decidedBy: "hub",
    });
  });
});

describe("nextStep with nothing to do", () => {
  it("a completed traceback, a hop the chain has left, a signer inquiry, a waiting or deferred hop, an answer without a decision", () => {
    const { traceback, firstHop } = started();
    const terminal = answered(firstHop, TERMINAL[0]![0], decideAnswer(traceback, firstHop, TERMINAL[0]![0], undefined, "acc_TERM", T1));
    const ended = nextStep(traceback, terminal, deadlineFor)!.traceback;
    expect(nextStep(ended, terminal, deadlineFor)).toBeUndefined();
    expect(nextStep(closeTraceback(traceback, "duplicate", "acc_INIT", T1), { ...firstHop, escalatedAt: T1.toISOString() }, deadlineFor)).toBeUndefined();
    const { traceback: onMid } = atMid();
    expect(nextStep(onMid, { ...firstHop, escalatedAt: T1.toISOString() }, deadlineFor)).toBeUndefined();
    const inquiry: Hop = { ...firstHop, id: `hop_${ULID}_901`, seq: 901, kind: "signer_inquiry", escalatedAt: T1.toISOString() };
    expect(nextStep({ ...traceback, hopCount: 901 }, inquiry, deadlineFor)).toBeUndefined();
    expect(nextStep(traceback, { ...firstHop, status: "deferred" }, deadlineFor)).toBeUndefined();
    expect(nextStep(traceback, { ...firstHop, status: "awaiting_registration" }, deadlineFor)).toBeUndefined();
    expect(nextStep(traceback, answered(firstHop, NAMING_MID, undefined), deadlineFor)).toBeUndefined();
  });
});

describe("assignRegisteredProvider", () => {
  function waiting() {
    const { traceback, firstHop } = started();
    const step = nextStep(traceback, answered(firstHop, NAMING_PENDING, { kind: "awaiting_registration" }), deadlineFor)!;
    return { traceback: step.traceback, hop: step.nextHop! };
  }

  it("turns the waiting hop into an open hop request to the new provider", () => {
    const { traceback, hop } = waiting();
    const later = new Date("2024-06-04T09:00:00.000Z");
    const out = assignRegisteredProvider(traceback, hop, "acc_NEW", later, deadlineFor);
    expect(out).toMatchObject({ id: hop.id, providerId: "acc_NEW", status: "open", deadline: deadlineFor(later) });
    expect(out.pendingProvider).toBeUndefined();
    expect(out.decision).toBeUndefined();
  });

  it("cancels the hop with a loop as its decision when the new provider is already on the path", () => {
    const { traceback, hop } = waiting();
    const out = assignRegisteredProvider(traceback, hop, "acc_TERM", T1, deadlineFor);
    expect(out.status).toBe("cancelled");
    expect(out.providerId).toBeUndefined();
    expect(out.decision).toMatchObject({ kind: "complete", result: { outcome: "loop_detected", hopSeq: 2, decidedBy: "hub" } });
  });

  it("refuses a hop that is not waiting for registration", () => {
    const { traceback, firstHop } = started();
    expect(() => assignRegisteredProvider(traceback, firstHop, "acc_NEW", T1, deadlineFor)).toThrow(
      expect.objectContaining({ code: "hop_not_awaiting_registration" }),
    );
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
