/**
 * From the call asked about and the matching records to the answer, or to a person. The rule is
 * to answer only what the records show: no record is a `no_record` naming the window searched;
 * records that point different ways, a trunk nobody mapped, or rows that could not be read where
 * the call would be, go to a person. Never a guess.
 */
import type { CallEvidence, HopAnswer } from "../domain/answer-schema.js";
import type { CallQuery, CallRecord, SkippedRow } from "./cdr.js";
import type { TrunkMap, TrunkMapping } from "./config.js";

export type Decision = { answer: HopAnswer } | { needsPerson: string };

/** Limits of the answer schema: evidence beyond them is left out rather than cut. */
const MAX_SIP_CALL_ID = 500;
const MAX_IDENTITY = 8192;

export function searchWindow(call: CallQuery, windowSeconds: number): { from: string; to: string } {
  const at = call.at.getTime();
  return { from: new Date(at - windowSeconds * 1000).toISOString(), to: new Date(at + windowSeconds * 1000).toISOString() };
}

/**
 * `unreadable` are the rows of the records that could not be read and may be this call: "no
 * record" is an answer about every row, so while any of them is unread it is a person's call.
 */
export function decide(
  call: CallQuery,
  candidates: readonly CallRecord[],
  trunks: TrunkMap,
  windowSeconds: number,
  unreadable: readonly SkippedRow[] = [],
): Decision {
  const first = candidates[0];
  if (!first && unreadable.length > 0) {
    const lines = unreadable.slice(0, 5).map((r) => r.line);
    return {
      needsPerson: `no readable record of this call, but ${unreadable.length} unreadable row${unreadable.length === 1 ? "" : "s"} of the call records may be it (line${lines.length === 1 ? "" : "s"} ${lines.join(", ")}${unreadable.length > lines.length ? ", ..." : ""}: ${unreadable[0]!.reason})`,
    };
  }
  if (!first) return { answer: { type: "no_record", windowSearched: searchWindow(call, windowSeconds) } };

  const unmapped = [...new Set(candidates.map((c) => c.ingressTrunk).filter((t) => !Object.hasOwn(trunks, t)))];
  if (unmapped.length > 0) return { needsPerson: `ingress trunk ${unmapped.join(", ")} is not in the trunk map` };

  // Several records are fine when they all lead to the same party (a call attempted twice on one
  // trunk, or two trunks of the same carrier); otherwise choosing one would be a guess.
  const answers = candidates.map((c) => answerFor(trunks[c.ingressTrunk]!, c));
  const parties = new Set(answers.map((a) => JSON.stringify(withoutEvidence(a))));
  if (parties.size > 1) {
    const trunksSeen = [...new Set(candidates.map((c) => c.ingressTrunk))].join(", ");
    return { needsPerson: `${candidates.length} records of this call point to different parties (ingress trunks ${trunksSeen})` };
  }
  const answer = answers[0]!;
  if (candidates.length > 1 && "evidence" in answer && answer.evidence) {
    answer.evidence.notes = `${candidates.length} records of this call within ±${windowSeconds} s, all on trunks mapped to the same party; evidence from the closest in time`;
  }
  return { answer };
}

export function evidenceOf(record: CallRecord): CallEvidence {
  return {
    ingressTrunk: record.ingressTrunk,
    callTimeSeen: record.startTime.toISOString(),
    ...(record.sipCallId && record.sipCallId.length <= MAX_SIP_CALL_ID && { sipCallId: record.sipCallId }),
    ...(record.identityHeader && record.identityHeader.length <= MAX_IDENTITY && { identityHeader: record.identityHeader }),
  };
}

function answerFor(mapping: TrunkMapping, record: CallRecord): HopAnswer {
  const evidence = evidenceOf(record);
  if ("upstream" in mapping) return { type: "upstream_identified", upstream: { ...mapping.upstream }, evidence };
  if ("customer" in mapping) return { type: "originator_identified", customer: { ...mapping.customer }, actionTaken: mapping.actionTaken, evidence };
  return { type: "foreign_point_of_entry", foreignProvider: { ...mapping.foreign }, evidence };
}

function withoutEvidence(answer: HopAnswer): Omit<HopAnswer, "evidence"> {
  const { evidence: _e, ...rest } = answer as HopAnswer & { evidence?: unknown };
  return rest;
}
