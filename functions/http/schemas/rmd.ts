import { z } from "@hono/zod-openapi";
import { RMD_COLUMNS } from "../../domain/rmd/filing.js";
import { RMD_FINDING_CODES } from "../../domain/rmd/finding-codes.js";
import { rmdImportSchema } from "../../usecases/rmd-ports.js";

const FILING_EXAMPLE = {
  number: "RMD0900003",
  filing_url: "https://rmd.example/filing?sys_id=rmd0900003",
  frn: "0099000003",
  business_name: "Make-Believe Gateway Corp.",
  business_address: "300 Placeholder Ave\nNowhere FL 33101",
  foreign_voice_provider: "No",
  country: "United States",
  robocall_mitigation_contact_name: "Pat Example",
  contact_telephone_number: "+12025550100",
  implementation: "Complete STIR/SHAKEN Implementation",
  voice_service_provider_choice: "No",
  gateway_provider_choice: "Yes",
  intermediate_provider_choice: "Yes",
  last_updated: "2025-03-14",
  last_recertified: "2025-03-01",
};

export const RmdFilingSchema = z
  .object({
    ...Object.fromEntries(RMD_COLUMNS.map((c) => [c, z.string().optional()])),
    number: z.string(),
    business_name: z.string(),
  })
  .openapi("RmdFiling", {
    description: 'A filing as the export lists it, column for column; empty and placeholder cells ("None", "N/A") are absent.',
    example: FILING_EXAMPLE,
  });

const SNAPSHOT_EXAMPLE = { importId: "rmd_01K3F8Q2W4E6R8T0Y2U4I6O8P0", asOf: "2025-08-26T00:00:00.000Z" };

export const SnapshotRefSchema = z
  .object({ importId: z.string(), asOf: z.string().openapi({ description: "When the export was taken." }) })
  .openapi("RmdSnapshotRef", { example: SNAPSHOT_EXAMPLE });

const IMPORT_EXAMPLE = {
  id: "rmd_01K3F8Q2W4E6R8T0Y2U4I6O8P0",
  asOf: "2025-08-26T00:00:00.000Z",
  status: "committed" as const,
  previousImportId: "rmd_01K1A2B3C4D5E6F7G8H9J0K1M2",
  fileSha256: "9f2c4b7a1e0d3c5b8a6f4e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080",
  fileBytes: 8_812_304,
  filings: 9_402,
  added: 41,
  changed: 318,
  removed: 1_203,
  unchanged: 9_043,
  importedAt: "2025-08-26T14:02:11.000Z",
  importedBy: "acc_consortium",
  committedAt: "2025-08-26T14:02:19.000Z",
};

const rmdImport = rmdImportSchema.shape;
export const RmdImportSchema = z
  .object({
    ...rmdImport,
    status: rmdImport.status.meta({ description: "Only committed imports are snapshots; an abandoned one lost its commit to another import." }),
    previousImportId: rmdImport.previousImportId.meta({ description: "The snapshot this one was diffed against." }),
    fileSha256: rmdImport.fileSha256.meta({ description: "SHA-256 of the file as received, hex." }),
  })
  .openapi("RmdImport", { example: IMPORT_EXAMPLE });

export const FilingChangeSchema = z
  .object({
    number: z.string(),
    importId: z.string(),
    asOf: z.string(),
    change: z.enum(["added", "changed", "removed"]),
    filing: RmdFilingSchema.openapi({ description: "The filing from this snapshot on; for a removal, as it was last listed." }),
    changes: z
      .array(z.object({ field: z.enum(RMD_COLUMNS), before: z.string().optional(), after: z.string().optional() }))
      .optional()
      .openapi({ description: "For a change: each column that differs, before and after." }),
  })
  .openapi("RmdFilingChange", {
    example: {
      number: "RMD0900002",
      importId: IMPORT_EXAMPLE.id,
      asOf: IMPORT_EXAMPLE.asOf,
      change: "changed",
      filing: { ...FILING_EXAMPLE, number: "RMD0900002", business_name: "Imaginary Transit Networks Inc" },
      changes: [{ field: "gateway_provider_choice", before: "No", after: "Yes" }],
    },
  });

export const RmdStandingSchema = z
  .object({
    state: z.enum(["no_snapshot", "never_listed", "listed", "removed"]),
    snapshot: SnapshotRefSchema.optional().openapi({ description: "The snapshot in effect at the date asked about." }),
    filing: RmdFilingSchema.optional(),
    lastChange: z
      .object({ importId: z.string(), asOf: z.string(), change: z.enum(["added", "changed"]) })
      .optional()
      .openapi({ description: "When the filing was last added or changed, for a listed one.", example: { ...SNAPSHOT_EXAMPLE, change: "changed" } }),
    removedIn: SnapshotRefSchema.optional().openapi({ description: "The first snapshot that no longer listed it, for a removed one." }),
  })
  .openapi("RmdStanding", { example: { state: "removed", snapshot: SNAPSHOT_EXAMPLE, filing: FILING_EXAMPLE, removedIn: SNAPSHOT_EXAMPLE } });

