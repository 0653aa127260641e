/** Ports of the STIR/SHAKEN evidence work. */
import type { Finding } from "../domain/shaken/findings.js";
import type { Page, PageRequest } from "./ports.js";

export interface TrustAnchor {
  fingerprint: string;
  pem: string;
  subject: string;
  notAfter: string;
  label?: string;
  addedAt: string;
  addedBy: string;
}

/** A finding filed under the provider it concerns, so the consortium can list them per provider. */
export interface ProviderFinding extends Finding {
  id: string;
  providerId: string;
  tracebackId: string;
  recordedAt: string;
}

export interface EvidenceStore {
  putTrustAnchor(anchor: TrustAnchor): Promise<void>;
  removeTrustAnchor(fingerprint: string): Promise<boolean>;
  listTrustAnchors(page: PageRequest): Promise<Page<TrustAnchor>>;
  allTrustAnchors(): Promise<TrustAnchor[]>;
  putCertificate(sha256: string, pem: string, at: string): Promise<void>;
  getCertificate(sha256: string): Promise<string | undefined>;
  putFinding(f: ProviderFinding): Promise<void>;
  listFindingsOf(providerId: string, page: PageRequest): Promise<Page<ProviderFinding>>;
}

/** Fetches a certificate from its x5u URL under the SSRF rules; undefined when it cannot. */
export type CertificateSource = (x5u: string) => Promise<Uint8Array | undefined>;
