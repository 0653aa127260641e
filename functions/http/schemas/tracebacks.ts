import { z } from "@hono/zod-openapi";
import { MAX_AMENDMENT_BYTES, MAX_AMENDMENTS_PER_HOP } from "../../domain/amendments.js";
import { amendmentSchema, deadlineSchema, HOP_STATUSES, signatureAnalysisSchema, TRACEBACK_STATUSES, tracebackResultSchema } from "../../domain/traceback.js";
import { signerSchema } from "../../domain/signer.js";
import { findingSchema } from "../../domain/shaken/finding-schema.js";
import { responsivenessSchema } from "../../domain/responsiveness.js";
import { FINDING_KINDS } from "../../domain/intel/intel.js";
import { tracebackFilterSchema } from "../../domain/traceback-filter.js";
import { createTracebackInputSchema, transcriptInput, UNPRINTABLE } from "../../usecases/traceback-input.js";
import { AnswerSchema } from "./answers.js";
import { PersonRoleSchema } from "./accounts.js";
import { E164_DESCRIPTION, PageQuerySchema, TIMESTAMP_EXAMPLE, Timestamp } from "./common.js";

const input = createTracebackInputSchema.shape;

const CallingNumberInput = input.callingNumber.meta({
  description:
    "The calling number the call displayed, as captured: any text of up to 64 printable characters, since the caller ID of a traced call is often spoofed. " +
    "A number that is withheld (`anonymous`), invalid (`1234567890`, `+10005550100`) or unallocated is accepted and recorded as a finding of the traceback; " +
    "it is read as E.164 when it parses as a possible number (North American 10 or 11 digits, or international with +, 011 or 00).",
  example: "+13055550123",
});

const CalledNumberInput = input.calledNumber.meta({ description: E164_DESCRIPTION, example: "+12025550143" });

export const TranscriptInput = transcriptInput.meta({
  description: "What the call said, as transcribed: compared with other calls' to group tracebacks into campaigns.",
  example: "this is an important message about your vehicle's extended warranty press one now",
});

/** Calls in one batch: enough for a feed's minute, few enough to answer within a request's time. */
export const MAX_BATCH_CALLS = 100;

const PRINTABLE_KEY = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !UNPRINTABLE.test(s), "the call key holds control or format characters");

export const CapturedCallSchema = z
  .object({
    callKey: PRINTABLE_KEY.optional().openapi({
      description:
        "The feed's own id for the call (with its call time, it names one traceback: a call sent again finds it). Without one, a digest of the numbers, the call time and the first Identity header.",
      example: "honeypot-7/2025-09-01/000123",
    }),
    callingNumber: CallingNumberInput,
    calledNumber: CalledNumberInput,
    callTime: input.callTime.meta({ example: TIMESTAMP_EXAMPLE, description: "When the call was captured, with its UTC offset." }),
    transcript: TranscriptInput.optional(),
    identityHeaders: input.identityHeaders.meta({ description: "Raw SIP Identity headers of the captured call." }),
    terminatingProviderId: input.terminatingProviderId.optional().meta({ description: "The provider that delivered the call; else the batch's." }),
    campaign: input.campaign,
    notes: input.notes,
    mediaUrl: input.mediaUrl,
  })
  .strict()
  .openapi("CapturedCall");

export const TracebackBatchSchema = z
  .object({
    terminatingProviderId: z.string().min(1).max(64).optional().openapi({ description: "The terminating provider of every call that names none." }),
    initiatorId: z.string().min(1).max(64).optional().openapi({ description: "Consortium only: start them on behalf of this initiator." }),
    calls: z
      .array(CapturedCallSchema)
      .min(1)
      .max(MAX_BATCH_CALLS)
      .openapi({
        description: `At most ${MAX_BATCH_CALLS} calls (more: \`422 validation_failed\` at \`/calls\`), and the body within the API's body limit (else \`413 payload_too_large\`).`,
      }),
  })
  .strict()
  .openapi("TracebackBatch", {
    example: {
      terminatingProviderId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      calls: [
        {
          callKey: "honeypot-7/000123",
          callingNumber: "+13055550123",
          calledNumber: "+12025550143",
          callTime: "2025-09-01T13:00:00Z",
          transcript: "this is an important message about your vehicle's extended warranty press one now",
        },
        { callKey: "honeypot-7/000124", callingNumber: "+13055550177", calledNumber: "+12025550188", callTime: "2025-09-01T13:00:41Z" },
      ],
    },
  });

