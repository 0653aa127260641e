import { finding, type Finding } from "./findings.js";

export interface PathHop {
  providerId?: string;
  answerType?: string;
}

export interface PathFindingsInput {
  /** The registered provider holding the SPC of the verified signature, if any. */
  signerProviderId?: string;
  spc?: string;
  attest?: string;
  /** Hops in traceback order: the terminating provider first. */
  chain: PathHop[];
  /** What the signer said when asked directly about the call's origid. */
  signerInquiryAnswer?: { answerType: string; customer?: string };
  /** The provider (and its customer) the hop-by-hop chain ended on. */
  chainOriginator?: { providerId: string; customer?: string };
}

const CHAIN_END_ANSWERS = new Set(["originator_identified", "foreign_point_of_entry"]);
// Answers by which a provider says the call came to it from someone else.
const NOT_ORIGINATED_ANSWERS = new Set(["upstream_identified", "foreign_point_of_entry"]);

function sameCustomer(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().replace(/\s+/g, " ").toLowerCase();
  return norm(a) === norm(b);
}

function inquiryDisagreement(
  signer: string,
  answer: { answerType: string; customer?: string },
  originator: { providerId: string; customer?: string },
): string | undefined {
  const chainSaysSigner = originator.providerId === signer;
  if (answer.answerType === "originator_identified") {
    if (!chainSaysSigner) {
      return `signer ${signer} says it originated the call; the chain ends at ${originator.providerId}`;
    }
    if (answer.customer !== undefined && originator.customer !== undefined && !sameCustomer(answer.customer, originator.customer)) {
      return `signer ${signer} names customer "${answer.customer}" to the inquiry and "${originator.customer}" on the chain`;
    }
    return undefined;
  }
  if (chainSaysSigner) {
    return `the chain ends at signer ${signer} as originator, but its inquiry answer is ${answer.answerType}`;
  }
  return undefined;
}

/** Findings that relate a verified signature to the answers of the hop-by-hop chain. Pure. */
export function pathFindings(input: PathFindingsInput): Finding[] {
  const findings: Finding[] = [];
  const { signerProviderId: signer, spc, attest, chain } = input;

  if (spc !== undefined && signer === undefined) {
    findings.push(finding("spc_not_registered", "warning", `SPC ${spc} of the signing certificate belongs to no registered provider`));
  }
  if (signer === undefined) return findings;

  const signerPositions = chain.flatMap((hop, index) => (hop.providerId === signer ? [index] : []));
  const last = chain[chain.length - 1];
  const complete = last !== undefined && last.answerType !== undefined && CHAIN_END_ANSWERS.has(last.answerType);

  if (complete && signerPositions.length === 0) {
    findings.push(finding("signer_not_on_path", "critical", `signer ${signer} does not appear on the completed chain of ${chain.length} hops`));
  }

  const originatorIndex = chain.findIndex((hop) => hop.answerType === "originator_identified");
  const originator = originatorIndex >= 0 ? chain[originatorIndex] : undefined;
  if (originator !== undefined && originator.providerId !== signer && signerPositions.some((p) => p < originatorIndex)) {
    findings.push(
      finding(
        "signer_downstream_of_originator",
        "critical",
        `signer ${signer} is downstream of the originating provider ${originator.providerId ?? "(unnamed)"}`,
      ),
    );
  }

  if (attest === "A" || attest === "B") {
    const passedOn = signerPositions.map((p) => chain[p]?.answerType).find((answerType) => answerType !== undefined && NOT_ORIGINATED_ANSWERS.has(answerType));
    if (passedOn !== undefined) {
      findings.push(
        finding("attestation_inconsistent", "critical", `signer ${signer} attested ${attest} but answered ${passedOn}: it did not originate the call`),
      );
    }
  }

  if (input.signerInquiryAnswer !== undefined && input.chainOriginator !== undefined) {
    const detail = inquiryDisagreement(signer, input.signerInquiryAnswer, input.chainOriginator);
    if (detail !== undefined) findings.push(finding("signer_inquiry_disagrees", "warning", detail));
  }

  return findings;
}
