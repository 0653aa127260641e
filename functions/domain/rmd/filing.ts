/**
 * A filing of the FCC Robocall Mitigation Database (RMD), as its public CSV export lists it. The
 * export is kept column for column (an analyst reads diffs in the FCC's own words); what the
 * rules need from it (FRNs, roles, STIR/SHAKEN implementation) is derived on read.
 */
import { createHash } from "node:crypto";

/** The columns of the export, in its order. */
export const RMD_COLUMNS = [
  "number",
  "filing_url",
  "frn",
  "business_name",
  "business_address",
  "foreign_voice_provider",
  "country",
  "other_frns",
  "other_dba_names",
  "previous_dba_names",
  "robocall_mitigation_contact_name",
  "contact_title",
  "contact_department",
  "contact_business_address",
  "contact_country",
  "contact_telephone_number",
  "contact_phone_extension",
  "implementation",
  "voice_service_provider_choice",
  "gateway_provider_choice",
  "intermediate_provider_choice",
  "last_updated",
  "last_recertified",
] as const;

export type RmdColumn = (typeof RMD_COLUMNS)[number];

/** One filing: every column the export filled, trimmed; placeholders such as "None" are absent. */
export type RmdFiling = { number: string; business_name: string } & Partial<Record<RmdColumn, string>>;

export type ShakenImplementation = "complete" | "partial" | "none" | "unknown";

/** The facts of a filing the findings rely on. */
export interface FilingFacts {
  number: string;
  businessName: string;
  /** The filing's FRN first, then its other FRNs. */
  frns: string[];
  /** Business name, other and previous DBA names. */
  names: string[];
  implementation: ShakenImplementation;
  gatewayProvider?: boolean;
  intermediateProvider?: boolean;
  voiceServiceProvider?: boolean;
  foreignVoiceProvider?: boolean;
}

const FRN = /\b\d{10}\b/g;

export function filingFacts(f: RmdFiling): FilingFacts {
  const frns = [...new Set([...(f.frn ? [f.frn] : []), ...(f.other_frns?.match(FRN) ?? [])])];
  return {
    number: f.number,
    businessName: f.business_name,
    frns,
    names: [f.business_name, ...nameList(f.other_dba_names), ...nameList(f.previous_dba_names)],
    implementation: implementationOf(f.implementation),
    ...yesNo("gatewayProvider", f.gateway_provider_choice),
    ...yesNo("intermediateProvider", f.intermediate_provider_choice),
    ...yesNo("voiceServiceProvider", f.voice_service_provider_choice),
    ...yesNo("foreignVoiceProvider", f.foreign_voice_provider),
  };
}

/**
 * The export writes the implementation as a sentence ("Complete STIR/SHAKEN Implementation",
 * "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation", "No STIR/SHAKEN
 * Implementation - Performing Robocall Mitigation"); its first word decides.
 */
export function implementationOf(text: string | undefined): ShakenImplementation {
  const first = text?.trim().split(/\s+/)[0]?.toLowerCase();
  if (first === "complete" || first === "full") return "complete";
  if (first === "partial") return "partial";
  if (first === "no" || first === "none") return "none";
  return "unknown";
}

/** DBA names are listed one per line or separated by semicolons; commas belong to names ("Acme, LLC"). */
function nameList(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[;\n]/)
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
}

function yesNo<K extends string>(key: K, value: string | undefined): Partial<Record<K, boolean>> {
  if (value === "Yes") return { [key]: true } as Record<K, boolean>;
  if (value === "No") return { [key]: false } as Record<K, boolean>;
  return {};
}

/** A short, stable digest of a filing's content: two snapshots list the same filing alike when it is equal. */
export function filingDigest(f: RmdFiling): string {
  const canonical = RMD_COLUMNS.map((c) => f[c] ?? null);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("base64url").slice(0, 22);
}

export interface FieldChange {
  field: RmdColumn;
  before?: string;
  after?: string;
}

/** The columns whose value differs between two versions of a filing, in the export's order. */
export function fieldChanges(before: RmdFiling, after: RmdFiling): FieldChange[] {
  return RMD_COLUMNS.filter((c) => before[c] !== after[c]).map((field) => ({
    field,
    ...(before[field] !== undefined && { before: before[field] }),
    ...(after[field] !== undefined && { after: after[field] }),
  }));
}
