/**
 * Synthetic RMD exports shaped like the FCC's CSV (every column, quoted multi-line addresses,
 * "None" placeholders, CRLF), with made-up filings, and the same export a while later: some
 * filings removed, some changed, some added. Seeded, so a run can be repeated.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RMD_COLUMNS, type RmdColumn } from "../../functions/domain/rmd/filing.js";

export const RMD_FIXTURES = fileURLToPath(new URL("../fixtures/rmd/", import.meta.url));
export const rmdFixture = (name: string): Buffer => readFileSync(`${RMD_FIXTURES}${name}`);

type Row = Record<RmdColumn, string>;

const IMPLEMENTATIONS = [
  "Complete STIR/SHAKEN Implementation",
  "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation",
  "No STIR/SHAKEN Implementation - Performing Robocall Mitigation",
];
const WORDS = ["Synthetic", "Sample", "Example", "Placeholder", "Mock", "Demo", "Fictive", "Imaginary"];
const KINDS = ["Voice", "Telecom", "Networks", "Communications", "Carrier", "Transit", "Dialtone", "Telephony"];
const FORMS = ["LLC", "Inc", "Corp.", "Co", "Ltd", "LLP"];

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filing(i: number, rnd: () => number): Row {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const number = `RMD${String(1_000_000 + i).padStart(7, "0")}`;
  const frn = String(80_000_000 + i).padStart(10, "0");
  const name = `${pick(WORDS)} ${pick(KINDS)} ${String(i).padStart(5, "0")} ${pick(FORMS)}`;
  const address = `${1 + Math.floor(rnd() * 9000)} Example Street\nSuite ${Math.floor(rnd() * 900)}\nAnytown, ZZ ${String(10000 + i).slice(0, 5)}`;
  const foreign = rnd() < 0.08;
  return {
    number,
    filing_url: `https://rmd.example/filing?sys_id=${number.toLowerCase()}`,
    frn,
    business_name: name,
    business_address: address,
    foreign_voice_provider: foreign ? "Yes" : "No",
    country: foreign ? "Elsewhere (fictional)" : "United States",
    other_frns: rnd() < 0.05 ? `${String(90_000_000 + i).padStart(10, "0")}, ${String(95_000_000 + i).padStart(10, "0")}` : "None",
    other_dba_names: rnd() < 0.2 ? `${pick(WORDS)} Dial; "${pick(KINDS)}" ${i}` : "None",
    previous_dba_names: "None",
    robocall_mitigation_contact_name: `Contact ${i}`,
    contact_title: "Compliance Officer",
    contact_department: pick(["Legal", "Operations", "Compliance", "None"]),
    contact_business_address: address,
    contact_country: foreign ? "Elsewhere (fictional)" : "United States",
    contact_telephone_number: `+1202555${String(i % 10000).padStart(4, "0")}`,
    contact_phone_extension: rnd() < 0.1 ? String(100 + Math.floor(rnd() * 900)) : "",
    implementation: pick(IMPLEMENTATIONS),
    voice_service_provider_choice: rnd() < 0.7 ? "Yes" : "No",
    gateway_provider_choice: rnd() < 0.15 ? "Yes" : "No",
    intermediate_provider_choice: rnd() < 0.3 ? "Yes" : "No",
    last_updated: `2025-0${1 + Math.floor(rnd() * 7)}-1${Math.floor(rnd() * 9)}`,
    last_recertified: "2025-03-01",
  };
}

export interface SyntheticExport {
  csv: string;
  numbers: string[];
}

/** An export of `count` filings. */
export function syntheticRmdExport(count: number, seed = 1): SyntheticExport {
  const rnd = seededRandom(seed);
  return toCsv(Array.from({ length: count }, (_, i) => filing(i, rnd)));
}

/** The same export later: `removed` filings gone, `changed` with a new contact and gateway choice, `added` new ones. */
export function laterRmdExport(
  count: number,
  change: { removed: number; changed: number; added: number },
  seed = 1,
): SyntheticExport & { removedNumbers: string[]; changedNumbers: string[] } {
  const rnd = seededRandom(seed);
  const rows = Array.from({ length: count }, (_, i) => filing(i, rnd));
  const removed = rows.splice(0, change.removed);
  for (const row of rows.slice(0, change.changed)) {
    row.robocall_mitigation_contact_name = `New ${row.robocall_mitigation_contact_name}`;
    row.gateway_provider_choice = row.gateway_provider_choice === "Yes" ? "No" : "Yes";
  }
  const extra = seededRandom(seed + 1);
  for (let i = 0; i < change.added; i++) rows.push(filing(count + i, extra));
  return { ...toCsv(rows), removedNumbers: removed.map((r) => r.number), changedNumbers: rows.slice(0, change.changed).map((r) => r.number) };
}

function toCsv(rows: Row[]): SyntheticExport {
  const lines = [RMD_COLUMNS.join(","), ...rows.map((r) => RMD_COLUMNS.map((c) => csvCell(r[c])).join(","))];
  return { csv: `\uFEFF${lines.join("\r\n")}\r\n`, numbers: rows.map((r) => r.number) };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
