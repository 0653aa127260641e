/**
 * What a provider can answer to "which provider handed you this call?" (docs/domain.md), and what
 * each answer means for the traceback.
 */
export const ANSWER_TYPES = [
  "upstream_identified",
  "originator_identified",
  "foreign_point_of_entry",
  "no_record",
  "not_our_call",
  "insufficient_information",
  "refused",
] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

export const CUSTOMER_ACTIONS = ["warned", "suspended", "terminated", "none"] as const;
export type CustomerAction = (typeof CUSTOMER_ACTIONS)[number];

/** What the provider used to find the call in its records. Kept verbatim as evidence. */
export interface CallEvidence {
  ingressTrunk?: string;
  callTimeSeen?: string;
  sipCallId?: string;
  identityHeader?: string;
  notes?: string;
}

/** An upstream named by reference to a registered provider, or described when not registered yet. */
export type UpstreamRef =
  | { providerId: string }
  | { name: string; frn?: string; rmdNumber?: string; contact?: { name?: string; email?: string; phone?: string } };

export type HopAnswer =
  | { type: "upstream_identified"; upstream: UpstreamRef; evidence: CallEvidence }
  | {
      type: "originator_identified";
      customer: { name: string; accountReference?: string; contact?: { name?: string; email?: string; phone?: string } };
      actionTaken: CustomerAction;
      evidence: CallEvidence;
    }
  | { type: "foreign_point_of_entry"; foreignProvider: { name: string; country: string; contact?: string }; evidence: CallEvidence }
  | { type: "no_record"; windowSearched: { from: string; to: string }; evidence?: CallEvidence }
  | { type: "not_our_call"; explanation: string; evidence?: CallEvidence }
  | { type: "insufficient_information"; explanation: string }
  | { type: "refused"; reason: string };

export const OUTCOMES = ["originator_found", "point_of_entry_found", "non_responsive_provider", "no_record", "loop_detected", "closed"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcome a terminal answer leads to. `not_our_call` and `insufficient_information` stop the
 * chain as `no_record` (the provider cannot name an upstream); a refusal is non-cooperation and is
 * counted against the provider as `non_responsive_provider`.
 */
export function outcomeOfTerminalAnswer(type: Exclude<AnswerType, "upstream_identified">): Outcome {
  switch (type) {
    case "originator_identified":
      return "originator_found";
    case "foreign_point_of_entry":
      return "point_of_entry_found";
    case "no_record":
    case "not_our_call":
    case "insufficient_information":
      return "no_record";
    case "refused":
      return "non_responsive_provider";
  }
}
