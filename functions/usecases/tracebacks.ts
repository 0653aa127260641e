/** Starting, reading, listing and closing tracebacks. */
import type { Principal } from "../domain/account.js";
import { canCreateTraceback, canReadTraceback, chainHopView, tracebackView, type ChainHopView, type TracebackView } from "../domain/access.js";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import { responsiveness, type Responsiveness } from "../domain/responsiveness.js";
import { readCallingNumber, toE164, validNumber, InvalidPhoneNumberError, type E164 } from "../domain/phone.js";
import type { TracebackFilter, TracebackScope } from "../domain/traceback-filter.js";
import type { Finding } from "../domain/shaken/findings.js";
import { closeTraceback, firstHopOf, startTraceback, type CallDetails, type Traceback } from "../domain/traceback.js";
import { finishPendingFollowUp, followUpTraceback, outboxMarker } from "./followup.js";
import { logDecision } from "./log-decisions.js";
import { analyseSignatures } from "./signatures.js";
import type { CreateTracebackInput } from "./traceback-input.js";
import { signatureVerdict, type SignatureVerdict } from "./findings.js";
import { isInquirySeq } from "../domain/ids.js";
import type { CoreDeps, Page, PageRequest, Stored, StoredHop } from "./ports.js";

type StoredChain = { traceback: Stored<Traceback>; hops: Stored<StoredHop>[] };

export interface Chain {
  traceback: TracebackView;
  hops: Array<ChainHopView & { answerSeconds?: number }>;
  signerInquiries?: Array<ChainHopView & { answerSeconds?: number }>;
  /** The call's own findings, then those of its signatures. */
  findings?: Finding[];
  originatorFirstFoundBy?: SignatureVerdict["originatorFirstFoundBy"];
  pathsAgree?: boolean;
}

/**
 * Starts a traceback. Under an Idempotency-Key its id derives from the key and the time of the
 * request's first attempt, so a retry after an attempt that died having written it finds that
 * traceback instead of starting a second one.
 */
export async function createTraceback(
  deps: CoreDeps,
  p: Principal,
  input: CreateTracebackInput,
  defaultPolicy: string,
  attempt?: { key: string; firstTriedAt: number },
): Promise<Chain> {
  return (await startTracebackOf(deps, p, input, defaultPolicy, attempt)).chain;
}

/**
 * Starts a traceback, or finds the one an earlier attempt under the same key started (`created`
 * false). A traceback started by a call of a batch (`batchCall`) has that call logged as the
 * hub's decision before it is written: the batch request's own entry concerns many tracebacks,
 * and this names the one call of it that started this one, for its evidence bundle.
 */
export async function startTracebackOf(
  deps: CoreDeps,
  p: Principal,
  input: CreateTracebackInput,
  defaultPolicy: string,
  attempt?: { key: string; firstTriedAt: number },
  batchCall?: { request: string; index: number },
): Promise<{ chain: Chain; created: boolean }> {
  if (!canCreateTraceback(p)) throw new ForbiddenError("only the consortium and initiators start tracebacks");
  const initiatorId = p.kind === "consortium" ? (input.initiatorId ?? p.accountId) : p.accountId;
  if (p.kind !== "consortium" && input.initiatorId !== undefined && input.initiatorId !== p.accountId) {
    throw new ForbiddenError("an initiator starts tracebacks only in its own name");
  }
  if (initiatorId !== p.accountId) {
    const initiator = await deps.accounts.getAccount(initiatorId);
    if (!initiator || initiator.kind !== "initiator") throw new RuleViolationError("unknown_initiator", `no initiator ${initiatorId}`, "/initiatorId");
  }
  const terminating = await deps.accounts.getAccount(input.terminatingProviderId);
  if (!terminating || terminating.kind !== "provider") {
    throw new RuleViolationError("unknown_provider", `no registered provider ${input.terminatingProviderId}`, "/terminatingProviderId");
  }
  const { call, findings: callFindings } = callDetails(input);
  const signatures = await analyseSignatures(deps, call, input.identityHeaders ?? [], input.certificates);
  const now = deps.clock.now();
  const policy = input.deadlinePolicy ?? defaultPolicy;
  const deadlineFor = deps.deadlines(policy);
  const { traceback, firstHop } = startTraceback(
    {
      id: attempt ? deps.ids.derived("tb", attempt.firstTriedAt, `${p.accountId}\n${attempt.key}`) : deps.ids.next("tb"),
      initiatorId,
      createdBy: p.accountId,
      call,
      deadlinePolicy: policy,
      terminatingProviderId: terminating.id,
      ...(input.campaign !== undefined && { campaign: input.campaign }),
      ...(input.notes !== undefined && { notes: input.notes }),
      ...(input.mediaUrl !== undefined && { mediaUrl: input.mediaUrl }),
      ...(input.transcript !== undefined && { transcript: input.transcript }),
      ...(input.identityHeaders !== undefined && { identityHeaders: input.identityHeaders }),
      ...(signatures.length > 0 && { signatures }),
      ...(callFindings.length > 0 && { callFindings }),
    },
    now,
    deadlineFor,
  );
  const marker = outboxMarker(now, traceback.id);
  // Logged once: a call sent again in a later batch finds the decision of the batch that started it.
  if (batchCall) await logDecision(deps, { type: "batch_created", tracebackId: traceback.id, ...batchCall, createdAt: traceback.createdAt });
  if ((await deps.tracebacks.createTraceback(traceback, marker)) === "exists") return { chain: await writtenBefore(deps, p, traceback.id), created: false };
  await followUpTraceback(deps, traceback.id, marker).catch((err) =>
    deps.log.warn("traceback follow-up deferred to the reconciler", { tracebackId: traceback.id, error: String(err) }),
  );
  return { chain: { traceback: tracebackView(traceback), hops: [chainHopView(firstHop)] }, created: true };
}