export const TracebackBatchResultSchema = z
  .object({
    created: z.number().int(),
    existing: z.number().int().openapi({ description: "Calls whose traceback an earlier batch started." }),
    rejected: z.number().int(),
    failed: z.number().int().openapi({ description: "Calls that met an internal error: send them again (nothing is started twice)." }),
    results: z.array(
      z.object({
        index: z.number().int(),
        callKey: z.string(),
        status: z.enum(["created", "exists", "rejected", "failed"]),
        tracebackId: z.string().optional(),
        problem: z
          .object({
            status: z.number().int(),
            code: z.string(),
            detail: z.string(),
            errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
          })
          .optional()
          .openapi({
            description: "Why the call was rejected, as the problem a single `POST /v1/tracebacks` would answer, its pointers under `/calls/<index>`.",
          }),
      }),
    ),
  })
  .openapi("TracebackBatchResult", {
    example: {
      created: 1,
      existing: 0,
      rejected: 1,
      failed: 0,
      results: [
        { index: 0, callKey: "honeypot-7/000123", status: "created", tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" },
        {
          index: 1,
          callKey: "honeypot-7/000124",
          status: "rejected",
          problem: {
            status: 422,
            code: "unknown_provider",
            detail: "no registered provider acc_x",
            errors: [{ pointer: "/calls/1/terminatingProviderId", detail: "no registered provider acc_x" }],
          },
        },
      ],
    },
  });

export const CreateTracebackSchema = z
  .object({
    ...input,
    callingNumber: CallingNumberInput,
    calledNumber: CalledNumberInput,
    callTime: input.callTime.meta({ example: TIMESTAMP_EXAMPLE, description: "When the call was made, with its UTC offset." }),
    terminatingProviderId: input.terminatingProviderId.meta({ description: "The provider that delivered the call to the called party: hop 1 is asked of it." }),
    initiatorId: input.initiatorId.meta({ description: "Consortium only: start the traceback on behalf of this initiator." }),
    campaign: input.campaign.meta({ example: "utility-impersonation-2024-06" }),
    mediaUrl: input.mediaUrl.meta({ description: "Link to the audio recording or transcript." }),
    transcript: TranscriptInput.optional(),
    identityHeaders: input.identityHeaders.meta({ description: "Raw SIP Identity headers of the captured call, stored as given." }),
    certificates: input.certificates.meta({ description: "Signer certificates (PEM, leaf first) by their x5u URL; others are fetched once from x5u." }),
  })
  .strict()
  .openapi("CreateTraceback", {
    example: {
      callingNumber: "+13055550123",
      calledNumber: "+12025550143",
      callTime: "2024-06-03T12:00:00-04:00",
      terminatingProviderId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      campaign: "utility-impersonation-2024-06",
    },
  });

const CALL_EXAMPLE = {
  callingNumber: "+13055550123",
  callingNumberAsGiven: "(305) 555-0123",
  callingNumberE164: "+13055550123",
  calledNumber: "+12025550143",
  callTime: "2024-06-03T12:00:00-04:00",
  callTimeUtc: "2024-06-03T16:00:00.000Z",
};

export const CallSchema = z
  .object({
    callingNumber: z.string().openapi({
      description:
        "What to look the call up by: `callingNumberE164` when the calling number parses, otherwise the number exactly as given (for example `anonymous`). " +
        "For every valid number this is its E.164 form.",
    }),
    callingNumberAsGiven: z.string().openapi({ description: "The calling number exactly as the initiator gave it." }),
    callingNumberE164: z
      .string()
      .optional()
      .openapi({ description: "The calling number in E.164, present when it parses as a possible number, even if no such number is in service." }),
    calledNumber: z.string().openapi({ description: "The called number in E.164; always a valid number." }),
    callTime: z.string(),
    callTimeUtc: z.string(),
  })
  .openapi("Call", { example: CALL_EXAMPLE });

const deadline = deadlineSchema.shape;
export const DeadlineSchema = z
  .object({
    ...deadline,
    clockStartsAt: deadline.clockStartsAt.meta({ description: "When the answer clock started (business-hours rules may hold it over)." }),
    reminders: deadline.reminders.meta({ description: "When reminders are sent." }),
    escalateAt: deadline.escalateAt.meta({ description: "When silence ends the traceback as non_responsive_provider." }),
  })
  .openapi("Deadline");

const signer = signerSchema.shape;

/** The person holding a person key, as a write's signer names them. */
export const SignerPersonSchema = signer.person.unwrap().extend({ role: PersonRoleSchema });

/**
 * The domain's signer, named by `.openapi` on an object of the contract's own zod: a reference
 * under a description of its own (`answeredBy`) stays a reference only to a schema named so; one
 * named by `.meta({ id })` is written out in full there.
 */
export const SignerSchema = z
  .object({
    ...signer,
    keyId: signer.keyId.meta({ description: "The key that signed the request; its signed request and the hub's receipt are kept as evidence." }),
    person: SignerPersonSchema.optional().meta({ description: "When a person key signed: the person holding it, as registered at enrolment." }),
  })
  .openapi("Signer", {
    description: "Who signed a write: the account, its key and, for a person key, the person.",
    example: {
      accountId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0",
      keyId: "SuwhWxCWj13VGJYrZlmrlRhYSy1hfMa0-kAO_5SzRLs",
      person: { name: "Dana Reyes", role: "staff" },
    },
  });

export const AmendmentSchema = z
  .object({
    ...amendmentSchema.shape,
    number: amendmentSchema.shape.number.meta({ description: "1 for the first amendment of the hop request, and so on.", example: 1 }),
    answer: AnswerSchema,
    amendedBy: SignerSchema,
  })
  .openapi("Amendment", {
    example: {
      number: 1,
      answer: { type: "upstream_identified", upstream: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }, evidence: { ingressTrunk: "TRUNK-9" } },
      reason: "the first lookup read the wrong trunk table",
      amendedAt: "2024-06-03T18:20:00.000Z",
      amendedBy: { accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", keyId: "Yq3Tl9m0v8WnQ2k1u6b3r5t7x9z1c3e5g7i9k1m3o5q" },
    },
  });

export const NewAmendmentSchema = z
  .object({ answer: AnswerSchema, reason: z.string().min(1).max(2000) })
  .strict()
  .openapi("NewAmendment", {
    description: `At most ${MAX_AMENDMENTS_PER_HOP} amendments per hop request (then \`409 too_many_amendments\`), each at most ${MAX_AMENDMENT_BYTES} bytes as JSON (else \`422 amendment_too_large\`).`,
    example: {
      answer: { type: "upstream_identified", upstream: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }, evidence: { ingressTrunk: "TRUNK-9" } },
      reason: "the first lookup read the wrong trunk table",
    },
  });

