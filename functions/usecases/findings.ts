/**
 * Findings of a traceback's signatures against its chain: computed from stored state when the
 * chain is read, and filed per provider when the traceback ends. No certificate work here, so the
 * functions that only move tracebacks along do not load the X.509 code.
 */
import { isInquirySeq } from "../domain/ids.js";
import { withIdentityIndex, type Finding } from "../domain/shaken/findings.js";
import { pathFindings } from "../domain/shaken/path-findings.js";
import type { Hop, Traceback } from "../domain/traceback.js";
import type { CoreDeps, ProviderFinding } from "./ports.js";

export interface SignatureVerdict {
  findings: Finding[];
  /** Which path named the originator first, when both did. */
  originatorFirstFoundBy?: "chain" | "signer_inquiry";
  /** Whether the signer inquiry and the chain name the same originator and customer. */
  pathsAgree?: boolean;
}

/** Every finding of a traceback: each signature's own, and those relating it to the answers. */
export function signatureVerdict(tb: Traceback, hops: Hop[]): SignatureVerdict {
  const chain = hops.filter((h) => !isInquirySeq(h.seq)).sort((a, b) => a.seq - b.seq);
  const inquiries = hops.filter((h) => isInquirySeq(h.seq));
  const originatorHop = chain.find((h) => h.answer?.type === "originator_identified");
  const chainOriginator = originatorHop?.providerId
    ? { providerId: originatorHop.providerId, ...(originatorHop.answer?.type === "originator_identified" && { customer: originatorHop.answer.customer.name }) }
    : undefined;
  const chainEnded = tb.status === "completed";
  const findings: Finding[] = [];
  let verdict: Omit<SignatureVerdict, "findings"> = {};
  for (const s of tb.signatures ?? []) {
    findings.push(...s.findings);
    const inquiry = inquiries.find((h) => h.inquiry?.identityIndex === s.identityIndex);
    const inquiryAnswer = inquiry?.answer
      ? { answerType: inquiry.answer.type, ...(inquiry.answer.type === "originator_identified" && { customer: inquiry.answer.customer.name }) }
      : undefined;
    const related = pathFindings({
      chain: chain.map((h) => ({ ...(h.providerId && { providerId: h.providerId }), ...(h.answer && { answerType: h.answer.type }) })),
      ...(s.signerProviderId && { signerProviderId: s.signerProviderId }),
      ...(s.spc && { spc: s.spc }),
      ...(s.attest && { attest: s.attest }),
      ...(inquiryAnswer && chainEnded && { signerInquiryAnswer: inquiryAnswer }),
      ...(chainOriginator && { chainOriginator }),
    });
    findings.push(...withIdentityIndex(related, s.identityIndex));
    if (inquiry?.answer?.type === "originator_identified" && originatorHop?.answeredAt && inquiry.answeredAt) {
      verdict = {
        originatorFirstFoundBy: inquiry.answeredAt < originatorHop.answeredAt ? "signer_inquiry" : "chain",
        pathsAgree: !related.some((f) => f.code === "signer_inquiry_disagrees"),
      };
    }
  }
  return { findings, ...verdict };
}

/**
 * Files a traceback's findings under the providers they concern (the signer, where known), so
 * they can be listed per provider. Deterministic ids: recording again overwrites the same items.
 * The findings about the call's numbers concern the call, not a provider on its path (a spoofed
 * number is chosen by the caller), and stay on the traceback. Returns the signatures' findings.
 */
export async function recordFindings(deps: Pick<CoreDeps, "tracebacks" | "evidence" | "clock">, tracebackId: string): Promise<Finding[]> {
  const chain = await deps.tracebacks.getChain(tracebackId);
  if (!chain) return [];
  const tb = chain.traceback.value;
  const { findings } = signatureVerdict(
    tb,
    chain.hops.map((h) => h.value),
  );
  const recordedAt = tb.result?.decidedAt ?? deps.clock.now().toISOString();
  await Promise.all(
    findings.map((f) => {
      const signer = tb.signatures?.find((s) => s.identityIndex === f.identityIndex)?.signerProviderId;
      if (!signer) return undefined;
      const finding: ProviderFinding = { ...f, id: `${f.identityIndex ?? 0}.${f.code}`, providerId: signer, tracebackId, recordedAt };
      return deps.evidence.putFinding(finding);
    }),
  );
  return findings;
}
