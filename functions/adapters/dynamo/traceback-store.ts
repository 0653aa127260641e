/**
 * Tracebacks and their hops. Every state transition is one conditional write on one item (no
 * transactions: they are missing from the local emulator and bill twice). Follow-up work a
 * transition causes is recorded on the same item as an outbox marker, so a crash between two
 * writes is finished later by the reconciler instead of being lost.
 */
import { createHash } from "node:crypto";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../domain/errors.js";
import type { Amendment, Hop, Traceback } from "../../domain/traceback.js";
import { facetId, facetsOf, type Facet, type TracebackFilter, type TracebackScope } from "../../domain/traceback-filter.js";
import { nextSweepAt } from "../../domain/deadlines/sweep.js";
import type { AnswerEvidence, KycRecord, OutboxRef, Page, PageRequest, Stored, StoredHop, TracebackStore } from "../../usecases/ports.js";
import { allPages, clearMarker, conditionally, dueAcrossShards, putNew, queryAll, queryPage, stripKeys, updateIf } from "./items.js";
import { keys, TABLE } from "./keys.js";
import { batchGetAll } from "./batch-get.js";
import { listingSortKey, TracebackListing } from "./traceback-listing.js";

/** Where every traceback was listed before the list was sharded and filtered. */
const LEGACY_ALL_TRACEBACKS = "TRACEBACKS#ALL";

function outboxAttributes(marker: string | undefined, id: string): Record<string, string> {
  return marker ? { gsi4pk: keys.schedule("OUTBOX", id), gsi4sk: marker } : {};
}

function tracebackItem(tb: Traceback, version: number, outbox?: string): Record<string, unknown> {
  return {
    ...keys.traceback(tb.id),
    entity: "traceback",
    gsi1pk: keys.tracebacksOf(tb.initiatorId),
    gsi1sk: listingSortKey(tb),
    gsi2pk: keys.allTracebacks(tb.id),
    gsi2sk: listingSortKey(tb),
    ...outboxAttributes(outbox, tb.id),
    ...tb,
    version,
  };
}

function hopItem(hop: StoredHop, version: number, outbox?: string): Record<string, unknown> {
  const index: Record<string, string> = {};
  if (hop.providerId) {
    index.gsi1pk = keys.hopsOf(hop.providerId);
    index.gsi1sk = `${hop.createdAt}#${hop.id}`;
  } else if (hop.status === "awaiting_registration" && (hop.pendingProvider?.frn || hop.pendingProvider?.rmdNumber)) {
    const p = hop.pendingProvider;
    index.gsi1pk = p.frn ? keys.pendingRegistration("FRN", p.frn) : keys.pendingRegistration("RMD", p.rmdNumber!);
    index.gsi1sk = hop.id;
  }
  if (hop.status === "open" && hop.providerId) {
    index.gsi2pk = keys.openHopsOf(hop.providerId);
    index.gsi2sk = `${hop.createdAt}#${hop.id}`;
  }
  const sweepAt = nextSweepAt(hop);
  if (sweepAt) {
    index.gsi3pk = keys.schedule("DUE", hop.id);
    index.gsi3sk = `${sweepAt}#${hop.id}`;
  }
  // The answer's evidence and the amendments are items of their own (putAnswerEvidence,
  // putAmendment): the hop item, written again at every transition and copied into the indexes,
  // only names its evidence.
  const { amendments: _amendments, amendmentEvidence: _amendmentEvidence, evidence, ...kept } = hop;
  return {
    ...keys.hop(hop.tracebackId, hop.seq),
    entity: "hop",
    ...index,
    ...outboxAttributes(outbox, hop.id),
    ...kept,
    ...(evidence && { evidenceId: evidenceIdOf(evidence) }),
    version,
  };
}

/** An answer's own id, from its receipt (signed over a fresh nonce): the same answer always, another answer never. */
function evidenceIdOf(evidence: AnswerEvidence): string {
  return createHash("sha256").update(evidence.receipt).digest("base64url").slice(0, 22);
}