const sweepFields = {
  amendments: z.array(AmendmentSchema).optional().openapi({
    description:
      "Corrections after the answer, oldest first; the original answer is kept as it was. On the hop request itself and in the chain; lists of hop requests leave them out.",
  }),
  remindersSent: z.number().int().optional(),
  overdueAt: z.string().optional().openapi({ description: "Set when the due time passed without an answer." }),
  escalatedAt: z.string().optional(),
  deferredUntil: z.string().optional().openapi({ description: "A deferred request (weekly cap reached) opens then." }),
  deferredReason: z.string().optional(),
};

export const ResultSchema = z.object(tracebackResultSchema.shape).openapi("TracebackResult");

export const TRACEBACK_EXAMPLE = {
  id: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  initiatorId: "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5",
  status: "completed" as const,
  call: CALL_EXAMPLE,
  campaign: "utility-impersonation-2024-06",
  identityHeaders: [],
  deadlinePolicy: "us-24h",
  createdAt: "2024-06-03T16:00:00.000Z",
  createdBy: "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5",
  hopCount: 2,
  path: ["acc_01JD5ZS1B2C3D4E5F6G7H8J9K0", "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9"],
  result: { outcome: "originator_found" as const, hopSeq: 2, decidedAt: "2024-06-03T19:30:00.000Z", decidedBy: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" },
};

export const FindingSchema = z
  .object({
    ...findingSchema.shape,
    identityIndex: findingSchema.shape.identityIndex.meta({ description: "Which Identity header of the call it concerns." }),
  })
  .openapi("Finding", {
    example: {
      code: "attestation_inconsistent",
      severity: "critical",
      detail: "signer acc_01J... attested A but answered upstream_identified",
      identityIndex: 0,
    },
  });

export const SignatureAnalysisSchema = z.object({ ...signatureAnalysisSchema.shape, findings: z.array(FindingSchema) }).openapi("SignatureAnalysis");

export const NamedCustomerSchema = z
  .object({
    name: z.string(),
    accountReference: z.string().optional(),
    contact: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }).optional(),
    keys: z.array(z.string()).openapi({
      description:
        "Normalised keys (`name:`, `account:<provider> <ref>`, `email:`, `phone:`): two answers naming a customer with a key in common name the same customer.",
    }),
  })
  .openapi("NamedCustomer", {
    example: { name: "Example Dialer LLC", accountReference: "CUST-4471", keys: ["name:example dialer", "account:acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9 CUST-4471"] },
  });

