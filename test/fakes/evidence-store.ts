/** Trust anchors, certificates and findings in memory: the EvidenceStore contract. */
import { ConflictError } from "../../functions/domain/errors.js";
import type { Page, PageRequest } from "../../functions/usecases/ports.js";
import type { EvidenceStore, ProviderFinding, TrustAnchor } from "../../functions/usecases/ports.js";
import { copy, pageOf } from "./paging.js";

export class MemoryEvidenceStore implements EvidenceStore {
  private readonly anchors = new Map<string, TrustAnchor>();
  private readonly certificates = new Map<string, string>();
  private readonly findings = new Map<string, ProviderFinding>();

  async putTrustAnchor(anchor: TrustAnchor): Promise<void> {
    if (this.anchors.has(anchor.fingerprint)) throw new ConflictError("trust_anchor_exists", "this certificate is already a trust anchor");
    this.anchors.set(anchor.fingerprint, copy(anchor));
  }

  async removeTrustAnchor(fingerprint: string): Promise<boolean> {
    return this.anchors.delete(fingerprint);
  }

  async listTrustAnchors(page: PageRequest): Promise<Page<TrustAnchor>> {
    return pageOf(
      "anchors",
      [...this.anchors.values()].map((a) => ({ sk: a.fingerprint, value: a })),
      page,
      { ascending: true },
    );
  }

  async allTrustAnchors(): Promise<TrustAnchor[]> {
    return [...this.anchors.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1)).map(copy);
  }

  /** The first write of a hash wins. */
  async putCertificate(sha256: string, pem: string): Promise<void> {
    if (!this.certificates.has(sha256)) this.certificates.set(sha256, pem);
  }

  async getCertificate(sha256: string): Promise<string | undefined> {
    return this.certificates.get(sha256);
  }

  async putFinding(f: ProviderFinding): Promise<void> {
    this.findings.set(`${f.tracebackId}#${f.id}`, copy(f));
  }

  async listFindingsOf(providerId: string, page: PageRequest): Promise<Page<ProviderFinding>> {
    const rows = [...this.findings.values()]
      .filter((f) => f.providerId === providerId)
      .map((f) => ({ sk: `${f.recordedAt}#${f.tracebackId}#${f.id}`, value: f }));
    return pageOf(`findings#${providerId}`, rows, page);
  }
}