/**
 * A hop with its answer's evidence and its amendments found among `items` (a Query over its
 * partition or its range). A hop stored before evidence had items of its own carries it inline.
 */
function hopWithAmendments(item: Record<string, unknown>, items: Record<string, unknown>[]): Stored<StoredHop> {
  const stored = fromItem<StoredHop>(item);
  const seq = stored.value.seq;
  const evidence =
    typeof item.evidenceId === "string" ? items.find((i) => i.entity === "answer_evidence" && i.hopSeq === seq && i.evidenceId === item.evidenceId) : undefined;
  if (evidence) stored.value = { ...stored.value, evidence: evidence.evidence as AnswerEvidence };
  // A Query returns them in sort key order, which is their number's order.
  const own = items.filter((i) => i.entity === "amendment" && i.hopSeq === seq);
  if (own.length === 0) return stored;
  return {
    ...stored,
    value: { ...stored.value, amendments: own.map((i) => i.amendment as Amendment), amendmentEvidence: own.map((i) => i.evidence as AnswerEvidence) },
  };
}

/** The facets a transition files the traceback under anew, and those it leaves. */
function facetChanges(before: Traceback, after: Traceback): { added: Facet[]; removed: Facet[] } {
  const was = facetsOf(before);
  const is = facetsOf(after);
  const ids = (fs: Facet[]) => new Set(fs.map(facetId));
  const wasIds = ids(was);
  const isIds = ids(is);
  return { added: is.filter((f) => !wasIds.has(facetId(f))), removed: was.filter((f) => !isIds.has(facetId(f))) };
}

function fromItem<T>(item: Record<string, unknown>): Stored<T> {
  const { version, ...rest } = stripKeys<Record<string, unknown>>(item);
  return { value: rest as T, version: Number(version ?? 0), ...(typeof item.gsi4sk === "string" && { outbox: item.gsi4sk }) };
}