/** The traceback an earlier attempt of the same request wrote before it died, its follow-up finished now. */
async function writtenBefore(deps: CoreDeps, p: Principal, tracebackId: string): Promise<Chain> {
  const stored = await deps.tracebacks.getTraceback(tracebackId, true);
  // The id hashes the caller's own key: anyone else's traceback under it would be a collision.
  if (!stored || stored.value.createdBy !== p.accountId) throw new Error(`traceback ${tracebackId} exists but was not written by this request`);
  if (stored.outbox) {
    await followUpTraceback(deps, tracebackId, stored.outbox).catch((err) =>
      deps.log.warn("traceback follow-up deferred to the reconciler", { tracebackId, error: String(err) }),
    );
  }
  const tb = stored.value;
  return { traceback: tracebackView(tb), hops: [chainHopView(firstHopOf(tb, deps.deadlines(tb.deadlinePolicy)))] };
}

/** The call as given, and what its numbers alone reveal; only a called number that is not valid is refused. */
function callDetails(input: CreateTracebackInput): { call: CallDetails; findings: Finding[] } {
  const at = Date.parse(input.callTime);
  let calledNumber: E164;
  try {
    calledNumber = validNumber(input.calledNumber);
  } catch (err) {
    if (err instanceof InvalidPhoneNumberError) throw new RuleViolationError("invalid_phone_number", err.message, "/calledNumber");
    throw err;
  }
  const { findings, ...calling } = readCallingNumber(input.callingNumber, calledNumber);
  return { call: { ...calling, calledNumber, callTime: input.callTime, callTimeUtc: new Date(at).toISOString() }, findings };
}

/** The full chain with timings, for the consortium and the traceback's initiator. */
export async function getChain(deps: CoreDeps, p: Principal, tracebackId: string): Promise<Chain> {
  return chainView(await readableChain(deps, p, tracebackId));
}

/** The stored chain, evidence included, if the caller may read the traceback; not found otherwise. */
export async function readableChain(deps: CoreDeps, p: Principal, tracebackId: string): Promise<StoredChain> {
  const chain = await deps.tracebacks.getChain(tracebackId);
  if (!chain || !canReadTraceback(p, chain.traceback.value)) throw new NotFoundError(`traceback ${tracebackId} not found`);
  return chain;
}

/** What the consortium and the initiator see of a stored chain: the members the views name, with timings and findings. */
export function chainView(chain: StoredChain): Chain {
  const tb = chain.traceback.value;
  const all = chain.hops.map((h) => withTiming(h.value));
  const verdict = tb.signatures ? signatureVerdict(tb, all) : undefined;
  const findings = [...(tb.callFindings ?? []), ...(verdict?.findings ?? [])];
  const signerInquiries = all.filter((h) => isInquirySeq(h.seq));
  return {
    traceback: tracebackView(tb),
    hops: all.filter((h) => !isInquirySeq(h.seq)),
    ...(signerInquiries.length > 0 && { signerInquiries }),
    ...verdict,
    ...((verdict || findings.length > 0) && { findings }),
  };
}

function withTiming(stored: StoredHop): ChainHopView & { answerSeconds?: number } {
  const hop = chainHopView(stored);
  if (!hop.answeredAt) return hop;
  const from = hop.deadline?.clockStartsAt ?? hop.createdAt;
  return { ...hop, answerSeconds: Math.max(0, (Date.parse(hop.answeredAt) - Date.parse(from)) / 1000) };
}

