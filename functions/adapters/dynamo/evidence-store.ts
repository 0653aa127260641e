/** STIR/SHAKEN evidence: the consortium's trust anchors, certificates by hash, findings per provider. */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../domain/errors.js";
import type { EvidenceStore, Page, PageRequest, ProviderFinding, TrustAnchor } from "../../usecases/ports.js";
import { allPages, conditionally, queryPage } from "./items.js";
import { keys, TABLE } from "./keys.js";

export class DynamoEvidenceStore implements EvidenceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putTrustAnchor(anchor: TrustAnchor): Promise<void> {
    const written = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.trustAnchor(anchor.fingerprint), entity: "trust_anchor", gsi1pk: keys.trustAnchors, gsi1sk: anchor.fingerprint, ...anchor },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
    if (!written) throw new ConflictError("trust_anchor_exists", "this certificate is already a trust anchor");
  }

  async removeTrustAnchor(fingerprint: string): Promise<boolean> {
    return conditionally(
      this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.trustAnchor(fingerprint), ConditionExpression: "attribute_exists(pk)" })),
    );
  }

  listTrustAnchors(page: PageRequest): Promise<Page<TrustAnchor>> {
    return queryPage<TrustAnchor>(this.db, this.table, TABLE.indexes.byOwner, keys.trustAnchors, page, { ascending: true });
  }

  allTrustAnchors(): Promise<TrustAnchor[]> {
    return allPages((cursor) => this.listTrustAnchors({ limit: 100, ...(cursor && { cursor }) }));
  }

  /** Certificates are immutable: the first write of a hash wins and later ones change nothing. */
  async putCertificate(sha256: string, pem: string, at: string): Promise<void> {
    await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.certificate(sha256), entity: "certificate", sha256, pem, storedAt: at },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  async getCertificate(sha256: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.certificate(sha256) }));
    return out.Item?.pem as string | undefined;
  }

  async putFinding(f: ProviderFinding): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.finding(f.tracebackId, f.id),
          entity: "finding",
          gsi1pk: keys.findingsOf(f.providerId),
          gsi1sk: `${f.recordedAt}#${f.tracebackId}#${f.id}`,
          ...f,
        },
      }),
    );
  }

  listFindingsOf(providerId: string, page: PageRequest): Promise<Page<ProviderFinding>> {
    return queryPage<ProviderFinding>(this.db, this.table, TABLE.indexes.byOwner, keys.findingsOf(providerId), page);
  }
}