export class DynamoTracebackStore implements TracebackStore {
  private readonly listing: TracebackListing;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.listing = new TracebackListing(db, table);
  }

  /** Writes a new traceback carrying an outbox marker: its first hop is follow-up work. */
  async createTraceback(tb: Traceback, outbox: string): Promise<"created" | "exists"> {
    // Filed first: a crash in between leaves pointers to nothing, which listings skip and remove.
    // A retry that finds the traceback written filed it under its own creation time: read as stale.
    await this.listing.file(tb, facetsOf(tb), 1);
    return putNew(this.db, this.table, tracebackItem(tb, 1, outbox));
  }

  async getTraceback(id: string, consistent = false): Promise<Stored<Traceback> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.traceback(id), ConsistentRead: consistent }));
    return out.Item ? fromItem<Traceback>(out.Item) : undefined;
  }

  async getTracebacks(ids: readonly string[]): Promise<Traceback[]> {
    if (ids.length === 0) return [];
    return (await batchGetAll(this.db, this.table, ids.map(keys.traceback), false)).map((i) => fromItem<Traceback>(i).value);
  }

  /**
   * Replaces the traceback if nobody else changed it since `before` was read (its version).
   * Returns false when the condition failed: the caller re-reads and decides again.
   */
  async replaceTraceback(tb: Traceback, before: Stored<Traceback>, outbox?: string): Promise<boolean> {
    const expectedVersion = before.version;
    // Filed before the write; if the write loses to another, these pointers are skipped and removed by reads.
    const { added, removed } = facetChanges(before.value, tb);
    await this.listing.file(tb, added, expectedVersion + 1);
    const written = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: tracebackItem(tb, expectedVersion + 1, outbox),
          ConditionExpression: "version = :v",
          ExpressionAttributeValues: { ":v": expectedVersion },
        }),
      ),
    );
    if (!written) return false;
    // The write stands whatever happens now: a pointer left behind is skipped and removed by reads.
    await this.listing.unfile(before.value, removed, expectedVersion).catch(() => undefined);
    return true;
  }

  /** The traceback with all its hops and their amendments in one Query (they share a partition). */
  async getChain(id: string): Promise<{ traceback: Stored<Traceback>; hops: Stored<StoredHop>[] } | undefined> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.tracebackPartition(id) },
      ConsistentRead: true,
    });
    const tbItem = items.find((i) => i.entity === "traceback");
    if (!tbItem) return undefined;
    const hops = items.filter((i) => i.entity === "hop").map((i) => hopWithAmendments(i, items));
    return { traceback: fromItem<Traceback>(tbItem), hops };
  }

  /** A hop and its amendments: one Query over the hop's sort key range. */
  async getHop(tracebackId: string, seq: number, consistent = false): Promise<Stored<StoredHop> | undefined> {
    const [from, to] = keys.hopWithAmendments(seq);
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": keys.tracebackPartition(tracebackId), ":from": from, ":to": to },
      ConsistentRead: consistent,
    });
    const hop = items.find((i) => i.entity === "hop");
    return hop ? hopWithAmendments(hop, items) : undefined;
  }

  /**
   * Records amendment `amendment.number` of a hop with its evidence. The number is claimed by a
   * conditional put: false when it was taken (by a concurrent amendment), so none is written twice.
   */
  async putAmendment(tracebackId: string, seq: number, amendment: Amendment, evidence: AnswerEvidence): Promise<boolean> {
    return conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.amendment(tracebackId, seq, amendment.number), entity: "amendment", hopSeq: seq, amendment, evidence },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  /**
   * Keeps an answer's evidence before the hop's write that names it (replaceHop with this
   * evidence): a crash in between leaves an item no hop names, which nothing reads, and the hop
   * still open to the retry. Written again, the same evidence is the same item.
   */
  async putAnswerEvidence(tracebackId: string, seq: number, evidence: AnswerEvidence): Promise<void> {
    const evidenceId = evidenceIdOf(evidence);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.answerEvidence(tracebackId, seq, evidenceId), entity: "answer_evidence", hopSeq: seq, evidenceId, evidence },
      }),
    );
  }

  /**
   * Writes a hop whose id is derived from its traceback and position. A retry of the same step
   * finds the item there and changes nothing: "created" tells the caller which case it was.
   */
  putNewHop(hop: StoredHop, outbox?: string): Promise<"created" | "exists"> {
    return putNew(this.db, this.table, hopItem(hop, 1, outbox));
  }

  /**
   * Replaces a hop only if it is still at `expectedVersion` and in `expectedStatus`: the one
   * write that decides which of two racing answers wins. A hop with evidence names it; the
   * evidence itself was put first (putAnswerEvidence).
   */
  async replaceHop(hop: StoredHop, expected: { version: number; status: Hop["status"] }, outbox?: string): Promise<void> {
    const written = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: hopItem(hop, expected.version + 1, outbox),
          ConditionExpression: "version = :v AND #s = :s",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":v": expected.version, ":s": expected.status },
        }),
      ),
    );
    if (!written) throw new ConflictError("hop_changed", `hop request ${hop.id} was changed by another request`);
  }

  /** Marks the follow-up of a transition done, unless a newer transition replaced the marker. */
  async clearOutbox(ref: OutboxRef, marker: string): Promise<void> {
    await clearMarker(this.db, this.table, ref.seq === undefined ? keys.traceback(ref.tracebackId) : keys.hop(ref.tracebackId, ref.seq), marker);
  }

  /** Items whose follow-up is older than `before`, across the outbox shards. */
  async pendingOutbox(before: string, limit: number): Promise<Array<{ ref: OutboxRef; marker: string }>> {
    const items = await dueAcrossShards(this.db, this.table, TABLE.indexes.outbox, keys.scheduleShards("OUTBOX"), before, limit);
    return items.map((i) => ({
      ref: i.entity === "hop" ? { tracebackId: String(i.tracebackId), seq: Number(i.seq) } : { tracebackId: String(i.id) },
      marker: String(i.gsi4sk),
    }));
  }

  listOpenHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>> {
    return queryPage<Hop>(this.db, this.table, TABLE.indexes.openWork, keys.openHopsOf(providerId), page, { ascending: true });
  }

  listHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>> {
    return queryPage<Hop>(this.db, this.table, TABLE.indexes.byOwner, keys.hopsOf(providerId), page);
  }

  listTracebacks(scope: TracebackScope, filter: TracebackFilter, page: PageRequest): Promise<Page<Traceback>> {
    return this.listing.list(scope, filter, page);
  }

  /**
   * Tracebacks written before the filtered listing (in the one unsharded partition of all, sorted
   * by id alone) are filed under their facets and moved to the sharded list, a page at a time:
   * each only while nobody changed it meanwhile. The number moved; none once all are.
   */
  async refileUnlisted(limit: number): Promise<number> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: TABLE.indexes.openWork.name,
        KeyConditionExpression: "gsi2pk = :p",
        ExpressionAttributeValues: { ":p": LEGACY_ALL_TRACEBACKS },
        Limit: limit,
      }),
    );
    let moved = 0;
    for (const item of out.Items ?? []) {
      const { value: tb, version } = fromItem<Traceback>(item);
      await this.listing.file(tb, facetsOf(tb), version);
      const listed = await updateIf(this.db, this.table, keys.traceback(tb.id), {
        UpdateExpression: "SET gsi1sk = :sk, gsi2pk = :all, gsi2sk = :sk",
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":sk": listingSortKey(tb), ":all": keys.allTracebacks(tb.id), ":v": version },
      });
      if (listed) moved++;
    }
    return moved;
  }

  async reserveWeeklySlot(providerId: string, weekStart: string, hopId: string, cap: number, expiresAtSeconds: number): Promise<boolean> {
    return conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.weeklyCap(providerId, weekStart),
          UpdateExpression: "ADD hopIds :hop SET entity = :e, expiresAt = :exp",
          // A set of hop ids rather than a counter: a repeated reservation for the same hop is free.
          ConditionExpression: "attribute_not_exists(hopIds) OR size(hopIds) < :cap OR contains(hopIds, :id)",
          ExpressionAttributeValues: { ":hop": new Set([hopId]), ":id": hopId, ":cap": cap, ":e": "weekly_cap", ":exp": expiresAtSeconds },
        }),
      ),
    );
  }

  /** Hops whose next deadline action is due before `before`, across the schedule shards. */
  async hopsDueForSweep(before: string, limit: number): Promise<Array<{ tracebackId: string; seq: number }>> {
    const items = await dueAcrossShards(this.db, this.table, TABLE.indexes.schedule, keys.scheduleShards("DUE"), before, limit);
    return items.map((i) => ({ tracebackId: String(i.tracebackId), seq: Number(i.seq) }));
  }

  /** A provider's hops created in [from, to), for responsiveness figures. */
  hopsOfBetween(providerId: string, from: string, to: string, max: number): Promise<Hop[]> {
    return allPages(
      (cursor) =>
        queryPage<Hop>(
          this.db,
          this.table,
          TABLE.indexes.byOwner,
          keys.hopsOf(providerId),
          { limit: 200, ...(cursor && { cursor }) },
          {
            ascending: true,
            sortKeyBetween: [from, to],
          },
        ),
      max,
    );
  }

  async putKycRecord(record: KycRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.kycRecord(record.tracebackId), entity: "kyc_record", ...record } }));
  }

  async getKycRecord(tracebackId: string): Promise<KycRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.kycRecord(tracebackId), ConsistentRead: true }));
    return out.Item ? stripKeys<KycRecord>(out.Item) : undefined;
  }

  /** Hops waiting for a provider with this FRN or RMD number to register (a page of them). */
  async hopsAwaitingRegistration(kind: "FRN" | "RMD", value: string): Promise<Hop[]> {
    const page = await queryPage<Hop>(this.db, this.table, TABLE.indexes.byOwner, keys.pendingRegistration(kind, value), { limit: 100 });
    return page.items;
  }
}
