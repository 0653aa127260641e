/**
 * The answer a provider gives to a hop request (docs/domain.md, "What a provider can answer"): the
 * domain's `hopAnswerSchema`, member by member, with its documentation. The domain's schemas are
 * plain zod, so they carry it by zod's own `.meta()` (see `EventSchema`); each kind of answer takes
 * the documented evidence and upstream in place of the domain's, so that they stay components.
 */
import { z } from "@hono/zod-openapi";
import {
  callEvidenceSchema,
  foreignPointOfEntryAnswer,
  insufficientInformationAnswer,
  noRecordAnswer,
  notOurCallAnswer,
  originatorIdentifiedAnswer,
  refusedAnswer,
  upstreamIdentifiedAnswer,
  upstreamRefSchema,
} from "../../domain/answer-schema.js";
import { Timestamp } from "./common.js";

export const EvidenceSchema = callEvidenceSchema
  .extend({
    callTimeSeen: Timestamp.optional(),
    identityHeader: callEvidenceSchema.shape.identityHeader.meta({ description: "The SIP Identity header received with the call, verbatim." }),
  })
  .meta({ id: "CallEvidence", example: { ingressTrunk: "TRUNK-7", callTimeSeen: "2024-06-03T16:00:01Z", sipCallId: "a84b4c76e66710@pc33.example" } });

const UpstreamSchema = upstreamRefSchema.meta({
  id: "UpstreamRef",
  description: "A registered provider by id, or an unregistered one by name and FRN/RMD number.",
});

export const AnswerSchema = z
  .discriminatedUnion("type", [
    upstreamIdentifiedAnswer.extend({ upstream: UpstreamSchema, evidence: EvidenceSchema }),
    originatorIdentifiedAnswer.extend({ evidence: EvidenceSchema }),
    foreignPointOfEntryAnswer.extend({ evidence: EvidenceSchema }),
    noRecordAnswer.extend({
      windowSearched: noRecordAnswer.shape.windowSearched.extend({ from: Timestamp, to: Timestamp }),
      evidence: EvidenceSchema.optional(),
    }),
    notOurCallAnswer.extend({ evidence: EvidenceSchema.optional() }),
    insufficientInformationAnswer,
    refusedAnswer,
  ])
  .openapi("HopAnswer", {
    example: {
      type: "upstream_identified",
      upstream: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" },
      evidence: { ingressTrunk: "TRUNK-7", sipCallId: "a84b4c76e66710@pc33.example" },
    },
  });
