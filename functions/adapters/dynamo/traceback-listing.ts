/**
 * Listing tracebacks by filter without scanning. A traceback is filed under each of its facets
 * (domain/traceback-filter.ts) as a pointer item, sort key `createdAt#id`, so a filter reads one
 * partition (or the shards of one, merged newest first) within the creation dates asked for, and
 * the other filters are checked on the tracebacks the pointers lead to.
 *
 * Pointers are written before the traceback they file and removed after it moved on, so a crash
 * anywhere leaves at worst a pointer too many, never one missing: a stale pointer is skipped
 * (the traceback itself is what is checked) and removed when read. Each carries the version of
 * the traceback that filed it, so a late removal never takes a pointer a newer version filed.
 */
import { BatchWriteCommand, DeleteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  BROAD_FACETS,
  drivingFacet,
  facetId,
  facetsOf,
  matchesFilter,
  type Facet,
  type TracebackFilter,
  type TracebackScope,
} from "../../domain/traceback-filter.js";
import { InvalidCursorError } from "../../domain/errors.js";
import type { Traceback } from "../../domain/traceback.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { batchGetAll } from "./batch-get.js";
import { conditionally, stripKeys } from "./items.js";
import { keys, TABLE } from "./keys.js";

/** Rounds of reading a page may take when filters other than the partition's leave few matches. */
const MAX_ROUNDS = 4;
const BATCH_WRITE = 25;

export const listingSortKey = (tb: Pick<Traceback, "createdAt" | "id">) => `${tb.createdAt}#${tb.id}`;

const facetPartition = (f: Facet, tracebackId: string) => keys.tracebackFacet(facetId(f), tracebackId, BROAD_FACETS.has(f.kind));

interface Source {
  index?: { name: string; partitionKey: string; sortKey: string };
  partition: string;
  /** Pointer items lead to their traceback; index entries are the traceback item itself. */
  pointers: boolean;
}

interface Entry {
  sk: string;
  item: Record<string, unknown>;
  source: Source;
}

