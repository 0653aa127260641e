/**
 * RMD snapshots without transactions. An import writes everything under keys of its own
 * (its versions in pages, its change list and manifest, FRN references), all invisible, then one conditional write moves the
 * head from the snapshot it was diffed against to itself: readers see the whole import or none
 * of it, and of two imports diffed against the same snapshot only one can commit. Readers skip
 * versions of imports that never committed, so a crash mid-import leaves nothing visible.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { ManifestEntry } from "../../domain/rmd/snapshot.js";
import type { ChangeKind, FilingVersion, SnapshotRef } from "../../domain/rmd/standing.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import type { RmdHead, RmdImport, RmdStore } from "../../usecases/rmd-ports.js";
import { deleteAll, getAll, putAll } from "./batch.js";
import { conditionally, decodeCursor, encodeCursor, queryPage, stripKeys } from "./items.js";
import { keys, TABLE } from "./keys.js";
import { blockOf, changeListChunks, manifestChunks, readChangeListChunk, readManifestChunk, readPage, versionPages } from "./rmd-pages.js";

/** Manifests and change lists never change once written; a few are kept. */
const CACHED = 2;

export class DynamoRmdStore implements RmdStore {
  /** Imports known to be committed; commitment is final, so a positive answer is kept. */
  private readonly committed = new Set<string>();
  private readonly manifests = new Map<string, ManifestEntry[]>();
  private readonly changeLists = new Map<string, { asOf: string; keys: string[] }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async head(): Promise<RmdHead | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.rmdHead, ConsistentRead: true }));
    return out.Item ? { importId: out.Item.importId as string, asOf: out.Item.asOf as string, committedAt: out.Item.committedAt as string } : undefined;
  }

  async getImport(importId: string): Promise<RmdImport | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.rmdImport(importId) }));
    return out.Item ? stripKeys<RmdImport>(out.Item) : undefined;
  }

  listImports(page: PageRequest): Promise<Page<RmdImport>> {
    return queryPage<RmdImport>(this.db, this.table, TABLE.indexes.byOwner, keys.rmdImports, page);
  }

  async snapshotAt(at: string): Promise<SnapshotRef | undefined> {
    const head = await this.head();
    if (!head || head.asOf <= at) return head && { importId: head.importId, asOf: head.asOf };
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: TABLE.indexes.byOwner.name,
        KeyConditionExpression: "gsi1pk = :p AND gsi1sk <= :at",
        ExpressionAttributeValues: { ":p": keys.rmdImports, ":at": `${at}#\uffff` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    return item ? { importId: item.id as string, asOf: item.asOf as string } : undefined;
  }

  async manifest(importId: string): Promise<ManifestEntry[]> {
    const cached = this.manifests.get(importId);
    if (cached) return cached;
    const entries: ManifestEntry[] = [];
    const chunks = this.query({
      KeyConditionExpression: "pk = :p AND begins_with(sk, :m)",
      ExpressionAttributeValues: { ":p": keys.rmdImport(importId).pk, ":m": keys.rmdManifestPrefix },
    });
    for await (const item of chunks) entries.push(...readManifestChunk(item.body as Uint8Array));
    remember(this.manifests, importId, entries);
    return entries;
  }

  async listedVersions(entries: readonly ManifestEntry[]): Promise<FilingVersion[]> {
    const wanted = new Set(entries.map((e) => `${e.number}#${e.listedIn.importId}`));
    const found = (await this.pagesOf(entries.map((e) => ({ number: e.number, ...e.listedIn })))).filter((v) => wanted.has(`${v.number}#${v.importId}`));
    if (found.length !== entries.length) throw new Error(`${entries.length - found.length} versions a committed manifest points at are missing`);
    return found;
  }

  async latestVersion(number: string, notAfter: SnapshotRef): Promise<FilingVersion | undefined> {
    const newestFirst = this.query({
      KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
      ExpressionAttributeValues: {
        ":p": keys.rmdBlockPartition(blockOf(number)),
        ":lo": keys.rmdPagePrefix,
        ":hi": `${keys.rmdPagePrefix}${notAfter.asOf}#\uffff`,
      },
      ScanIndexForward: false,
      Limit: 8,
    });
    for await (const item of newestFirst) {
      const version = this.versionIn(item, number);
      if (version && (await this.isCommitted(version.importId))) return version;
    }
    return undefined;
  }

  async versionsOf(number: string, max: number): Promise<FilingVersion[]> {
    const out: FilingVersion[] = [];
    const oldestFirst = this.query({
      KeyConditionExpression: "pk = :p AND begins_with(sk, :v)",
      ExpressionAttributeValues: { ":p": keys.rmdBlockPartition(blockOf(number)), ":v": keys.rmdPagePrefix },
    });
    for await (const item of oldestFirst) {
      const version = this.versionIn(item, number);
      if (version && (await this.isCommitted(version.importId))) out.push(version);
      if (out.length >= max) break;
    }
    return out;
  }

  async removedWithFrn(frn: string): Promise<string[]> {
    const numbers: string[] = [];
    for await (const item of this.query({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": keys.rmdRemovedFrnPartition(frn) } }))
      numbers.push(item.number as string);
    return numbers;
  }

  async listChanges(importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>> {
    const listing = `rmd-changes#${importId}#${kind ?? ""}`;
    const prefix = kind ? `${kind}#` : "";
    const after = changesCursor(listing, prefix, page.cursor);
    const list = await this.changeList(importId);
    if (!list) return { items: [] };
    let i = after === undefined ? 0 : upperBound(list.keys, after);
    while (i < list.keys.length && !list.keys[i]!.startsWith(prefix)) i += 1;
    const taken: string[] = [];
    for (; i < list.keys.length && taken.length < page.limit && list.keys[i]!.startsWith(prefix); i++) taken.push(list.keys[i]!);
    const more = i < list.keys.length && list.keys[i]!.startsWith(prefix);
    const numbers = taken.map((k) => k.slice(k.indexOf("#") + 1));
    const byNumber = new Map(
      (await this.pagesOf(numbers.map((number) => ({ number, importId, asOf: list.asOf })))).filter((v) => v.importId === importId).map((v) => [v.number, v]),
    );
    const items = numbers.map((n) => {
      const v = byNumber.get(n);
      if (!v) throw new Error(`the version of ${n} that import ${importId} lists as changed is missing`);
      return v;
    });
    return { items, ...(more && { nextCursor: encodeCursor({ listing, after: taken.at(-1) })! }) };
  }

  async stage(imp: RmdImport, versions: FilingVersion[], manifest: ManifestEntry[], removedFrns: Array<{ frn: string; number: string }>): Promise<void> {
    await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.rmdImport(imp.id), entity: "rmd_import", ...imp },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
    await putAll(this.db, this.table, [
      ...versionPages(versions).map((p) => ({
        ...keys.rmdPage(p.block, p.asOf, p.importId, p.part),
        entity: "rmd_page",
        importId: p.importId,
        asOf: p.asOf,
        ...(p.part === 0 && { parts: p.parts }),
        body: p.body,
      })),
      ...changeListChunks(versions).map((body, n) => ({ ...keys.rmdChangeListChunk(imp.id, n), entity: "rmd_changes", asOf: imp.asOf, body })),
      ...removedFrns.map((r) => ({ ...keys.rmdRemovedFrn(r.frn, r.number), entity: "rmd_removed_frn", ...r })),
      ...manifestChunks(manifest).map((body, n) => ({ ...keys.rmdManifestChunk(imp.id, n), entity: "rmd_manifest", body })),
    ]);
  }

  async commit(imp: RmdImport, committedAt: string): Promise<boolean> {
    const moved = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.rmdHead, entity: "rmd_head", importId: imp.id, asOf: imp.asOf, committedAt },
          ...(imp.previousImportId
            ? { ConditionExpression: "importId = :previous", ExpressionAttributeValues: { ":previous": imp.previousImportId } }
            : { ConditionExpression: "attribute_not_exists(pk)" }),
        }),
      ),
    );
    // A retried write whose first attempt succeeded finds the head already moved, to this import.
    if (!moved && (await this.head())?.importId !== imp.id) return false;
    await this.markCommitted(imp, committedAt);
    return true;
  }

  async markCommitted(imp: RmdImport, committedAt: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.rmdImport(imp.id),
        UpdateExpression: "SET #s = :committed, committedAt = if_not_exists(committedAt, :at), gsi1pk = :list, gsi1sk = :sort",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":committed": "committed", ":at": committedAt, ":list": keys.rmdImports, ":sort": `${imp.asOf}#${imp.id}` },
      }),
    );
    this.committed.add(imp.id);
  }

  async abandon(imp: RmdImport, versions: FilingVersion[]): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.rmdImport(imp.id),
        UpdateExpression: "SET #s = :abandoned",
        ConditionExpression: "#s = :staged",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":abandoned": "abandoned", ":staged": "staged" },
      }),
    );
    // The removed-FRN references stay: they only point readers at a filing, whose versions decide.
    await deleteAll(this.db, this.table, [
      ...versionPages(versions).map((p) => keys.rmdPage(p.block, p.asOf, p.importId, p.part)),
      ...changeListChunks(versions).map((_, n) => keys.rmdChangeListChunk(imp.id, n)),
    ]);
    this.changeLists.delete(imp.id);
  }

  /** Every version in the pages holding these versions (each page once), parts included. */
  private async pagesOf(refs: ReadonlyArray<{ number: string; importId: string; asOf: string }>): Promise<FilingVersion[]> {
    const pages = new Map(refs.map((r) => [`${blockOf(r.number)}#${r.importId}`, { block: blockOf(r.number), asOf: r.asOf, importId: r.importId }]));
    const firsts = await getAll(
      this.db,
      this.table,
      [...pages.values()].map((p) => keys.rmdPage(p.block, p.asOf, p.importId, 0)),
    );
    const rest = firsts.flatMap((item) => {
      const page = pages.get(`${(item.pk as string).slice(keys.rmdBlockPartition("").length)}#${item.importId as string}`)!;
      return Array.from({ length: (item.parts as number) - 1 }, (_, n) => keys.rmdPage(page.block, page.asOf, page.importId, n + 1));
    });
    const items = rest.length > 0 ? [...firsts, ...(await getAll(this.db, this.table, rest))] : firsts;
    return items.flatMap((i) => readPage(i as { importId: string; asOf: string; body: Uint8Array }));
  }

  /** The version of `number` a page holds, if it holds one. */
  private versionIn(item: Record<string, unknown>, number: string): FilingVersion | undefined {
    return readPage(item as { importId: string; asOf: string; body: Uint8Array }).find((v) => v.number === number);
  }

  /** An import's change list, sorted; undefined when it wrote none (never staged, or abandoned). */
  private async changeList(importId: string): Promise<{ asOf: string; keys: string[] } | undefined> {
    const cached = this.changeLists.get(importId);
    if (cached) return cached;
    let asOf: string | undefined;
    const list: string[] = [];
    const chunks = this.query({
      KeyConditionExpression: "pk = :p AND begins_with(sk, :c)",
      ExpressionAttributeValues: { ":p": keys.rmdImport(importId).pk, ":c": keys.rmdChangeListPrefix },
    });
    for await (const item of chunks) {
      asOf = item.asOf as string;
      list.push(...readChangeListChunk(item.body as Uint8Array));
    }
    if (asOf === undefined) return undefined;
    const out = { asOf, keys: list };
    // A staged import's list goes if the import loses its commit.
    if (await this.isCommitted(importId)) remember(this.changeLists, importId, out);
    return out;
  }

  /** Every item a Query on the table matches, page after page, as they are needed. */
  private async *query(input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">): AsyncGenerator<Record<string, unknown>> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }));
      yield* out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * Committed: marked so, or the head (a crash can fall between moving the head and marking its
   * import; the next import repairs the mark before it moves the head again).
   */
  private async isCommitted(importId: string): Promise<boolean> {
    if (this.committed.has(importId)) return true;
    const imp = await this.getImport(importId);
    const yes = imp?.status === "committed" || (imp?.status === "staged" && (await this.head())?.importId === importId);
    if (yes) this.committed.add(importId);
    return yes;
  }
}

/** Keeps a few immutable reads (manifests, change lists), dropping the oldest. */
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  cache.set(key, value);
  if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
}

/** The first index of the sorted `list` whose key sorts after `key`. */
function upperBound(list: readonly string[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The change key a cursor of this listing continues after, checked as every cursor is (items.ts). */
function changesCursor(listing: string, prefix: string, cursor: string | undefined): string | undefined {
  return decodeCursor(cursor, {
    attributes: ["listing", "after"],
    partitionAttr: "listing",
    partitionValue: listing,
    sortAttr: "after",
    sortKeyFits: (k) => k.startsWith(prefix),
  })?.after;
}
