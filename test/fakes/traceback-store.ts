/**
 * Tracebacks, hops and their amendments in memory: the TracebackStore contract, with the same
 * version and status checks and outbox markers as the DynamoDB adapter's conditional writes.
 */
import { ConflictError } from "../../functions/domain/errors.js";
import { nextSweepAt } from "../../functions/domain/deadlines/sweep.js";
import type { Amendment, Hop, Traceback } from "../../functions/domain/traceback.js";
import { matchesFilter, type TracebackFilter, type TracebackScope } from "../../functions/domain/traceback-filter.js";
import type { AnswerEvidence, KycRecord, OutboxRef, Page, PageRequest, Stored, StoredHop, TracebackStore } from "../../functions/usecases/ports.js";
import { copy, dueBefore, pageOf } from "./paging.js";

const hopKey = (tracebackId: string, seq: number) => `${tracebackId}#${seq}`;
const listed = (x: { createdAt: string; id: string }) => `${x.createdAt}#${x.id}`;

/** The hop as its item keeps it: amendments are records of their own. */
function bare(hop: StoredHop): StoredHop {
  const { amendments: _a, amendmentEvidence: _e, ...kept } = hop;
  return copy(kept);
}

export class MemoryTracebackStore implements TracebackStore {
  readonly tracebacks = new Map<string, Stored<Traceback>>();
  readonly hops = new Map<string, Stored<StoredHop>>();
  private readonly amendments = new Map<string, Array<{ amendment: Amendment; evidence: AnswerEvidence }>>();
  private readonly weeks = new Map<string, Set<string>>();
  private readonly kyc = new Map<string, KycRecord>();
  /** Answer evidence put ahead of the hop's write that names it, by hop and receipt. */
  private readonly answerEvidence = new Map<string, Map<string, AnswerEvidence>>();

  async createTraceback(tb: Traceback, outbox: string): Promise<"created" | "exists"> {
    if (this.tracebacks.has(tb.id)) return "exists";
    this.tracebacks.set(tb.id, { value: copy(tb), version: 1, outbox });
    return "created";
  }

  async getTraceback(id: string): Promise<Stored<Traceback> | undefined> {
    const s = this.tracebacks.get(id);
    return s && copy(s);
  }

  async getTracebacks(ids: readonly string[]): Promise<Traceback[]> {
    return ids.flatMap((id) => (this.tracebacks.has(id) ? [copy(this.tracebacks.get(id)!.value)] : []));
  }

  async replaceTraceback(tb: Traceback, before: Stored<Traceback>, outbox?: string): Promise<boolean> {
    const current = this.tracebacks.get(tb.id);
    if (!current || current.version !== before.version) return false;
    this.tracebacks.set(tb.id, { value: copy(tb), version: before.version + 1, ...(outbox && { outbox }) });
    return true;
  }

  async getChain(id: string): Promise<{ traceback: Stored<Traceback>; hops: Stored<StoredHop>[] } | undefined> {
    const traceback = this.tracebacks.get(id);
    if (!traceback) return undefined;
    const hops = [...this.hops.values()].filter((h) => h.value.tracebackId === id).sort((a, b) => a.value.seq - b.value.seq);
    return { traceback: copy(traceback), hops: hops.map((h) => this.withAmendments(h)) };
  }

  async getHop(tracebackId: string, seq: number): Promise<Stored<StoredHop> | undefined> {
    const h = this.hops.get(hopKey(tracebackId, seq));
    return h && this.withAmendments(h);
  }

  private withAmendments(h: Stored<StoredHop>): Stored<StoredHop> {
    const own = this.amendments.get(hopKey(h.value.tracebackId, h.value.seq)) ?? [];
    const stored = copy(h);
    if (own.length === 0) return stored;
    const sorted = [...own].sort((a, b) => a.amendment.number - b.amendment.number);
    return { ...stored, value: { ...stored.value, amendments: sorted.map((a) => copy(a.amendment)), amendmentEvidence: sorted.map((a) => copy(a.evidence)) } };
  }

  async putAmendment(tracebackId: string, seq: number, amendment: Amendment, evidence: AnswerEvidence): Promise<boolean> {
    const own = this.amendments.get(hopKey(tracebackId, seq)) ?? [];
    if (own.some((a) => a.amendment.number === amendment.number)) return false;
    own.push({ amendment: copy(amendment), evidence: copy(evidence) });
    this.amendments.set(hopKey(tracebackId, seq), own);
    return true;
  }

  async putNewHop(hop: StoredHop, outbox?: string): Promise<"created" | "exists"> {
    const key = hopKey(hop.tracebackId, hop.seq);
    if (this.hops.has(key)) return "exists";
    this.hops.set(key, { value: bare(hop), version: 1, ...(outbox && { outbox }) });
    return "created";
  }

