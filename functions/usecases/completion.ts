/**
 * What the follow-up that ends a traceback records with it: the KYC findings against the RMD as
 * of the call (kept beside the traceback), and the small record lists and scorecards read (on
 * the traceback, written by the same replacement that completes it: no write of its own).
 */
import { intelOf } from "../domain/intel/record.js";
import type { Traceback } from "../domain/traceback.js";
import { signatureVerdict } from "./findings.js";
import type { CoreDeps, KycRecord } from "./ports.js";
import { kycOf } from "./rmd-lookup.js";

export type CompletionDeps = Pick<CoreDeps, "tracebacks" | "rmd" | "accounts" | "clock">;

/**
 * The completed traceback with its record, and the KYC record stored beside it: stored first, so
 * the record never points at nothing. The follow-up logs the KYC findings with the outcome.
 */
export async function withCompletionRecord(deps: CompletionDeps, completed: Traceback): Promise<{ traceback: Traceback; record: KycRecord }> {
  const chain = await deps.tracebacks.getChain(completed.id);
  const hops = (chain?.hops ?? []).map((h) => h.value);
  const kyc = await kycOf(deps, completed, hops);
  const recordedAt = completed.result?.decidedAt ?? deps.clock.now().toISOString();
  const record: KycRecord = { ...kyc, recordedAt };
  await deps.tracebacks.putKycRecord(record);
  const signatureFindings = completed.signatures ? signatureVerdict(completed, hops).findings : [];
  return { traceback: { ...completed, intel: intelOf(completed, hops, kyc, signatureFindings, recordedAt) }, record };
}
