/**
 * STIR/SHAKEN evidence for a traceback: each Identity header is verified as of the call (not
 * now), its certificate kept by hash, every problem recorded as a finding; verified signers who
 * are registered providers get a signer inquiry; and the chain's answers are checked against
 * what the signatures claim.
 */
import { createHash } from "node:crypto";
import type { X509Certificate } from "@peculiar/x509";
import type { Principal } from "../domain/account.js";
import { ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import { withIdentityIndex } from "../domain/shaken/findings.js";
import type { CallDetails, SignatureAnalysis } from "../domain/traceback.js";
import type { CoreDeps, Page, PageRequest, ProviderFinding, TrustAnchor } from "./ports.js";

const x509 = () => import("./shaken-x509.js");

/** How far `iat` may be from the call time before it counts as stale. */
export const IAT_TOLERANCE_SECONDS = 60;

export interface SuppliedCertificate {
  url: string;
  pem: string;
}

export async function analyseSignatures(
  deps: Pick<CoreDeps, "accounts" | "evidence" | "fetchCertificate" | "clock">,
  call: CallDetails,
  headers: string[],
  supplied: SuppliedCertificate[] = [],
): Promise<SignatureAnalysis[]> {
  if (headers.length === 0) return [];
  const { X509Certificate, verifyIdentity } = await x509();
  const anchors = (await deps.evidence.allTrustAnchors()).map((a) => new X509Certificate(a.pem));
  const byUrl = new Map(supplied.map((c) => [c.url, new TextEncoder().encode(c.pem)]));
  const getCertificate = async (x5u: string) => byUrl.get(x5u) ?? (await deps.fetchCertificate(x5u));
  return Promise.all(
    headers.map(async (raw, identityIndex) => {
      const v = await verifyIdentity(raw, {
        callTime: new Date(call.callTimeUtc),
        callingNumber: call.callingNumber,
        calledNumber: call.calledNumber,
        iatToleranceSeconds: IAT_TOLERANCE_SECONDS,
        trustAnchors: anchors,
        getCertificate,
      });
      if (v.certificateSha256 && v.certificatePem) await deps.evidence.putCertificate(v.certificateSha256, v.certificatePem, deps.clock.now().toISOString());
      const signerProviderId = v.spc ? await deps.accounts.accountIdBySpc(v.spc) : undefined;
      return {
        identityIndex,
        signatureValid: v.signatureValid,
        chainValid: v.chainValid,
        findings: withIdentityIndex(v.findings, identityIndex),
        ...(v.spc !== undefined && { spc: v.spc }),
        ...(signerProviderId !== undefined && { signerProviderId }),
        ...(v.attest !== undefined && { attest: v.attest }),
        ...(v.origid !== undefined && { origid: v.origid }),
        ...(v.iat !== undefined && { iat: v.iat }),
        ...(v.x5u !== undefined && { x5u: v.x5u }),
        ...(v.certificateSha256 !== undefined && { certificateSha256: v.certificateSha256 }),
      };
    }),
  );
}

export async function listProviderFindings(deps: CoreDeps, p: Principal, providerId: string, page: PageRequest): Promise<Page<ProviderFinding>> {
  if (p.kind !== "consortium" && p.accountId !== providerId) throw new NotFoundError(`provider ${providerId} not found`);
  return deps.evidence.listFindingsOf(providerId, page);
}

export async function addTrustAnchor(deps: CoreDeps, p: Principal, pem: string, label?: string): Promise<TrustAnchor> {
  if (p.kind !== "consortium") throw new ForbiddenError("only the consortium manages the trust store");
  const { X509Certificate } = await x509();
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new RuleViolationError("invalid_certificate", "not a PEM X.509 certificate", "/pem");
  }
  const anchor: TrustAnchor = {
    fingerprint: createHash("sha256").update(new Uint8Array(cert.rawData)).digest("hex"),
    pem: cert.toString("pem"),
    subject: cert.subject,
    notAfter: cert.notAfter.toISOString(),
    addedAt: deps.clock.now().toISOString(),
    addedBy: p.accountId,
    ...(label !== undefined && { label }),
  };
  await deps.evidence.putTrustAnchor(anchor);
  return anchor;
}

export async function listTrustAnchors(deps: CoreDeps, p: Principal, page: PageRequest): Promise<Page<TrustAnchor>> {
  if (p.kind !== "consortium") throw new ForbiddenError("only the consortium manages the trust store");
  return deps.evidence.listTrustAnchors(page);
}

export async function removeTrustAnchor(deps: CoreDeps, p: Principal, fingerprint: string): Promise<void> {
  if (p.kind !== "consortium") throw new ForbiddenError("only the consortium manages the trust store");
  if (!(await deps.evidence.removeTrustAnchor(fingerprint))) throw new NotFoundError(`trust anchor ${fingerprint} not found`);
}
