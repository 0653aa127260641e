/** The answer a provider gives to a hop request (docs/domain.md, "What a provider can answer"). */
import { z } from "@hono/zod-openapi";
import { CUSTOMER_ACTIONS, type HopAnswer } from "../../domain/answer.js";
import { Timestamp, type Holds, type SameType } from "./common.js";

const text = (max: number) => z.string().min(1).max(max);
const looseContact = z.object({ name: text(200).optional(), email: z.string().email().max(320).optional(), phone: text(32).optional() }).strict();

export const EvidenceSchema = z
  .object({
    ingressTrunk: text(200).optional(),
    callTimeSeen: Timestamp.optional(),
    sipCallId: text(500).optional(),
    identityHeader: text(8192).optional().openapi({ description: "The SIP Identity header received with the call, verbatim." }),
    notes: text(2000).optional(),
  })
  .strict()
  .openapi("CallEvidence", { example: { ingressTrunk: "TRUNK-7", callTimeSeen: "2024-06-03T16:00:01Z", sipCallId: "a84b4c76e66710@pc33.example" } });

const UpstreamSchema = z
  .union([
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
  ])
  .openapi("UpstreamRef", { description: "A registered provider by id, or an unregistered one by name and FRN/RMD number." });

export const AnswerSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("upstream_identified"), upstream: UpstreamSchema, evidence: EvidenceSchema }).strict(),
    z
      .object({
        type: z.literal("originator_identified"),
        customer: z.object({ name: text(200), accountReference: text(100).optional(), contact: looseContact.optional() }).strict(),
        actionTaken: z.enum(CUSTOMER_ACTIONS),
        evidence: EvidenceSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal("foreign_point_of_entry"),
        foreignProvider: z.object({ name: text(200), country: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2"), contact: text(500).optional() }).strict(),
        evidence: EvidenceSchema,
      })
      .strict(),
    z
      .object({ type: z.literal("no_record"), windowSearched: z.object({ from: Timestamp, to: Timestamp }).strict(), evidence: EvidenceSchema.optional() })
      .strict(),
    z.object({ type: z.literal("not_our_call"), explanation: text(2000), evidence: EvidenceSchema.optional() }).strict(),
    z.object({ type: z.literal("insufficient_information"), explanation: text(2000) }).strict(),
    z.object({ type: z.literal("refused"), reason: text(2000) }).strict(),
  ])
  .openapi("HopAnswer", {
    example: {
      type: "upstream_identified",
      upstream: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" },
      evidence: { ingressTrunk: "TRUNK-7", sipCallId: "a84b4c76e66710@pc33.example" },
    },
  });

/** The domain states the answer (it cannot import the contract): the schema accepts exactly that, or this does not compile. */
export type AnswerIsTheDomains = Holds<SameType<z.infer<typeof AnswerSchema>, HopAnswer>>;
