/**
 * What a provider can answer to "which provider handed you this call?" (docs/domain.md), and what
 * each answer means for the traceback. The answer itself is stated in answer-schema.ts.
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
