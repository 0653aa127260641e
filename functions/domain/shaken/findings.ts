import { z } from "zod";

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

export const FINDING_SEVERITIES = ["info", "warning", "critical"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** What a check of the call or its signatures found: the contract's `Finding` is built from it. */
export const findingSchema = z.object({
  code: z.enum(FINDING_CODES),
  severity: z.enum(FINDING_SEVERITIES),
  detail: z.string(),
  /** Position of the Identity header among those the call carried, when there were several. */
  identityIndex: z.number().int().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export function finding(code: FindingCode, severity: FindingSeverity, detail: string): Finding {
  return { code, severity, detail };
}

export function hasFinding(findings: readonly Finding[], code: FindingCode): boolean {
  return findings.some((f) => f.code === code);
}

export function withIdentityIndex(findings: readonly Finding[], identityIndex: number): Finding[] {
  return findings.map((f) => ({ ...f, identityIndex }));
}
