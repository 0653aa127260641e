import { z } from "@hono/zod-openapi";
import { OUTCOMES } from "../../domain/answer.js";
import { TRACEBACK_STATUSES } from "../../domain/traceback.js";
import { campaignDecisionSchema, campaignRecordSchema } from "../../usecases/campaign-ports.js";

const SIGNALS = ["transcript", "calling_number", "number_block", "signer_origid", "signer_certificate", "originator_customer", "analyst"] as const;

const LinkSignalSchema = z
  .object({
    signal: z.enum(SIGNALS),
    value: z.string().optional().openapi({
      description:
        "The value shared: a number, a thousand-block, `SPC origid`, a certificate hash, `provider customer`; for `analyst`, the campaign it was moved from.",
    }),
    similarity: z.number().optional().openapi({ description: "For `transcript`: the Jaccard similarity of the two transcripts' shingles." }),
  })
  .openapi("CampaignLinkSignal");

const decision = campaignDecisionSchema.shape;
const DecisionSchema = z.object({ ...decision, by: decision.by.meta({ description: "The consortium account, or `clustering`." }) });

const CAMPAIGN_EXAMPLE = {
  id: "cmp_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  name: "Vehicle warranty, autumn 2025",
  decided: true,
  createdAt: "2025-09-01T13:05:00.000Z",
  calls: 41,
  decisions: [{ kind: "rename" as const, at: "2025-09-03T10:00:00.000Z", by: "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5", detail: "Vehicle warranty, autumn 2025" }],
};

const campaign = campaignRecordSchema.shape;
export const CampaignSchema = z
  .object({
    ...campaign,
    decided: campaign.decided.meta({
      description:
        "An analyst confirmed, renamed, split or merged it: the clustering never folds it into another, nor another into it, and never moves its calls.",
    }),
    calls: campaign.calls.meta({ description: "Calls placed in it directly; those of campaigns merged into it count there." }),
    mergedInto: campaign.mergedInto.meta({ description: "It was merged into this campaign, which speaks for it from then on." }),
    absorbed: campaign.absorbed.meta({ description: "Campaigns merged into it." }),
    decisions: z.array(DecisionSchema),
  })
  .openapi("Campaign", { example: CAMPAIGN_EXAMPLE });

const counted = (key: string, extra: Record<string, z.ZodTypeAny> = {}) => z.object({ [key]: z.string(), ...extra, tracebacks: z.number().int() });

export const CampaignViewSchema = z
  .object({
    campaign: CampaignSchema,
    requestedId: z.string().optional().openapi({ description: "Present when the campaign asked for was merged into this one." }),
    tracebacks: z.number().int(),
    reasons: z
      .array(z.object({ signal: z.enum(SIGNALS), links: z.number().int(), values: z.array(z.string()).optional() }))
      .openapi({ description: "Which signals placed its calls, how often, and the values most shared." }),
    originators: z
      .array(z.object({ providerId: z.string(), customer: z.string(), tracebacks: z.number().int() }))
      .openapi({ description: "Originating providers and the customers they named." }),
    providers: z.array(counted("providerId")).openapi({ description: "Providers that carried it: on the path of how many of its tracebacks." }),
    pointsOfEntry: z.array(counted("providerId")),
    signers: z.array(
      z.object({ spc: z.string().optional(), certificateSha256: z.string().optional(), signerProviderId: z.string().optional(), calls: z.number().int() }),
    ),
    callingNumbers: z.array(z.object({ number: z.string(), calls: z.number().int() })).openapi({ description: "The 20 calling numbers it used most." }),
    perDay: z.array(z.object({ day: z.string(), calls: z.number().int() })).openapi({ description: "Calls per day (UTC) of the call time." }),
    outcomes: z.array(z.object({ outcome: z.enum(OUTCOMES), tracebacks: z.number().int() })),
    members: z
      .array(
        z.object({
          campaignId: z.string().openapi({ description: "The campaign it was placed in (one merged into this one, or this one)." }),
          tracebackId: z.string(),
          callTime: z.string(),
          signals: z.array(LinkSignalSchema).openapi({ description: "Why it is in: the signals it shares with `linkedTo`." }),
          linkedTo: z.string().optional(),
          assignedBy: z.string().openapi({ description: "`clustering`, or the consortium account that moved it." }),
          assignedAt: z.string(),
          callingNumber: z.string().optional(),
          status: z.enum(TRACEBACK_STATUSES).optional(),
          outcome: z.enum(OUTCOMES).optional(),
        }),
      )
      .openapi({ description: "Its tracebacks by call time, with why each is in it." }),
    truncated: z.boolean().optional().openapi({ description: "It holds more than 2,000 calls: the figures cover the first 2,000 by call time." }),
  })
  .openapi("CampaignView", {
    example: {
      campaign: CAMPAIGN_EXAMPLE,
      tracebacks: 2,
      reasons: [
        { signal: "transcript", links: 1 },
        { signal: "number_block", links: 1, values: ["3055550"] },
      ],
      originators: [{ providerId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0", customer: "Example Dialer LLC", tracebacks: 1 }],
      providers: [{ providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", tracebacks: 2 }],
      pointsOfEntry: [],
      signers: [{ spc: "123A", calls: 2 }],
      callingNumbers: [
        { number: "+13055550123", calls: 1 },
        { number: "+13055550188", calls: 1 },
      ],
      perDay: [{ day: "2025-09-01", calls: 2 }],
      outcomes: [{ outcome: "originator_found", tracebacks: 1 }],
      members: [
        {
          campaignId: "cmp_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
          tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
          callTime: "2025-09-01T13:00:00.000Z",
          signals: [
            { signal: "transcript", similarity: 0.62 },
            { signal: "number_block", value: "3055550" },
          ],
          linkedTo: "tb_01JD5ZQ8A1B2C3D4E5F6G7H8J9",
          assignedBy: "clustering",
          assignedAt: "2025-09-01T13:05:00.000Z",
        },
      ],
    },
  });

export const RenameCampaignSchema = z
  .object({ name: z.string().min(1).max(200) })
  .strict()
  .openapi("RenameCampaign", { example: { name: "Vehicle warranty, autumn 2025" } });

export const SplitCampaignSchema = z
  .object({
    tracebackIds: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(500)
      .openapi({ description: "The tracebacks to move into a new campaign; at least one must stay." }),
    name: z.string().min(1).max(200).optional(),
  })
  .strict()
  .openapi("SplitCampaign", { example: { tracebackIds: ["tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9"], name: "Warranty, Spanish script" } });

export const MergeCampaignsSchema = z
  .object({ campaignIds: z.array(z.string().min(1).max(64)).min(1).max(50).openapi({ description: "The campaigns to merge into this one." }) })
  .strict()
  .openapi("MergeCampaigns", { example: { campaignIds: ["cmp_01JD5ZQ8A1B2C3D4E5F6G7H8J9"] } });