const SuggestionSchema = z.object({ number: z.string(), businessName: z.string(), frn: z.string().optional() }).openapi("RmdSuggestion");

export const RmdMatchSchema = z
  .object({
    listing: z.enum(["listed", "removed", "not_listed", "unverifiable", "no_snapshot"]).openapi({
      description: "Decided by RMD number and FRN alone. `unverifiable`: neither was given; `no_snapshot`: no import was taken at or before the date.",
    }),
    snapshot: SnapshotRefSchema.optional(),
    filing: RmdFilingSchema.optional(),
    by: z.array(z.enum(["rmd_number", "frn"])).optional(),
    removedIn: SnapshotRefSchema.optional(),
    mismatch: z.string().optional().openapi({ description: "The RMD number and the FRN do not point at the same listed filing." }),
    suggestions: z
      .array(SuggestionSchema)
      .openapi({ description: "Filings of the same name, when neither the number nor the FRN decided: never a match, for a person to confirm." }),
  })
  .openapi("RmdMatch", { example: { listing: "listed", snapshot: SNAPSHOT_EXAMPLE, filing: FILING_EXAMPLE, by: ["rmd_number", "frn"], suggestions: [] } });

export const RmdLookupSchema = z
  .object({ at: z.string(), snapshot: SnapshotRefSchema.optional(), match: RmdMatchSchema, standings: z.array(RmdStandingSchema) })
  .openapi("RmdLookup", {
    example: {
      at: "2025-09-02T15:00:00.000Z",
      snapshot: SNAPSHOT_EXAMPLE,
      match: { listing: "removed", snapshot: SNAPSHOT_EXAMPLE, filing: FILING_EXAMPLE, by: ["rmd_number"], removedIn: SNAPSHOT_EXAMPLE, suggestions: [] },
      standings: [{ state: "removed", snapshot: SNAPSHOT_EXAMPLE, filing: FILING_EXAMPLE, removedIn: SNAPSHOT_EXAMPLE }],
    },
  });

export const RmdFindingSchema = z
  .object({
    code: z.enum(RMD_FINDING_CODES),
    severity: z.enum(["info", "warning", "critical"]),
    detail: z.string(),
    providerId: z.string().optional(),
    hopSeq: z.number().int().optional(),
    identityIndex: z.number().int().optional(),
    subject: z
      .object({ name: z.string().optional(), frn: z.string().optional(), rmdNumber: z.string().optional() })
      .optional()
      .openapi({ description: "The provider as named in an answer, when it is not registered." }),
    filing: z.object({ number: z.string(), businessName: z.string() }).optional(),
    suggestions: z.array(SuggestionSchema).optional(),
  })
  .openapi("RmdFinding", {
    example: {
      code: "upstream_removed_from_rmd",
      severity: "critical",
      detail:
        "upstream Soon Removed Dialer Services LLC (RMD0900008) was removed from the RMD (RMD0900008) in the snapshot of 2025-08-26T00:00:00.000Z, before the call",
      hopSeq: 2,
      subject: { name: "Soon Removed Dialer Services LLC", rmdNumber: "RMD0900008" },
      filing: { number: "RMD0900008", businessName: "Soon Removed Dialer Services LLC" },
    },
  });

export const TracebackRmdFindingsSchema = z
  .object({
    tracebackId: z.string(),
    callTimeUtc: z.string(),
    snapshot: SnapshotRefSchema.optional().openapi({ description: "The snapshot in effect at the call." }),
    findings: z.array(RmdFindingSchema),
    recordedAt: z
      .string()
      .optional()
      .openapi({ description: "When the traceback ended and these findings were recorded with it; absent while it runs (the findings so far)." }),
  })
  .openapi("TracebackRmdFindings", {
    example: {
      tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      callTimeUtc: "2025-09-02T15:00:00.000Z",
      snapshot: SNAPSHOT_EXAMPLE,
      findings: [
        {
          code: "accepted_from_unlisted_upstream",
          severity: "critical",
          detail: "acc_01JD... accepted the call from Soon Removed Dialer Services LLC (RMD0900008), which was not listed in the RMD",
          providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
          hopSeq: 2,
        },
      ],
    },
  });

export const ProviderRmdMatchSchema = z.object({ providerId: z.string(), at: z.string(), match: RmdMatchSchema }).openapi("ProviderRmdMatch", {
  example: {
    providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
    at: "2025-09-02T15:00:00.000Z",
    match: { listing: "listed", snapshot: SNAPSHOT_EXAMPLE, filing: FILING_EXAMPLE, by: ["frn"], suggestions: [] },
  },
});

/** A day (read as its start, UTC) or an instant with its offset. */
export const DateOrInstant = z
  .union([z.string().date(), z.string().datetime({ offset: true })])
  .transform((v) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v).toISOString())
  .openapi({ type: "string", example: "2025-08-26", description: "A date (its start, UTC) or a date-time with offset." });
