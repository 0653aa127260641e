/**
 * RMD snapshots without transactions. An import writes everything under keys of its own
 * (its versions, manifest, FRN references), all invisible, then one conditional write moves the
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
import { conditionally, queryPage, stripKeys } from "./items.js";
import { keys, TABLE } from "./keys.js";

/** Characters of manifest per item: well under DynamoDB's 400 KB item limit. */
const MANIFEST_CHUNK_CHARS = 300_000;
const MANIFESTS_CACHED = 2;

/** A manifest item: the snapshots its entries point at, and each entry with the index of its snapshot. */
interface EncodedChunk {
  listedIn: Array<[string, string]>;
  entries: Array<[string, string, string, string, number]>;
}

export class DynamoRmdStore implements RmdStore {
  /** Imports known to be committed; commitment is final, so a positive answer is kept. */
  private readonly committed = new Set<string>();
  /** Manifests never change once written. */
  private readonly manifests = new Map<string, ManifestEntry[]>();

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
    for await (const item of chunks) entries.push(...decodeChunk(item.entries as string));
    this.manifests.set(importId, entries);
    if (this.manifests.size > MANIFESTS_CACHED) this.manifests.delete(this.manifests.keys().next().value!);
    return entries;
  }

  async listedVersions(entries: readonly ManifestEntry[]): Promise<FilingVersion[]> {
    const items = await getAll(
      this.db,
      this.table,
      entries.map((e) => keys.rmdVersion(e.number, e.listedIn.asOf, e.listedIn.importId)),
    );
    if (items.length !== entries.length) throw new Error(`${entries.length - items.length} versions a committed manifest points at are missing`);
    return items.map((i) => stripKeys<FilingVersion>(i));
  }

  async latestVersion(number: string, notAfter: SnapshotRef): Promise<FilingVersion | undefined> {
    const newestFirst = this.query({
      KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
      ExpressionAttributeValues: {
        ":p": keys.rmdFilingPartition(number),
        ":lo": keys.rmdVersionPrefix,
        ":hi": `${keys.rmdVersionPrefix}${notAfter.asOf}#\uffff`,
      },
      ScanIndexForward: false,
      Limit: 4,
    });
    for await (const item of newestFirst) {
      const version = stripKeys<FilingVersion>(item);
      if (await this.isCommitted(version.importId)) return version;
    }
    return undefined;
  }

  async versionsOf(number: string, max: number): Promise<FilingVersion[]> {
    const out: FilingVersion[] = [];
    const oldestFirst = this.query({
      KeyConditionExpression: "pk = :p AND begins_with(sk, :v)",
      ExpressionAttributeValues: { ":p": keys.rmdFilingPartition(number), ":v": keys.rmdVersionPrefix },
    });
    for await (const item of oldestFirst) {
      const version = stripKeys<FilingVersion>(item);
      if (await this.isCommitted(version.importId)) out.push(version);
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

  listChanges(importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>> {
    return queryPage<FilingVersion>(this.db, this.table, TABLE.indexes.byOwner, keys.rmdChangesOf(importId), page, {
      ascending: true,
      ...(kind && { sortKeyPrefix: `${kind}#` }),
    });
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
      ...versions.map((v) => ({
        ...keys.rmdVersion(v.number, v.asOf, v.importId),
        entity: "rmd_version",
        gsi1pk: keys.rmdChangesOf(v.importId),
        gsi1sk: `${v.change}#${v.number}`,
        ...v,
      })),
      ...removedFrns.map((r) => ({ ...keys.rmdRemovedFrn(r.frn, r.number), entity: "rmd_removed_frn", ...r })),
      ...manifestChunks(manifest).map((entries, n) => ({ ...keys.rmdManifestChunk(imp.id, n), entity: "rmd_manifest", entries })),
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
    await deleteAll(
      this.db,
      this.table,
      versions.map((v) => keys.rmdVersion(v.number, v.asOf, v.importId)),
    );
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

function manifestChunks(manifest: ManifestEntry[]): string[] {
  const chunks: string[] = [];
  let current: EncodedChunk = { listedIn: [], entries: [] };
  let refs = new Map<string, number>();
  let size = 0;
  const flush = () => {
    chunks.push(JSON.stringify(current));
    current = { listedIn: [], entries: [] };
    refs = new Map();
    size = 0;
  };
  for (const e of manifest) {
    if (size > MANIFEST_CHUNK_CHARS) flush();
    let ref = refs.get(e.listedIn.importId);
    if (ref === undefined) {
      ref = current.listedIn.push([e.listedIn.importId, e.listedIn.asOf]) - 1;
      refs.set(e.listedIn.importId, ref);
      size += 64;
    }
    const encoded: EncodedChunk["entries"][number] = [e.number, e.digest, e.frns.join(" "), e.nameKeys.join("|"), ref];
    current.entries.push(encoded);
    size += JSON.stringify(encoded).length + 1;
  }
  if (current.entries.length > 0 || chunks.length === 0) flush();
  return chunks;
}

function decodeChunk(text: string): ManifestEntry[] {
  const chunk = JSON.parse(text) as EncodedChunk;
  const listedIn = chunk.listedIn.map(([importId, asOf]) => ({ importId, asOf }));
  return chunk.entries.map(([number, digest, frns, names, ref]) => ({
    number,
    digest,
    frns: frns ? frns.split(" ") : [],
    nameKeys: names ? names.split("|") : [],
    listedIn: listedIn[ref]!,
  }));
}