export const TracebackIntelSchema = z
  .object({
    recordedAt: z.string(),
    rmdSnapshot: z.object({ importId: z.string(), asOf: z.string() }).optional().openapi({ description: "The RMD snapshot in effect at the call." }),
    findings: z
      .array(z.object({ code: z.enum(FINDING_KINDS), providerId: z.string().optional() }))
      .openapi({ description: "Each kind of finding and the provider it concerns, once; the RMD findings in full are at `/v1/tracebacks/{id}/rmd-findings`." }),
    originator: z.object({ providerId: z.string(), hopSeq: z.number().int(), customer: NamedCustomerSchema }).optional(),
    pointOfEntry: z.object({ providerId: z.string(), hopSeq: z.number().int() }).optional(),
  })
  .openapi("TracebackIntel", {
    description: "What the traceback's end established, recorded by the follow-up that decided its outcome (not for tracebacks closed by a person).",
    example: {
      recordedAt: "2025-09-02T16:00:00.000Z",
      rmdSnapshot: { importId: "rmd_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", asOf: "2025-09-01T00:00:00.000Z" },
      findings: [{ code: "accepted_from_unlisted_upstream", providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }],
      originator: { providerId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0", hopSeq: 2, customer: { name: "Example Dialer LLC", keys: ["name:example dialer"] } },
    },
  });

export const TracebackSchema = z
  .object({
    id: z.string(),
    initiatorId: z.string(),
    status: z.enum(TRACEBACK_STATUSES),
    call: CallSchema,
    campaign: z.string().optional(),
    notes: z.string().optional(),
    mediaUrl: z.string().optional(),
    transcript: z.string().optional(),
    identityHeaders: z.array(z.string()),
    signatures: z.array(SignatureAnalysisSchema).optional(),
    callFindings: z
      .array(FindingSchema)
      .optional()
      .openapi({
        description:
          "What the call's numbers alone reveal, found when the traceback was created: `invalid_calling_number` (withheld, or no plan could assign it), " +
          "`unallocated_number` (not in a range in service), `neighbor_spoofing` (same area code and exchange as the called number). " +
          "They concern the call, so they are not filed under any provider.",
      }),
    deadlinePolicy: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    hopCount: z.number().int(),
    path: z.array(z.string()).openapi({ description: "Registered providers on the path, terminating first." }),
    result: ResultSchema.optional(),
    overdue: z
      .object({ hopSeq: z.number().int(), since: z.string() })
      .optional()
      .openapi({ description: "While the current hop request is past its due time without an answer: which hop, and since when." }),
    intel: TracebackIntelSchema.optional(),
  })
  .openapi("Traceback", { example: TRACEBACK_EXAMPLE });

export const HOP_EXAMPLE = {
  id: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1",
  tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  seq: 1,
  providerId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0",
  namedBy: { accountId: "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5" },
  status: "answered" as const,
  call: CALL_EXAMPLE,
  createdAt: "2024-06-03T16:00:00.000Z",
  deadline: { clockStartsAt: "2024-06-03T16:00:00.000Z", dueAt: "2024-06-04T16:00:00.000Z" },
  answer: {
    type: "upstream_identified" as const,
    upstream: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" },
    evidence: { ingressTrunk: "TRUNK-7", sipCallId: "a84b4c76e66710@pc33.example" },
  },
  answeredAt: "2024-06-03T16:05:00.000Z",
  answeredBy: {
    accountId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0",
    keyId: "SuwhWxCWj13VGJYrZlmrlRhYSy1hfMa0-kAO_5SzRLs",
    person: { name: "Dana Reyes", role: "staff" as const },
  },
  late: false,
  answerSeconds: 300,
};

export const HopSchema = z
  .object({
    id: z.string(),
    tracebackId: z.string(),
    seq: z.number().int(),
    kind: z
      .literal("signer_inquiry")
      .optional()
      .openapi({ description: "A signer inquiry: which customer does `inquiry.origid` belong to? Answered like a hop request." }),
    inquiry: z.object({ identityIndex: z.number().int(), origid: z.string().optional(), attest: z.string().optional(), spc: z.string().optional() }).optional(),
    providerId: z.string().optional(),
    pendingProvider: z.object({ name: z.string(), frn: z.string().optional(), rmdNumber: z.string().optional() }).passthrough().optional(),
    namedBy: z.object({ accountId: z.string(), hopId: z.string().optional() }),
    status: z.enum(HOP_STATUSES),
    call: CallSchema,
    createdAt: z.string(),
    deadline: DeadlineSchema.optional(),
    answer: AnswerSchema.optional(),
    answeredAt: z.string().optional(),
    answeredBy: SignerSchema.optional(),
    late: z.boolean().optional(),
    ...sweepFields,
    answerSeconds: z.number().optional().openapi({ description: "Seconds from the clock start to the answer." }),
  })
  .openapi("Hop", { example: HOP_EXAMPLE });

const OPEN_HOP_REQUEST_EXAMPLE = {
  id: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2",
  tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  seq: 2,
  status: "open" as const,
  call: CALL_EXAMPLE,
  namedBy: { accountId: "acc_01JD5ZS1B2C3D4E5F6G7H8J9K0", hopId: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1" },
  createdAt: "2024-06-03T16:05:00.000Z",
  deadline: {
    clockStartsAt: "2024-06-03T16:05:00.000Z",
    dueAt: "2024-06-04T16:05:00.000Z",
    reminders: ["2024-06-04T12:05:00.000Z"],
    escalateAt: "2024-06-05T16:05:00.000Z",
  },
};

const ANSWERED_HOP_REQUEST_EXAMPLE = {
  ...OPEN_HOP_REQUEST_EXAMPLE,
  status: "answered" as const,
  answer: {
    type: "originator_identified" as const,
    customer: { name: "Example Dialer LLC", accountReference: "CUST-4471" },
    actionTaken: "terminated" as const,
    evidence: { ingressTrunk: "SIPT-22", sipCallId: "7c1e0f9a@dialer.example" },
  },
  answeredAt: "2024-06-03T19:30:00.000Z",
  late: false,
};

export const ChainSchema = z
  .object({
    traceback: TracebackSchema,
    hops: z.array(HopSchema).openapi({ description: "The chain, terminating provider first." }),
    signerInquiries: z
      .array(HopSchema)
      .optional()
      .openapi({ description: "Hop requests asking each verified signer of the call, beside the chain; present when there are any." }),
    findings: z
      .array(FindingSchema)
      .optional()
      .openapi({ description: "Every finding of the traceback: each signature's own and those relating the signatures to the answers." }),
    originatorFirstFoundBy: z.enum(["chain", "signer_inquiry"]).optional().openapi({ description: "Which path named the originator first, when both did." }),
    pathsAgree: z.boolean().optional().openapi({ description: "Whether the signer inquiry and the chain name the same originator and customer." }),
  })
  .openapi("TracebackChain", {
    example: {
      traceback: TRACEBACK_EXAMPLE,
      hops: [
        HOP_EXAMPLE,
        {
          ...ANSWERED_HOP_REQUEST_EXAMPLE,
          providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
          answeredBy: { accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", keyId: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" },
          answerSeconds: 12300,
        },
      ],
    },
  });

export const CloseTracebackSchema = z
  .object({ reason: z.string().min(1).max(2000) })
  .strict()
  .openapi("CloseTraceback", { example: { reason: "duplicate of another traceback" } });

export const HopRequestSchema = z
  .object({
    id: z.string().openapi({ example: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2" }),
    tracebackId: z.string(),
    seq: z.number().int(),
    kind: z
      .literal("signer_inquiry")
      .optional()
      .openapi({ description: "A signer inquiry: which customer does `inquiry.origid` belong to? Answered like a hop request." }),
    inquiry: z.object({ identityIndex: z.number().int(), origid: z.string().optional(), attest: z.string().optional(), spc: z.string().optional() }).optional(),
    status: z.enum(HOP_STATUSES),
    call: CallSchema,
    namedBy: z.object({ accountId: z.string(), hopId: z.string().optional() }),
    createdAt: z.string(),
    deadline: DeadlineSchema.optional(),
    answer: AnswerSchema.optional(),
    answeredAt: z.string().optional(),
    answeredBy: SignerSchema.optional().openapi({
      description: "Which of the provider's keys answered, and the person holding it when a person answered in the console.",
    }),
    late: z.boolean().optional(),
    ...sweepFields,
  })
  .openapi("HopRequest", {
    description: "A hop request as the provider asked sees it: the call and who named it, not the rest of the chain.",
    example: OPEN_HOP_REQUEST_EXAMPLE,
  });

export const ResponsivenessSchema = z
  .object({
    providerId: z.string(),
    from: z.string(),
    to: z.string(),
    ...responsivenessSchema.shape,
  })
  .openapi("Responsiveness", {
    example: {
      providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      from: "2024-06-01T00:00:00.000Z",
      to: "2024-07-01T00:00:00.000Z",
      requested: 42,
      answered: 40,
      answeredLate: 2,
      open: 1,
      overdue: 3,
      nonResponsive: 1,
      medianAnswerSeconds: 1840,
      p90AnswerSeconds: 30600,
    },
  });

const filter = tracebackFilterSchema.shape;

/**
 * The filters of the traceback list; each is answered from an index, never by reading every
 * traceback. They are the domain's, but for the dates (any offset here) and `overdue` (a word in
 * a query); the numbers in any form a call could show.
 */
export const TracebackListQuerySchema = PageQuerySchema.extend({
  initiatorId: z.string().min(1).max(64).optional().openapi({ description: "Consortium only: one initiator's tracebacks." }),
  status: filter.status,
  outcome: filter.outcome.meta({ description: "How it ended (completed tracebacks)." }),
  createdFrom: Timestamp.optional().openapi({ description: "Created at or after.", example: "2024-06-01T00:00:00Z" }),
  createdTo: Timestamp.optional().openapi({ description: "Created before; after `createdFrom`.", example: "2024-07-01T00:00:00Z" }),
  callingNumber: filter.callingNumber.meta({
    description: "The calling number, in any form that reads as the same E.164 number, or exactly as given when it is not a number (`anonymous`).",
    example: "+13055550123",
  }),
  calledNumber: filter.calledNumber.meta({ description: "The called number, in any form that reads as the same E.164 number.", example: "+12025550143" }),
  providerId: filter.providerId.meta({ description: "A registered provider on the path." }),
  campaign: filter.campaign.meta({ description: "The campaign label, exactly.", example: "utility-impersonation-2024-06" }),
  overdue: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "`true`: only tracebacks whose current hop request is past its due time without an answer." }),
  hasFinding: filter.hasFinding.meta({
    description:
      "Only tracebacks with a finding of this kind: of the call's numbers or signatures (from creation on), or of the RMD (recorded when the traceback ended).",
    example: "upstream_removed_from_rmd",
  }),
}).refine((q) => q.createdFrom === undefined || q.createdTo === undefined || Date.parse(q.createdTo) > Date.parse(q.createdFrom), {
  path: ["createdTo"],
  message: "must be after createdFrom",
});
