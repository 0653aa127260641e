/**
 * RMD snapshots without transactions. An import writes everything under keys of its own
 * (its versions, manifest, FRN references), all invisible, then one conditional write moves the
 * head from the snapshot it was diffed against to itself: readers see the whole import or none
 * of it, and of two imports diffed against the same snapshot only one can commit. Readers skip
 * versions of imports that never committed, so a crash mid-import leaves nothing visible.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ManifestEntry } from "../../domain/rmd/snapshot.js";
import type { ChangeKind, FilingVersion, SnapshotRef } from "../../domain/rmd/standing.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import type { RmdHead, RmdImport, RmdStore } from "../../usecases/rmd-ports.js";
import { deleteAll, putAll } from "./batch.js";
import { isConditionFailure, queryPage, stripKeys } from "./items.js";
import { keys, TABLE } from "./keys.js";

/** Characters of manifest per item: well under DynamoDB's 400 KB item limit. */
const MANIFEST_CHUNK_CHARS = 300_000;
const MANIFESTS_CACHED = 2;

type EncodedEntry = [string, string, string, string];

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
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :p AND begins_with(sk, :m)",
          ExpressionAttributeValues: { ":p": keys.rmdImport(importId).pk, ":m": keys.rmdManifestPrefix },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) entries.push(...(JSON.parse(item.entries as string) as EncodedEntry[]).map(decodeEntry));
      start = out.LastEvaluatedKey;
    } while (start);
    this.manifests.set(importId, entries);
    if (this.manifests.size > MANIFESTS_CACHED) this.manifests.delete(this.manifests.keys().next().value!);
    return entries;
  }

  async latestVersion(number: string, notAfter: SnapshotRef): Promise<FilingVersion | undefined> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
          ExpressionAttributeValues: { ":p": keys.rmdFilingPartition(number), ":lo": keys.rmdVersionPrefix, ":hi": `${keys.rmdVersionPrefix}${notAfter.asOf}#\uffff` },
          ScanIndexForward: false,
          Limit: 4,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const version = stripKeys<FilingVersion>(item);
        if (await this.isCommitted(version.importId)) return version;
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  async numbersWithFrn(frn: string): Promise<string[]> {
    const numbers: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": keys.rmdFrnPartition(frn) }, ExclusiveStartKey: start }),
      );
      numbers.push(...(out.Items ?? []).map((i) => i.number as string));
      start = out.LastEvaluatedKey;
    } while (start);
    return numbers;
  }

  listChanges(importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>> {
    return queryPage<FilingVersion>(this.db, this.table, TABLE.indexes.byOwner, keys.rmdChangesOf(importId), page, { ascending: true, ...(kind && { sortKeyPrefix: `${kind}#` }) });
  }

  async stage(imp: RmdImport, versions: FilingVersion[], manifest: ManifestEntry[], frnRefs: Array<{ frn: string; number: string }>): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.rmdImport(imp.id), entity: "rmd_import", ...imp }, ConditionExpression: "attribute_not_exists(pk)" }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    await putAll(this.db, this.table, [
      ...versions.map((v) => ({ ...keys.rmdVersion(v.number, v.asOf, v.importId), entity: "rmd_version", gsi1pk: keys.rmdChangesOf(v.importId), gsi1sk: `${v.change}#${v.number}`, ...v })),
      ...frnRefs.map((r) => ({ ...keys.rmdFrnRef(r.frn, r.number), entity: "rmd_frn", ...r })),
      ...manifestChunks(manifest).map((entries, n) => ({ ...keys.rmdManifestChunk(imp.id, n), entity: "rmd_manifest", entries })),
    ]);
  }

  async commit(imp: RmdImport, committedAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.rmdHead, entity: "rmd_head", importId: imp.id, asOf: imp.asOf, committedAt },
          ...(imp.previousImportId
            ? { ConditionExpression: "importId = :previous", ExpressionAttributeValues: { ":previous": imp.previousImportId } }
            : { ConditionExpression: "attribute_not_exists(pk)" }),
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // A retried write whose first attempt succeeded finds the head already moved, to this import.
      if ((await this.head())?.importId !== imp.id) return false;
    }
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
    // The FRN references stay: they only say a filing once listed an FRN, and readers check the filing itself.
    await deleteAll(this.db, this.table, versions.map((v) => keys.rmdVersion(v.number, v.asOf, v.importId)));
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
  let current: EncodedEntry[] = [];
  let size = 0;
  for (const e of manifest) {
    const encoded: EncodedEntry = [e.number, e.digest, e.frns.join(" "), e.nameKeys.join("|")];
    const length = JSON.stringify(encoded).length + 1;
    if (size + length > MANIFEST_CHUNK_CHARS && current.length > 0) {
      chunks.push(JSON.stringify(current));
      current = [];
      size = 0;
    }
    current.push(encoded);
    size += length;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(JSON.stringify(current));
  return chunks;
}

function decodeEntry([number, digest, frns, names]: EncodedEntry): ManifestEntry {
  return { number, digest, frns: frns ? frns.split(" ") : [], nameKeys: names ? names.split("|") : [] };
}
