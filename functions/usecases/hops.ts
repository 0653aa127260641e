/** A provider's view of the hop requests addressed to it, and its answers. */
import type { Principal } from "../domain/account.js";
import { signerOf } from "../domain/signer.js";
import { hopRequestView, isAddressedTo, type HopRequestView } from "../domain/access.js";
import { nextAmendment } from "../domain/amendments.js";
import type { HopAnswer } from "../domain/answer-schema.js";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import { parseHopId } from "../domain/ids.js";
import { decideAnswer, type Hop, type ResolvedUpstream } from "../domain/traceback.js";
import { finishPendingFollowUp, followUpHop, outboxMarker } from "./followup.js";
import { logReceiptEntry } from "./log-exchange.js";
import type { AnswerEvidence, CoreDeps, Page, PageRequest, SealedResponse, Stored, StoredHop } from "./ports.js";

export async function listOpenHopRequests(deps: CoreDeps, p: Principal, page: PageRequest): Promise<Page<HopRequestView>> {
  if (p.kind !== "provider") throw new ForbiddenError("only providers have hop requests");
  const result = await deps.tracebacks.listOpenHopsOf(p.accountId, page);
  return { ...result, items: result.items.map(hopRequestView) };
}

export async function listAllHopRequests(deps: CoreDeps, p: Principal, page: PageRequest): Promise<Page<HopRequestView>> {
  if (p.kind !== "provider") throw new ForbiddenError("only providers have hop requests");
  const result = await deps.tracebacks.listHopsOf(p.accountId, page);
  return { ...result, items: result.items.map(hopRequestView) };
}

/**
 * Reads a hop the caller may see. Anything else, including a hop that exists but is addressed to
 * someone else, is "not found": a provider must not learn which tracebacks exist.
 */
async function loadHop(deps: CoreDeps, p: Principal, hopId: string, consistent: boolean): Promise<Stored<StoredHop>> {
  const ref = parseHopId(hopId);
  const stored = ref && (await deps.tracebacks.getHop(ref.tracebackId, ref.seq, consistent));
  if (!stored || !(isAddressedTo(p, stored.value) || p.kind === "consortium")) throw new NotFoundError(`hop request ${hopId} not found`);
  return stored;
}

export async function getHopRequest(deps: CoreDeps, p: Principal, hopId: string): Promise<HopRequestView> {
  return hopRequestView((await loadHop(deps, p, hopId, false)).value);
}

/** The signed request an answer or amendment came in, kept with it as evidence. */
export interface AnswerContext {
  request: AnswerEvidence["request"];
  key: AnswerEvidence["key"];
  /** The request's id: its receipt's `jti`, and its statement's id in the log. */
  requestId: string;
}

export interface AnsweredHop {
  body: string;
  receipt: string;
  /** True when this is a retry of an answer already accepted, replayed from its evidence. */
  replayed?: boolean;
}

/**
 * Answers and amendments are idempotent through their own evidence: a retry under the same
 * Idempotency-Key with the same body gets the stored response and receipt byte for byte; another
 * body is refused.
 */
function replayOf(evidence: AnswerEvidence | undefined, ctx: AnswerContext): AnsweredHop | undefined {
  const key = ctx.request.headers["idempotency-key"];
  if (!key || !evidence || evidence.request.headers["idempotency-key"] !== key || evidence.key.accountId !== ctx.key.accountId) return undefined;
  if (evidence.request.body !== ctx.request.body || evidence.request.targetUri !== ctx.request.targetUri) {
    throw new RuleViolationError("idempotency_key_reused", "this Idempotency-Key was used with a different request");
  }
  return { body: evidence.response.body, receipt: evidence.receipt, replayed: true };
}

export async function answerHopRequest(deps: CoreDeps, p: Principal, hopId: string, answer: HopAnswer, ctx: AnswerContext): Promise<AnsweredHop> {
  // The deadline sweeper may touch the hop (reminder, overdue) between our read and our write:
  // that is no reason to refuse the answer, so re-read and try again while the hop is open.
  for (let attempt = 0; ; attempt++) {
    try {
      return await answerOnce(deps, p, hopId, answer, ctx);
    } catch (err) {
      if (!(err instanceof ConflictError && err.code === "hop_changed") || attempt >= 3) throw err;
    }
  }
}

