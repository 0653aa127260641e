/** The kinds of finding about a call and its STIR/SHAKEN signatures, and how serious each is (findings.ts makes them). */
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