export class TracebackListing {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Files the traceback (at `version`) under these facets; throws unless every pointer is written. */
  async file(tb: Traceback, facets: Facet[], version: number): Promise<void> {
    let pending = facets.map((f) => ({
      PutRequest: { Item: { pk: facetPartition(f, tb.id), sk: listingSortKey(tb), entity: "traceback_facet", tracebackId: tb.id, filedVersion: version } },
    }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === 8) throw new Error(`BatchWriteItem left ${pending.length} facet pointers of ${tb.id} unwritten`);
      if (round > 0) await new Promise((r) => setTimeout(r, 2 ** round * 10));
      const chunks = [];
      for (let i = 0; i < pending.length; i += BATCH_WRITE) chunks.push(pending.slice(i, i + BATCH_WRITE));
      const results = await Promise.all(chunks.map((chunk) => this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: chunk } }))));
      pending = results.flatMap((r) => (r.UnprocessedItems?.[this.table] ?? []) as typeof pending);
    }
  }

  /** Removes the pointers of these facets filed at `upToVersion` or before; a failure leaves a stale pointer, which reads skip. */
  async unfile(tb: Traceback, facets: Facet[], upToVersion: number): Promise<void> {
    await Promise.all(facets.map((f) => this.removePointer({ pk: facetPartition(f, tb.id), sk: listingSortKey(tb) }, upToVersion)));
  }

  private async removePointer(key: { pk: string; sk: string }, upToVersion: number): Promise<void> {
    await conditionally(
      this.db.send(
        new DeleteCommand({ TableName: this.table, Key: key, ConditionExpression: "filedVersion <= :v", ExpressionAttributeValues: { ":v": upToVersion } }),
      ),
    );
  }

  /**
   * A page of the tracebacks in scope matching the filter, newest first. A page may hold fewer
   * than `limit` with a `nextCursor` when the filters beyond the partition read left few matches.
   */
  async list(scope: TracebackScope, filter: TracebackFilter, page: PageRequest): Promise<Page<Traceback>> {
    const driver = drivingFacet(filter, scope);
    const sources: Source[] = driver
      ? keys.tracebackFacetShards(facetId(driver), BROAD_FACETS.has(driver.kind)).map((partition) => ({ partition, pointers: true }))
      : scope.initiatorId !== undefined
        ? [{ index: TABLE.indexes.byOwner, partition: keys.tracebacksOf(scope.initiatorId), pointers: false }]
        : keys.allTracebackShards().map((partition) => ({ index: TABLE.indexes.openWork, partition, pointers: false }));
    const lo = filter.createdFrom;
    let before = openCursor(page.cursor, lo, filter.createdTo) ?? filter.createdTo;
    const found: Traceback[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { entries, exhausted } = await this.newest(sources, lo, before, page.limit);
      const tracebacks = await this.resolve(entries);
      for (const [i, entry] of entries.entries()) {
        const tb = tracebacks[i];
        if (tb && entry.sk === listingSortKey(tb.value) && matchesFilter(tb.value, filter, scope)) found.push(tb.value);
        else if (driver && entry.source.pointers) await this.healPointer(entry, driver, tb);
        if (found.length === page.limit) {
          const more = !exhausted || i < entries.length - 1;
          return { items: found, ...(more && { nextCursor: sealPosition(entry.sk) }) };
        }
      }
      if (exhausted) return { items: found };
      before = entries[entries.length - 1]!.sk;
    }
    return { items: found, nextCursor: sealPosition(before!) };
  }

  /** The `limit` newest entries of all sources below `before` (exclusive) and from `lo` on. */
  private async newest(
    sources: Source[],
    lo: string | undefined,
    before: string | undefined,
    limit: number,
  ): Promise<{ entries: Entry[]; exhausted: boolean }> {
    const results = await Promise.all(sources.map((source) => this.query(source, lo, before, limit)));
    const all = results.flatMap((r) => r.entries).sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
    const entries = all.slice(0, limit);
    return { entries, exhausted: all.length <= limit && results.every((r) => r.exhausted) };
  }

  private async query(source: Source, lo: string | undefined, before: string | undefined, limit: number): Promise<{ entries: Entry[]; exhausted: boolean }> {
    const pkAttr = source.index?.partitionKey ?? TABLE.partitionKey;
    const skAttr = source.index?.sortKey ?? TABLE.sortKey;
    const values: Record<string, string> = { ":pk": source.partition };
    let condition = "#pk = :pk";
    if (lo !== undefined && before !== undefined) {
      // BETWEEN includes its upper end: the entry at `before` itself is dropped below.
      Object.assign(values, { ":lo": lo, ":hi": before });
      condition += " AND #sk BETWEEN :lo AND :hi";
    } else if (before !== undefined) {
      values[":hi"] = before;
      condition += " AND #sk < :hi";
    } else if (lo !== undefined) {
      values[":lo"] = lo;
      condition += " AND #sk >= :lo";
    }
    const input: QueryCommandInput = {
      TableName: this.table,
      ...(source.index && { IndexName: source.index.name }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: { "#pk": pkAttr, ...(condition.includes("#sk") && { "#sk": skAttr }) },
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      // One more than asked for, since the entry at `before` may come back and be dropped.
      Limit: limit + 1,
    };
    const out = await this.db.send(new QueryCommand(input));
    const entries = (out.Items ?? [])
      .map((item) => ({ sk: String(item[skAttr]), item, source }))
      .filter((e) => before === undefined || e.sk < before)
      .slice(0, limit);
    return { entries, exhausted: out.LastEvaluatedKey === undefined };
  }

  /** The tracebacks the entries stand for, in their order: pointers read in one batch. */
  private async resolve(entries: Entry[]): Promise<Array<{ value: Traceback; version: number } | undefined>> {
    const ids = entries.filter((e) => e.source.pointers).map((e) => String(e.item.tracebackId));
    const fetched = ids.length > 0 ? await batchGetAll(this.db, this.table, ids.map(keys.traceback), true) : [];
    const byId = new Map(fetched.map((item) => [String(item.id), item]));
    return entries.map((e) => {
      const item = e.source.pointers ? byId.get(String(e.item.tracebackId)) : e.item;
      if (!item) return undefined;
      const { version, ...value } = stripKeys<Traceback & { version?: number }>(item);
      return { value: value as Traceback, version: Number(version ?? 0) };
    });
  }

  /** A pointer to no traceback, to one no longer under the facet read, or filed under another creation time (a retry's) goes. */
  private async healPointer(entry: Entry, driver: Facet, tb: { value: Traceback; version: number } | undefined): Promise<void> {
    if (tb && entry.sk === listingSortKey(tb.value) && facetsOf(tb.value).some((f) => facetId(f) === facetId(driver))) return;
    const key = { pk: String(entry.item.pk), sk: String(entry.item.sk) };
    // A pointer to a traceback never written is older than its version 1 can ever be.
    await this.removePointer(key, tb?.version ?? Number(entry.item.filedVersion));
  }
}

/** The position a page ends at: the sort key of its last entry. The pager seals it for the client. */
function sealPosition(sk: string): string {
  return Buffer.from(JSON.stringify({ before: sk })).toString("base64url");
}

function openCursor(cursor: string | undefined, lo: string | undefined, hi: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let before: unknown;
  try {
    before = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { before?: unknown }).before;
  } catch {
    throw new InvalidCursorError("the cursor is not one this API issued");
  }
  const fits =
    typeof before === "string" &&
    /^\d{4}-\d\d-\d\dT[^#]+#tb_[0-9A-Z]+$/.test(before) &&
    (lo === undefined || before >= lo) &&
    (hi === undefined || before < hi);
  if (!fits) throw new InvalidCursorError("the cursor does not belong to this listing");
  return before as string;
}