async function answerOnce(deps: CoreDeps, p: Principal, hopId: string, answer: HopAnswer, ctx: AnswerContext): Promise<AnsweredHop> {
  const stored = await loadHop(deps, p, hopId, true);
  if (!isAddressedTo(p, stored.value)) throw new NotFoundError(`hop request ${hopId} not found`);
  const hop = stored.value;
  if (hop.status !== "open") {
    const replay = replayOf(hop.evidence, ctx);
    if (replay) return replay;
    throw new ConflictError("hop_already_answered", `hop request ${hopId} is ${hop.status}; corrections go through an amendment`);
  }
  await finishPendingFollowUp(deps, stored);
  const inquiry = hop.kind === "signer_inquiry";
  const [tb, upstream] = await Promise.all([deps.tracebacks.getTraceback(hop.tracebackId, true), inquiry ? undefined : resolveUpstream(deps, answer)]);
  if (!tb) throw new NotFoundError(`hop request ${hopId} not found`);
  const now = deps.clock.now();
  // Decided once, before anything is written (a closed traceback refuses it); the hop keeps the
  // decision and its follow-up applies it.
  const decision = decideAnswer(tb.value, hop, answer, upstream, p.accountId, now);

  const answeredAt = now.toISOString();
  const answered: StoredHop = {
    ...hop,
    status: "answered",
    answer,
    answeredAt,
    answeredBy: signerOf(p),
    late: hop.deadline !== undefined && answeredAt > hop.deadline.dueAt,
    ...(decision && { decision }),
  };
  // The view picks only what the provider may see, never the evidence kept beside the hop.
  const body = JSON.stringify(hopRequestView(answered));
  const sealed = await sealResponse(deps, hop, ctx, 200, body, now);
  const receipt = sealed.receipt;
  const marker = outboxMarker(now, hop.id);
  const evidence: AnswerEvidence = { request: ctx.request, key: ctx.key, response: { status: 200, body }, receipt };
  const written: StoredHop = { ...answered, evidence };
  // The evidence first, in an item of its own: the hop's conditional write then names it, so the
  // answer never stands without its evidence. A crash between, or a lost race, leaves an item no
  // hop names (nothing reads it); it is kept, since a refused condition may also be the retry of
  // a write that won, whose evidence this is.
  await deps.tracebacks.putAnswerEvidence(hop.tracebackId, hop.seq, evidence);
  await deps.tracebacks.replaceHop(written, { version: stored.version, status: "open" }, marker);
  await sealed.log({ keptElsewhere: true });
  await followUpHop(deps, hop.tracebackId, hop.seq, marker, { known: { hop: written, traceback: tb }, answerLogged: true }).catch((err) =>
    deps.log.warn("hop follow-up deferred to the reconciler", { hopId, error: String(err) }),
  );
  return { body, receipt };
}

/**
 * A correction to an answer already given. The original answer and its evidence stay as they
 * were; the amendment is an item of its own beside them, signed and receipted the same way, and
 * the response is the amendment alone. It does not move the chain by itself: the consortium and
 * the initiator see it and decide.
 */
export async function amendHopAnswer(deps: CoreDeps, p: Principal, hopId: string, answer: HopAnswer, reason: string, ctx: AnswerContext): Promise<AnsweredHop> {
  // Another amendment may take the next number between our read and our write: read again.
  for (let attempt = 0; ; attempt++) {
    const stored = await loadHop(deps, p, hopId, true);
    const hop = stored.value;
    if (!isAddressedTo(p, hop)) throw new NotFoundError(`hop request ${hopId} not found`);
    if (hop.status !== "answered" || hop.answeredBy?.accountId !== p.accountId) {
      throw new ConflictError("not_amendable", `hop request ${hopId} is ${hop.status}; only an answered request can be amended`);
    }
    // A retry of an amendment already recorded (its response was lost) gets that response again,
    // and its log entry, if the request that recorded it died before logging it (amendments have
    // no follow-up to do it); the entry already there is left as it is.
    for (const evidence of hop.amendmentEvidence ?? []) {
      const replay = replayOf(evidence, ctx);
      if (!replay) continue;
      await logReceiptEntry(deps.transparencyLog, evidence.receipt);
      return replay;
    }
    const now = deps.clock.now();
    const amendment = nextAmendment(hop, answer, reason, now, signerOf(p));
    const body = JSON.stringify(amendment);
    const sealed = await sealResponse(deps, hop, ctx, 201, body, now);
    const evidence: AnswerEvidence = { request: ctx.request, key: ctx.key, response: { status: 201, body }, receipt: sealed.receipt };
    if (await deps.tracebacks.putAmendment(hop.tracebackId, hop.seq, amendment, evidence)) {
      await sealed.log({ keptElsewhere: true });
      return { body, receipt: sealed.receipt };
    }
    if (attempt >= 3) throw new ConflictError("hop_changed", `hop request ${hopId} was amended by another request`);
  }
}

/**
 * The receipt over the response the caller will receive, kept with the answer. It commits to the
 * request's log entry, a statement about the hop's traceback accepted at `at`; the entry is
 * appended once the answer is stored (the hop keeps the exchange, so the entry goes alone).
 */
function sealResponse(deps: CoreDeps, hop: Hop, ctx: AnswerContext, status: number, body: string, at: Date): Promise<SealedResponse> {
  const signed = { request: ctx.request, key: ctx.key };
  return deps.receipts.seal({ requestId: ctx.requestId, subject: hop.tracebackId, caller: ctx.key.accountId, signed, response: { status, body }, at });
}

async function resolveUpstream(deps: CoreDeps, answer: HopAnswer): Promise<ResolvedUpstream | undefined> {
  if (answer.type !== "upstream_identified") return undefined;
  const up = answer.upstream;
  if ("providerId" in up) {
    const account = await deps.accounts.getAccount(up.providerId);
    if (!account || account.kind !== "provider") {
      throw new RuleViolationError(
        "unknown_provider",
        `no registered provider ${up.providerId}; name an unregistered upstream by name and FRN`,
        "/upstream/providerId",
      );
    }
    return { registered: account.id };
  }
  const registered =
    (up.frn && (await deps.accounts.accountIdByFrn(up.frn))) || (up.rmdNumber && (await deps.accounts.accountIdByRmd(up.rmdNumber))) || undefined;
  return registered ? { registered } : { unregistered: up };
}
