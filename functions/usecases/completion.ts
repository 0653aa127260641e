/**
 * What the follow-up that ends a traceback records with it: the KYC findings against the RMD as
 * of the call (kept beside the traceback), and the small record lists and scorecards read (on
 * the traceback, written by the same replacement that completes it: no write of its own).
 */
import { intelOf } from "../domain/intel/record.js";
import type { Traceback } from "../domain/traceback.js";
import { signatureVerdict } from "./findings.js";
import type { CoreDeps } from "./ports.js";
import { kycOf } from "./rmd-lookup.js";

export type CompletionDeps = Pick<CoreDeps, "tracebacks" | "rmd" | "accounts" | "clock">;

/** The completed traceback with its record; its KYC findings are stored first, so the record never points at nothing. */
export async function withCompletionRecord(deps: CompletionDeps, completed: Traceback): Promise<Traceback> {
  const chain = await deps.tracebacks.getChain(completed.id);
  const hops = (chain?.hops ?? []).map((h) => h.value);
  const kyc = await kycOf(deps, completed, hops);
  const recordedAt = completed.result?.decidedAt ?? deps.clock.now().toISOString();
  await deps.tracebacks.putKycRecord({ ...kyc, recordedAt });
  const signatureFindings = completed.signatures ? signatureVerdict(completed, hops).findings : [];
  return { ...completed, intel: intelOf(completed, hops, kyc, signatureFindings, recordedAt) };
}