  async replaceHop(hop: StoredHop, expected: { version: number; status: Hop["status"] }, outbox?: string): Promise<void> {
    const key = hopKey(hop.tracebackId, hop.seq);
    const current = this.hops.get(key);
    if (!current || current.version !== expected.version || current.value.status !== expected.status) {
      throw new ConflictError("hop_changed", `hop request ${hop.id} was changed by another request`);
    }
    // As in the table, a hop names its evidence, and only evidence put before it reads back.
    const { evidence, ...rest } = bare(hop);
    const kept = evidence && this.answerEvidence.get(key)?.get(evidence.receipt);
    this.hops.set(key, { value: kept ? { ...rest, evidence: copy(kept) } : rest, version: expected.version + 1, ...(outbox && { outbox }) });
  }

  async putAnswerEvidence(tracebackId: string, seq: number, evidence: AnswerEvidence): Promise<void> {
    const key = hopKey(tracebackId, seq);
    const own = this.answerEvidence.get(key) ?? new Map<string, AnswerEvidence>();
    if (!own.has(evidence.receipt)) own.set(evidence.receipt, copy(evidence));
    this.answerEvidence.set(key, own);
  }

  async clearOutbox(ref: OutboxRef, marker: string): Promise<void> {
    const item = ref.seq === undefined ? this.tracebacks.get(ref.tracebackId) : this.hops.get(hopKey(ref.tracebackId, ref.seq));
    if (item?.outbox === marker) delete item.outbox;
  }

  async pendingOutbox(before: string, limit: number): Promise<Array<{ ref: OutboxRef; marker: string }>> {
    const rows = [
      ...[...this.tracebacks.values()].filter((t) => t.outbox).map((t) => ({ sk: t.outbox!, value: { ref: { tracebackId: t.value.id }, marker: t.outbox! } })),
      ...[...this.hops.values()]
        .filter((h) => h.outbox)
        .map((h) => ({ sk: h.outbox!, value: { ref: { tracebackId: h.value.tracebackId, seq: h.value.seq }, marker: h.outbox! } })),
    ];
    return dueBefore(rows, before, limit);
  }

  async listOpenHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>> {
    const rows = this.hopsOf(providerId)
      .filter((h) => h.status === "open")
      .map((h) => ({ sk: listed(h), value: h }));
    return pageOf(`open#${providerId}`, rows, page, { ascending: true });
  }

  async listHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>> {
    return pageOf(
      `hops#${providerId}`,
      this.hopsOf(providerId).map((h) => ({ sk: listed(h), value: h })),
      page,
    );
  }

  private hopsOf(providerId: string): StoredHop[] {
    return [...this.hops.values()].map((h) => h.value).filter((h) => h.providerId === providerId);
  }

  async listTracebacks(scope: TracebackScope, filter: TracebackFilter, page: PageRequest): Promise<Page<Traceback>> {
    const rows = [...this.tracebacks.values()].map((t) => t.value).filter((tb) => matchesFilter(tb, filter, scope));
    return pageOf(
      `tracebacks#${JSON.stringify([scope, filter])}`,
      rows.map((tb) => ({ sk: listed(tb), value: tb })),
      page,
    );
  }

  /** Every traceback kept here is listed from its first write: none is ever left to refile. */
  async refileUnlisted(): Promise<number> {
    return 0;
  }

  async hopsAwaitingRegistration(kind: "FRN" | "RMD", value: string): Promise<Hop[]> {
    const waiting = [...this.hops.values()]
      .map((h) => h.value)
      .filter((h) => {
        const p = h.pendingProvider;
        if (h.providerId || h.status !== "awaiting_registration" || !p) return false;
        return kind === "FRN" ? p.frn === value : !p.frn && p.rmdNumber?.toUpperCase() === value.toUpperCase();
      });
    return pageOf(
      `pending#${kind}#${value}`,
      waiting.map((h) => ({ sk: h.id, value: h })),
      { limit: 100 },
    ).items;
  }

  async reserveWeeklySlot(providerId: string, weekStart: string, hopId: string, cap: number): Promise<boolean> {
    const week = this.weeks.get(`${providerId}#${weekStart}`) ?? new Set<string>();
    if (!week.has(hopId) && week.size >= cap) return false;
    week.add(hopId);
    this.weeks.set(`${providerId}#${weekStart}`, week);
    return true;
  }

  async hopsDueForSweep(before: string, limit: number): Promise<Array<{ tracebackId: string; seq: number }>> {
    const rows = [...this.hops.values()].flatMap((h) => {
      const at = nextSweepAt(h.value);
      return at ? [{ sk: `${at}#${h.value.id}`, value: { tracebackId: h.value.tracebackId, seq: h.value.seq } }] : [];
    });
    return dueBefore(rows, before, limit);
  }

  async hopsOfBetween(providerId: string, from: string, to: string, max: number): Promise<Hop[]> {
    return this.hopsOf(providerId)
      .filter((h) => listed(h) >= from && listed(h) <= to)
      .sort((a, b) => (listed(a) < listed(b) ? -1 : 1))
      .slice(0, max)
      .map(copy);
  }

  async putKycRecord(record: KycRecord): Promise<void> {
    this.kyc.set(record.tracebackId, copy(record));
  }

  async getKycRecord(tracebackId: string): Promise<KycRecord | undefined> {
    const r = this.kyc.get(tracebackId);
    return r && copy(r);
  }
}
