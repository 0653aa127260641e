import { z } from "@hono/zod-openapi";
import { OUTCOMES } from "../../domain/answer.js";
import { FINDING_KINDS } from "../../domain/intel/intel.js";
import { repeatCustomerSchema } from "../../domain/intel/offenders.js";
import { Timestamp } from "./common.js";
import { RmdMatchSchema } from "./rmd.js";
import { ResponsivenessSchema } from "./tracebacks.js";

const customer = repeatCustomerSchema.shape;

const Counts = ResponsivenessSchema.omit({ providerId: true, from: true, to: true });

export const RepeatCustomerSchema = z
  .object({
    ...customer,
    names: customer.names.meta({ description: "The names it was given, as written." }),
    keys: customer.keys.meta({ description: "Its normalised keys; answers sharing any one name the same customer." }),
    providerIds: customer.providerIds.meta({ description: "The originating providers that named it." }),
  })
  .openapi("RepeatCustomer", {
    example: {
      names: ["APEX OUTREACH 7, L.L.C.", "Apex Outreach 7 LLC"],
      keys: ["name:apex outreach 7"],
      tracebackIds: ["tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", "tb_01JD5ZQ8A1B2C3D4E5F6G7H8J9"],
      providerIds: ["acc_01JD5ZS1B2C3D4E5F6G7H8J9K0"],
      campaignIds: ["cmp_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9"],
      firstCallAt: "2025-09-01T13:00:00.000Z",
      lastCallAt: "2025-09-04T15:00:00.000Z",
      flags: ["several_tracebacks"],
    },
  });

export const ScorecardSchema = z
  .object({
    providerId: z.string(),
    name: z.string(),
    from: z.string(),
    to: z.string(),
    tracebacks: z
      .object({
        tracebacks: z.number().int().openapi({ description: "Completed tracebacks of calls in the period in which it played any part." }),
        onPath: z.number().int(),
        asOriginator: z.number().int(),
        asPointOfEntry: z.number().int(),
        asSigner: z.number().int(),
        outcomes: z.array(z.object({ outcome: z.enum(OUTCOMES), tracebacks: z.number().int() })),
        findings: z.array(z.object({ kind: z.enum(FINDING_KINDS), tracebacks: z.number().int() })).openapi({ description: "Findings concerning it, by kind." }),
      })
      .openapi({ description: "Counted by call time, as each traceback was recorded when it ended (not tracebacks closed by a person)." }),
    hopRequests: Counts.openapi({ description: "Its hop requests created in the period, as `/v1/providers/{id}/responsiveness` counts them." }),
    rmd: z.object({
      at: z.string().openapi({ description: "The end of the period, or now if sooner." }),
      match: RmdMatchSchema,
      history: z
        .array(
          z.object({
            number: z.string(),
            asOf: z.string(),
            importId: z.string(),
            change: z.enum(["added", "changed", "removed"]),
            fields: z.array(z.string()).optional(),
          }),
        )
        .openapi({ description: "Every snapshot that added, changed or removed its filing, oldest first." }),
    }),
    repeatOffenderCustomers: z
      .array(RepeatCustomerSchema)
      .openapi({ description: "Customers it named as originator that are repeat offenders in the period." }),
    truncated: z.boolean().optional(),
  })
  .openapi("ProviderScorecard", {
    example: {
      providerId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0",
      name: "Originating Example Voice",
      from: "2025-01-01T00:00:00.000Z",
      to: "2026-01-01T00:00:00.000Z",
      tracebacks: {
        tracebacks: 3,
        onPath: 3,
        asOriginator: 2,
        asPointOfEntry: 0,
        asSigner: 1,
        outcomes: [{ outcome: "originator_found", tracebacks: 2 }],
        findings: [{ kind: "registered_rmd_mismatch", tracebacks: 2 }],
      },
      hopRequests: { requested: 3, answered: 3, answeredLate: 1, open: 0, overdue: 1, nonResponsive: 0, medianAnswerSeconds: 1840, p90AnswerSeconds: 30600 },
      rmd: {
        at: "2026-01-01T00:00:00.000Z",
        match: { listing: "listed", suggestions: [] },
        history: [{ number: "RMD0900004", asOf: "2025-08-01T00:00:00.000Z", importId: "rmd_01K3F8Q2W4E6R8T0Y2U4I6O8P0", change: "added" }],
      },
      repeatOffenderCustomers: [],
    },
  });

export const ScorecardQuerySchema = z
  .object({
    from: Timestamp.optional().openapi({ description: "Calls at or after; a year before `to` by default.", example: "2025-01-01T00:00:00Z" }),
    to: Timestamp.optional().openapi({ description: "Calls before; now by default.", example: "2026-01-01T00:00:00Z" }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" });

export const RepeatOffendersQuerySchema = z
  .object({
    from: Timestamp.openapi({ example: "2025-09-01T00:00:00Z" }),
    to: Timestamp.openapi({ example: "2025-10-01T00:00:00Z", description: "After `from`, at most 366 days later." }),
    minTracebacks: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(3)
      .openapi({ description: "A provider is flagged as originator or point of entry of at least this many tracebacks..." }),
    minCampaigns: z.coerce.number().int().min(1).max(1000).default(2).openapi({ description: "...or of tracebacks of at least this many campaigns." }),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { path: ["to"], message: "the period is at most 366 days" });

export const RepeatOffendersSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    customers: z.array(RepeatCustomerSchema),
    providers: z.array(
      z.object({
        providerId: z.string(),
        asOriginator: z.number().int(),
        asPointOfEntry: z.number().int(),
        tracebackIds: z.array(z.string()),
        campaignIds: z.array(z.string()),
        flags: z.array(z.enum(["tracebacks", "campaigns"])),
      }),
    ),
    truncated: z.boolean().optional(),
  })
  .openapi("RepeatOffenders", {
    example: {
      from: "2025-09-01T00:00:00.000Z",
      to: "2025-10-01T00:00:00.000Z",
      customers: [],
      providers: [
        {
          providerId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0",
          asOriginator: 3,
          asPointOfEntry: 0,
          tracebackIds: ["tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", "tb_01JD5ZQ8A1B2C3D4E5F6G7H8J9", "tb_01JD5ZQ9B2C3D4E5F6G7H8J9K0"],
          campaignIds: ["cmp_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9"],
          flags: ["tracebacks"],
        },
      ],
    },
  });
