export const FINDING_CODES = [
  "malformed_identity",
  "unsupported_alg",
  "certificate_unavailable",
  "invalid_signature",
  "untrusted_chain",
  "certificate_expired",
  "missing_tnauthlist",
  "info_x5u_mismatch",
  "stale_iat",
  "calling_number_mismatch",
  "called_number_mismatch",
  "spc_not_registered",
  "signer_not_on_path",
  "signer_downstream_of_originator",
  "attestation_inconsistent",
  "signer_inquiry_disagrees",
  // About the call's numbers, whether or not it was signed (domain/phone.ts).
  "invalid_calling_number",
  "unallocated_number",
  "neighbor_spoofing",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type FindingSeverity = "info" | "warning" | "critical";

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  detail: string;
  /** Position of the Identity header among those the call carried, when there were several. */
  identityIndex?: number;
}

export function finding(code: FindingCode, severity: FindingSeverity, detail: string): Finding {
  return { code, severity, detail };
}

export function hasFinding(findings: readonly Finding[], code: FindingCode): boolean {
  return findings.some((f) => f.code === code);
}

export function withIdentityIndex(findings: readonly Finding[], identityIndex: number): Finding[] {
  return findings.map((f) => ({ ...f, identityIndex }));
}
