/**
 * The chain of a bundle against its statements. The chain is the hub's account of what
 * happened; what backs it is signed by the parties (requests) or logged by the hub (decisions).
 * Each fact is checked against the statement it comes from: who was asked first (the initiator's
 * signed creation, or its call of a signed batch), who each provider named (its signed answer) and when, every answer and
 * amendment as signed, the outcome. A hop left out, moved, or edited in the table, and a time
 * changed, no longer agree with the statements.
 */
import { isInquirySeq, hopIdOf } from "../domain/ids.js";
import { outcomeOfTerminalAnswer } from "../domain/answer.js";
import { canonicalJson } from "../domain/log/canonical-json.js";
import type { EvidenceBundleBody } from "../http/schemas/evidence-bundle.js";
import { signatureVerdict } from "../usecases/findings.js";
import type { Decision } from "../domain/log/decisions.js";
import { RMD_FINDING_CODES } from "../domain/rmd/finding-codes.js";
import type { Hop, Traceback } from "../domain/traceback.js";
import type { CheckedRequest } from "./bundle-requests.js";

type Chain = EvidenceBundleBody["chain"];
type ChainHop = Chain["hops"][number];

export interface ChainFindings {
  /** Problems of the traceback as a whole: its creation, its hop list, its outcome. */
  traceback: string[];
  /** Problems of each hop, by its seq. */
  hops: Map<number, string[]>;
  /** What the hub decided alone, with no statement in the bundle behind it. */
  notes: string[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** A logged decision, with when the hub logged it. */
export interface LoggedDecision {
  decision: Decision;
  loggedAt: string;
}

export function checkChain(chain: Chain, requests: CheckedRequest[], decisions: LoggedDecision[]): ChainFindings {
  const tb = chain.traceback;
  const hops = chain.hops;
  const inquiries = chain.signerInquiries ?? [];
  const found: ChainFindings = { traceback: [], hops: new Map(), notes: [] };
  const problem = (hop: ChainHop, text: string) => found.hops.set(hop.seq, [...(found.hops.get(hop.seq) ?? []), text]);
  const tbProblem = (text: string) => found.traceback.push(text);

  hops.forEach((h, i) => {
    if (h.seq !== i + 1) tbProblem(`the chain's hop ${i + 1} is missing or out of place (hop ${h.seq} is there)`);
  });
  if (hops.length !== tb.hopCount) tbProblem(`the traceback has ${tb.hopCount} hops and the chain ${hops.length}`);
  for (const h of [...hops, ...inquiries]) {
    if (h.tracebackId !== tb.id || h.id !== hopIdOf(tb.id, h.seq)) problem(h, `hop ${h.id} is not hop ${h.seq} of traceback ${tb.id}`);
  }
  for (const q of inquiries) if (!isInquirySeq(q.seq) || q.kind !== "signer_inquiry") problem(q, "a signer inquiry out of the inquiries' range");

  checkCreation(tb, hops[0], inquiries, requests, decisions, tbProblem);
  for (const h of [...hops, ...inquiries]) {
    checkHopStatements(h, requests, (text) => problem(h, text));
    checkHopDecisions(h, decisions, requests, (text) => problem(h, text));
  }
  for (let k = 1; k < hops.length; k++) checkLink(hops[k - 1]!, hops[k]!, requests, decisions, (text) => problem(hops[k]!, text), found.notes);
  checkOutcome(tb, hops, requests, decisions, tbProblem, found.notes);
  const known = new Set([...hops, ...inquiries].map((h) => h.id));
  for (const { decision: d } of decisions) {
    if (d.tracebackId !== tb.id) tbProblem(`a decision about traceback ${d.tracebackId} is in the bundle of ${tb.id}`);
    if ("hopId" in d && !known.has(d.hopId)) tbProblem(`a decision about hop ${d.hopId}, which the chain does not have`);
  }

  const registered = hops.flatMap((h) => (h.providerId ? [h.providerId] : []));
  if (!same(tb.path, registered)) tbProblem("the traceback's path is not the providers its hops asked");
  const findings = [...(tb.callFindings ?? []), ...signatureVerdict(tb as Traceback, [...hops, ...inquiries] as Hop[]).findings];
  if ((chain.findings !== undefined || findings.length > 0) && !same(chain.findings ?? [], findings))
    tbProblem("the findings are not those the traceback's signatures and answers give");
  return found;
}

function checkCreation(
  tb: Chain["traceback"],
  first: ChainHop | undefined,
  inquiries: ChainHop[],
  requests: CheckedRequest[],
  decisions: LoggedDecision[],
  problem: (t: string) => void,
): void {
  const c = creationOf(tb, requests, decisions, problem);
  if (!c) return;
  const { body, signer } = c;
  const initiator = typeof body.initiatorId === "string" ? body.initiatorId : signer;
  if (tb.initiatorId !== initiator) problem(`the traceback's initiator ${tb.initiatorId} is not the one its creation names (${initiator})`);
  if (tb.createdBy !== signer) problem(`the traceback was created by ${signer}, not ${tb.createdBy}`);
  if (tb.call.callingNumberAsGiven !== body.callingNumber || tb.call.callTime !== body.callTime) problem("the call is not the one the creation gave");
  if (!same(tb.identityHeaders, body.identityHeaders ?? [])) problem("the Identity headers are not those the creation gave");
  for (const field of ["campaign", "notes", "mediaUrl"] as const) if (!same(tb[field], body[field])) problem(`the ${field} is not the creation's`);
  if (tb.path[0] !== body.terminatingProviderId || first?.providerId !== body.terminatingProviderId)
    problem(`hop 1 is not asked of the terminating provider the creation names (${String(body.terminatingProviderId)})`);
  for (const h of [...(first ? [first] : []), ...inquiries]) {
    if (h.createdAt !== tb.createdAt || h.namedBy.accountId !== tb.initiatorId) problem(`hop ${h.seq} was not asked when and as the traceback was created`);
  }
}

/**
 * What started the traceback, as its signer gave it: the body of its own signed creation, or
 * the call of a signed batch request that the hub's logged `batch_created` decision names (with
 * the batch's provider and initiator for all its calls). Either is accepted when the hub
 * accepted it: a creation at the traceback's creation time, a batch not before it.
 */
function creationOf(
  tb: Chain["traceback"],
  requests: CheckedRequest[],
  decisions: LoggedDecision[],
  problem: (t: string) => void,
): { body: Record<string, unknown>; signer: string } | undefined {
  const creations = requests.filter((r) => r.action.kind === "create");
  const batchCalls = decisions.map((l) => l.decision).filter((d): d is Extract<Decision, { type: "batch_created" }> => d.type === "batch_created");
  if (creations.length + batchCalls.length !== 1) {
    problem(`${creations.length + batchCalls.length} signed requests create the traceback, not one`);
    return undefined;
  }
  const single = creations[0];
  if (single) {
    if (tb.createdAt !== single.acceptedAt)
      problem(`the traceback's creation time ${tb.createdAt} is not when the hub accepted its creation (${single.acceptedAt})`);
    return { body: (single.body ?? {}) as Record<string, unknown>, signer: single.key.accountId };
  }
  const d = batchCalls[0]!;
  const batch = requests.find((r) => r.statementId === d.request && r.action.kind === "create_batch");
  if (!batch) {
    problem(`the batch request ${d.request} that started the traceback is not in the bundle`);
    return undefined;
  }
  const whole = (batch.body ?? {}) as { calls?: unknown; terminatingProviderId?: unknown; initiatorId?: unknown };
  const call: unknown = Array.isArray(whole.calls) && Number.isInteger(d.index) ? whole.calls[d.index] : undefined;
  if (typeof call !== "object" || call === null) {
    problem(`the batch request ${d.request} has no call ${d.index}`);
    return undefined;
  }
  if (tb.createdAt !== d.createdAt) problem(`the traceback's creation time ${tb.createdAt} is not the one the hub logged (${d.createdAt})`);
  if (batch.acceptedAt === undefined || batch.acceptedAt < tb.createdAt)
    problem(`the traceback was created at ${tb.createdAt}, after the hub accepted the batch that started it (${batch.acceptedAt})`);
  const body = call as Record<string, unknown>;
  return {
    body: {
      ...body,
      terminatingProviderId: body.terminatingProviderId ?? whole.terminatingProviderId,
      ...(whole.initiatorId !== undefined && { initiatorId: whole.initiatorId }),
    },
    signer: batch.key.accountId,
  };
}

function personName(person: { name: string; role: string } | undefined): string {
  return person ? `${person.name} (${person.role})` : "no person";
}

function checkHopStatements(h: ChainHop, requests: CheckedRequest[], problem: (t: string) => void): void {
  const of = (kind: "answer" | "amend" | "assign") => requests.filter((r) => r.action.kind === kind && "hopId" in r.action && r.action.hopId === h.id);
  const answers = of("answer");
  if (h.answer === undefined) {
    if (answers.length > 0 || h.status === "answered") problem(`hop ${h.seq} is ${h.status} with ${answers.length} signed answers`);
  } else if (answers.length !== 1) {
    problem(`hop ${h.seq} has an answer and ${answers.length} signed answers to back it`);
  } else {
    const a = answers[0]!;
    if (!same(h.answer, a.body)) problem(`hop ${h.seq}'s answer is not the one its provider signed`);
    if (h.answeredAt !== a.acceptedAt) problem(`hop ${h.seq} was answered at ${a.acceptedAt}, not ${h.answeredAt}`);
    if (h.answeredBy?.accountId !== a.key.accountId || h.answeredBy?.keyId !== a.key.keyId || h.providerId !== a.key.accountId)
      problem(`hop ${h.seq}'s answer was signed by ${a.key.accountId}, not the provider asked`);
    if (!same(h.answeredBy?.person, a.key.person))
      problem(`hop ${h.seq}'s answer is attributed to ${personName(h.answeredBy?.person)}, and was signed by the key of ${personName(a.key.person)}`);
    if (h.late !== undefined && h.deadline && h.late !== a.acceptedAt! > h.deadline.dueAt)
      problem(`hop ${h.seq} is marked ${h.late ? "late" : "on time"} against its due time`);
  }
  const amendments = of("amend").sort((x, y) => (x.acceptedAt ?? "").localeCompare(y.acceptedAt ?? ""));
  const recorded = h.amendments ?? [];
  if (recorded.length !== amendments.length) problem(`hop ${h.seq} shows ${recorded.length} amendments and ${amendments.length} are signed`);
  recorded.forEach((m, i) => {
    const signed = amendments[i];
    if (!signed) return;
    if (!same({ answer: m.answer, reason: m.reason }, signed.body)) problem(`amendment ${m.number} of hop ${h.seq} is not the one signed`);
    if (
      m.amendedAt !== signed.acceptedAt ||
      m.amendedBy.accountId !== signed.key.accountId ||
      m.amendedBy.keyId !== signed.key.keyId ||
      !same(m.amendedBy.person, signed.key.person)
    ) {
      problem(`amendment ${m.number} of hop ${h.seq} was not made when or by whom it says`);
    }
  });
  const assigned = of("assign").at(-1);
  if (assigned && (assigned.body as { providerId?: unknown } | undefined)?.providerId !== h.providerId)
    problem(`hop ${h.seq} is not asked of the provider the consortium assigned it to`);
}

/**
 * The hub's decisions about a hop: its placement (to whom, named by whom, since when, due when),
 * its opening when it was placed to wait, its overdue marking and escalation.
 */
function checkHopDecisions(h: ChainHop, decisions: LoggedDecision[], requests: CheckedRequest[], problem: (t: string) => void): void {
  const of = <T extends Decision["type"]>(type: T) =>
    decisions.map((l) => l.decision).filter((d): d is Extract<Decision, { type: T }> => d.type === type && "hopId" in d && d.hopId === h.id);
  const placed = of("hop_placed");
  if (placed.length !== 1) return problem(`hop ${h.seq} has ${placed.length} logged placements, not one`);
  const p = placed[0]!;
  if (p.seq !== h.seq || p.createdAt !== h.createdAt || !same(p.namedBy, h.namedBy))
    problem(`hop ${h.seq} is not the hop the hub placed (when, or named by whom)`);
  const opened = of("hop_opened")[0];
  const assigned = requests.some((r) => r.action.kind === "assign" && r.action.hopId === h.id);
  if (p.providerId !== undefined && p.providerId !== h.providerId) problem(`hop ${h.seq} was placed with ${p.providerId}, not ${h.providerId ?? "nobody"}`);
  if (p.providerId === undefined && h.providerId !== undefined && opened?.providerId !== h.providerId && !assigned)
    problem(`hop ${h.seq} is asked of ${h.providerId}, which no decision or assignment names`);
  if (opened && opened.providerId !== h.providerId) problem(`hop ${h.seq} was opened to ${opened.providerId}, not ${h.providerId ?? "nobody"}`);
  // The deadline is the one the hop was opened with, else the one it was placed with.
  const deadline = (p.status === "open" ? p.deadline : undefined) ?? opened?.deadline;
  if (h.deadline && !same(h.deadline, deadline)) problem(`hop ${h.seq}'s deadline is not the one the hub set`);
  for (const [type, at] of [
    ["hop_overdue", h.overdueAt],
    ["hop_escalated", h.escalatedAt],
  ] as const) {
    const logged = of(type)[0];
    if (at !== undefined ? logged?.at !== at : logged !== undefined)
      problem(`hop ${h.seq}'s ${type === "hop_overdue" ? "overdue" : "escalation"} time is not the one the hub logged`);
  }
}

function checkLink(
  prev: ChainHop,
  next: ChainHop,
  requests: CheckedRequest[],
  decisions: LoggedDecision[],
  problem: (t: string) => void,
  notes: string[],
): void {
  const answer = prev.answer;
  if (answer?.type !== "upstream_identified") {
    problem(`hop ${next.seq} follows hop ${prev.seq}, which named no upstream`);
    return;
  }
  if (next.namedBy.hopId !== prev.id || next.namedBy.accountId !== prev.answeredBy?.accountId)
    problem(`hop ${next.seq} is not named by hop ${prev.seq}'s answer`);
  if (next.createdAt !== prev.answeredAt) problem(`hop ${next.seq} was not asked when hop ${prev.seq} answered`);
  const upstream = answer.upstream;
  if ("providerId" in upstream) {
    if (next.providerId !== upstream.providerId)
      problem(`hop ${next.seq} is asked of ${next.providerId ?? "nobody"}, not the upstream ${upstream.providerId} hop ${prev.seq} named`);
    return;
  }
  if (!next.providerId) {
    if (!same(next.pendingProvider, upstream)) problem(`hop ${next.seq} waits for another upstream than hop ${prev.seq} named`);
    return;
  }
  const assigned = requests.some((r) => r.action.kind === "assign" && r.action.hopId === next.id);
  const opened = decisions.some(({ decision: d }) => d.type === "hop_opened" && d.hopId === next.id && d.providerId === next.providerId);
  if (!assigned)
    notes.push(
      `hop ${next.seq}: the hub addressed the upstream named by hop ${prev.seq} (${upstream.name}) to ${next.providerId} when a provider with its FRN or RMD number registered${opened ? " (logged)" : ""}`,
    );
}

/**
 * The KYC findings against the RMD a traceback's end records (`intel`) are logged with its
 * outcome: the record names no finding, and no snapshot, that the logged findings do not.
 */
function checkKycRecord(
  intel: NonNullable<Chain["traceback"]["intel"]>,
  r: NonNullable<Chain["traceback"]["result"]>,
  decisions: LoggedDecision[],
  problem: (t: string) => void,
): void {
  const logged = decisions
    .map((l) => l.decision)
    .find((d): d is Extract<Decision, { type: "rmd_findings" }> => d.type === "rmd_findings" && d.outcome === r.outcome && d.hopSeq === r.hopSeq);
  if (!logged) return problem(`the KYC findings recorded when the traceback ended as ${r.outcome} are not in the log`);
  const rmdCodes = new Set<string>(RMD_FINDING_CODES);
  const refs = (fs: Array<{ code: string; providerId?: string }>) =>
    [...new Set(fs.filter((f) => rmdCodes.has(f.code)).map((f) => `${f.code} ${f.providerId ?? ""}`))].sort();
  if (!same(refs(intel.findings), refs(logged.findings)) || !same(intel.rmdSnapshot, logged.snapshot))
    problem("the KYC findings the traceback records are not those the hub logged");
}

function checkOutcome(
  tb: Chain["traceback"],
  hops: ChainHop[],
  requests: CheckedRequest[],
  decisions: LoggedDecision[],
  problem: (t: string) => void,
  notes: string[],
): void {
  const r = tb.result;
  const last = hops.at(-1);
  const outcomes = decisions.filter((l) => l.decision.type === "outcome").sort((a, b) => a.loggedAt.localeCompare(b.loggedAt));
  if (tb.status !== "completed" || !r) {
    if (last?.answer && last.answer.type !== "upstream_identified") problem(`hop ${last.seq} ended the chain and the traceback is still ${tb.status}`);
    if (outcomes.length > 0 && !requests.some((q) => q.action.kind === "reopen"))
      problem("the hub logged an outcome and the traceback is still open, never reopened");
    return;
  }
  const logged = outcomes.at(-1)?.decision;
  if (logged?.type !== "outcome") {
    problem(`the outcome ${r.outcome} is not in the log`);
  } else {
    const { type: _type, tracebackId: _tb, ...result } = logged;
    if (!same(result, r)) problem(`the outcome is not the one the hub logged (${logged.outcome} at ${logged.decidedAt})`);
  }
  // A signed call's findings are filed, and logged, when its chain ends (a closing files none).
  const filed = decisions.some(({ decision: d }) => d.type === "findings" && d.outcome === r.outcome && d.hopSeq === r.hopSeq);
  if ((tb.signatures?.length ?? 0) > 0 && r.outcome !== "closed" && !filed)
    problem(`the findings filed when the traceback ended as ${r.outcome} are not in the log`);
  if (tb.intel) checkKycRecord(tb.intel, r, decisions, problem);
  if (r.outcome === "closed") {
    const close = requests.filter((q) => q.action.kind === "close").at(-1);
    if (!close) return problem("the traceback is closed and no signed request closed it");
    if ((close.body as { reason?: unknown })?.reason !== r.reason || close.acceptedAt !== r.decidedAt || close.key.accountId !== r.decidedBy)
      problem("the traceback was not closed when, why or by whom it says");
    return;
  }
  if (!last) return problem("the traceback ended without a hop");
  if (r.hopSeq !== last.seq) problem(`the outcome is decided at hop ${r.hopSeq}, not at the last hop ${last.seq}`);
  if (last.answer && last.answer.type !== "upstream_identified") {
    if (outcomeOfTerminalAnswer(last.answer.type) !== r.outcome)
      problem(`hop ${last.seq}'s answer ${last.answer.type} does not end a traceback as ${r.outcome}`);
    if (r.decidedAt !== last.answeredAt || r.decidedBy !== last.answeredBy?.accountId) problem("the outcome was not decided by the last answer, when it came");
    return;
  }
  if (r.outcome === "non_responsive_provider" && last.escalatedAt !== undefined && !last.answer) {
    if (r.decidedAt !== last.escalatedAt) problem("the traceback did not end when the silent hop was escalated");
    notes.push(
      `the outcome non_responsive_provider is the hub's decision, logged: hop ${last.seq} had no answer by ${last.deadline?.escalateAt ?? "its escalation time"}`,
    );
    return;
  }
  if (r.outcome === "loop_detected") {
    const named = last.answer?.type === "upstream_identified" && "providerId" in last.answer.upstream ? last.answer.upstream.providerId : undefined;
    if (named !== undefined) {
      if (!tb.path.includes(named) || r.decidedAt !== last.answeredAt) problem(`hop ${last.seq} named ${named}, which closes no loop`);
    } else if (last.status === "cancelled") {
      notes.push(`the outcome loop_detected is the hub's decision, logged: the provider hop ${last.seq} would have asked is already on the path`);
    } else {
      problem("nothing in the bundle closes a loop");
    }
    return;
  }
  problem(`nothing in the bundle ends the traceback as ${r.outcome}`);
}
