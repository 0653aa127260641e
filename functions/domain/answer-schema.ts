/**
 * The answer a provider gives to a hop request, member by member and within its bounds: the one
 * statement of it, which the contract's `HopAnswer` is built from. Apart from `answer.ts` so that
 * what reads only the answer types and outcomes (the verifier, the console's lists) leaves zod out.
 */
import { z } from "zod";
import { CUSTOMER_ACTIONS } from "./answer.js";
import { timestampInput } from "./timestamp.js";

const text = (max: number) => z.string().min(1).max(max);
const looseContact = z.object({ name: text(200).optional(), email: z.string().email().max(320).optional(), phone: text(32).optional() }).strict();

/** What the provider used to find the call in its records. Kept verbatim as evidence. */
export const callEvidenceSchema = z
  .object({
    ingressTrunk: text(200).optional(),
    callTimeSeen: timestampInput.optional(),
    sipCallId: text(500).optional(),
    identityHeader: text(8192).optional(),
    notes: text(2000).optional(),
  })
  .strict();
export type CallEvidence = z.infer<typeof callEvidenceSchema>;

/** An upstream named by reference to a registered provider, or described when not registered yet. */
export const upstreamRefSchema = z.union([
  z.object({ providerId: text(64) }).strict(),
  z
    .object({
      name: text(200),
      frn: z
        .string()
        .regex(/^\d{10}$/)
        .optional(),
      rmdNumber: text(40).optional(),
      contact: looseContact.optional(),
    })
    .strict(),
]);
export type UpstreamRef = z.infer<typeof upstreamRefSchema>;

/** Each kind of answer on its own, for the contract to document member by member. */
export const upstreamIdentifiedAnswer = z
  .object({ type: z.literal("upstream_identified"), upstream: upstreamRefSchema, evidence: callEvidenceSchema })
  .strict();
export const originatorIdentifiedAnswer = z
  .object({
    type: z.literal("originator_identified"),
    customer: z.object({ name: text(200), accountReference: text(100).optional(), contact: looseContact.optional() }).strict(),
    actionTaken: z.enum(CUSTOMER_ACTIONS),
    evidence: callEvidenceSchema,
  })
  .strict();
export const foreignPointOfEntryAnswer = z
  .object({
    type: z.literal("foreign_point_of_entry"),
    foreignProvider: z.object({ name: text(200), country: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2"), contact: text(500).optional() }).strict(),
    evidence: callEvidenceSchema,
  })
  .strict();
export const noRecordAnswer = z
  .object({
    type: z.literal("no_record"),
    windowSearched: z.object({ from: timestampInput, to: timestampInput }).strict(),
    evidence: callEvidenceSchema.optional(),
  })
  .strict();
export const notOurCallAnswer = z.object({ type: z.literal("not_our_call"), explanation: text(2000), evidence: callEvidenceSchema.optional() }).strict();
export const insufficientInformationAnswer = z.object({ type: z.literal("insufficient_information"), explanation: text(2000) }).strict();
export const refusedAnswer = z.object({ type: z.literal("refused"), reason: text(2000) }).strict();

export const hopAnswerSchema = z.discriminatedUnion("type", [
  upstreamIdentifiedAnswer,
  originatorIdentifiedAnswer,
  foreignPointOfEntryAnswer,
  noRecordAnswer,
  notOurCallAnswer,
  insufficientInformationAnswer,
  refusedAnswer,
]);
export type HopAnswer = z.infer<typeof hopAnswerSchema>;