/** What a list of tracebacks is asked for, as received: numbers in any form a call could show. */
export interface TracebackQuery extends Omit<TracebackFilter, "callingNumber" | "calledNumber"> {
  initiatorId?: string;
  callingNumber?: string;
  calledNumber?: string;
}

/**
 * The consortium lists every traceback (or one initiator's), an initiator its own, by any
 * combination of filters; numbers are matched in the form the traceback keeps them.
 */
export async function listTracebacks(deps: CoreDeps, p: Principal, page: PageRequest, query: TracebackQuery = {}): Promise<Page<Traceback>> {
  if (p.kind === "provider") throw new ForbiddenError("providers see hop requests, not tracebacks");
  const { initiatorId, callingNumber, calledNumber, ...rest } = query;
  const scope: TracebackScope = p.kind === "consortium" ? (initiatorId !== undefined ? { initiatorId } : {}) : { initiatorId: p.accountId };
  const filter: TracebackFilter = {
    ...rest,
    ...(callingNumber !== undefined && { callingNumber: toE164(callingNumber) ?? callingNumber }),
    ...(calledNumber !== undefined && { calledNumber: toE164(calledNumber) ?? calledNumber.trim() }),
  };
  return deps.tracebacks.listTracebacks(scope, filter, page);
}

/** Ends a traceback by decision of its initiator or the consortium, cancelling the open hop. */
export async function closeTracebackBy(deps: CoreDeps, p: Principal, tracebackId: string, reason: string): Promise<Traceback> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.tracebacks.getTraceback(tracebackId, true);
    if (!stored || !canReadTraceback(p, stored.value)) throw new NotFoundError(`traceback ${tracebackId} not found`);
    // An answer accepted before the close still makes its next hop: a follow-up a crash left
    // unfinished is finished first, and the traceback read again.
    const current = stored.value.status === "completed" ? undefined : await deps.tracebacks.getHop(tracebackId, stored.value.hopCount, true);
    if (current?.outbox) {
      await finishPendingFollowUp(deps, current);
      continue;
    }
    const now = deps.clock.now();
    const closed = closeTraceback(stored.value, reason, p.accountId, now);
    const marker = outboxMarker(now, tracebackId);
    if (!(await deps.tracebacks.replaceTraceback(closed, stored, marker))) continue;
    await followUpTraceback(deps, tracebackId, marker).catch((err) =>
      deps.log.warn("traceback follow-up deferred to the reconciler", { tracebackId, error: String(err) }),
    );
    return closed;
  }
  throw new Error(`traceback ${tracebackId} kept changing while being closed`);
}

/**
 * Reopens a traceback that ended as non-responsive once the silent provider answered late: the
 * late answer then moves the chain on as if it had come in time.
 */
export async function reopenTraceback(deps: CoreDeps, p: Principal, tracebackId: string): Promise<Traceback> {
  const stored = await deps.tracebacks.getTraceback(tracebackId, true);
  if (!stored || !canReadTraceback(p, stored.value)) throw new NotFoundError(`traceback ${tracebackId} not found`);
  const tb = stored.value;
  const current = await deps.tracebacks.getHop(tracebackId, tb.hopCount, true);
  if (tb.result?.outcome !== "non_responsive_provider" || current?.value.status !== "answered") {
    throw new ConflictError("not_reopenable", "only a traceback that ended non-responsive and has since received a late answer can be reopened");
  }
  const { result: _r, ...rest } = tb;
  const reopened: Traceback = { ...rest, status: "open" };
  const now = deps.clock.now();
  const marker = outboxMarker(now, tracebackId);
  if (!(await deps.tracebacks.replaceTraceback(reopened, stored, marker))) {
    throw new ConflictError("traceback_changed", `traceback ${tracebackId} changed; read it again`);
  }
  await followUpTraceback(deps, tracebackId, marker).catch((err) =>
    deps.log.warn("traceback follow-up deferred to the reconciler", { tracebackId, error: String(err) }),
  );
  return (await deps.tracebacks.getTraceback(tracebackId, true))?.value ?? reopened;
}

/** Answer counts and times of one provider over [from, to), for the consortium or the provider itself. */
export async function providerResponsiveness(
  deps: CoreDeps,
  p: Principal,
  providerId: string,
  from: string,
  to: string,
): Promise<Responsiveness & { providerId: string; from: string; to: string }> {
  if (p.kind !== "consortium" && p.accountId !== providerId) throw new NotFoundError(`provider ${providerId} not found`);
  const hops = await deps.tracebacks.hopsOfBetween(providerId, from, to, 10_000);
  return { providerId, from, to, ...responsiveness(hops) };
}
