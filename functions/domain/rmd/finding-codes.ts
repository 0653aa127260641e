/** The kinds of know-your-upstream finding against the RMD (findings.ts says when each is made). */
export const RMD_FINDING_CODES = [
  "rmd_no_snapshot",
  "upstream_not_in_rmd",
  "upstream_removed_from_rmd",
  "upstream_rmd_unverifiable",
  "accepted_from_unlisted_upstream",
  "gateway_not_filed_as_gateway",
  "signed_a_without_shaken",
  "registered_rmd_mismatch",
  "registered_rmd_unverifiable",
] as const;

export type RmdFindingCode = (typeof RMD_FINDING_CODES)[number];
