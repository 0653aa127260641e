/**
 * A finding as kept and shown. Apart from the helpers in findings.ts, which the X.509 checks use:
 * those load lazily (usecases/shaken-x509.ts), and zod loaded with them would be bundled for lazy
 * loading too, its translations with it.
 */
import { z } from "zod";
import { FINDING_CODES, FINDING_SEVERITIES } from "./finding-codes.js";

/** What a check of the call or its signatures found: the contract's `Finding` is built from it. */
export const findingSchema = z.object({
  code: z.enum(FINDING_CODES),
  severity: z.enum(FINDING_SEVERITIES),
  detail: z.string(),
  /** Position of the Identity header among those the call carried, when there were several. */
  identityIndex: z.number().int().optional(),
});
export type Finding = z.infer<typeof findingSchema>;
