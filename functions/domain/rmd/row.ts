/**
 * Reading one row of the RMD export into a filing, and the export's header into column
 * positions. Every problem is reported with its column, so a bad file can be fixed in one pass.
 */
import { RMD_COLUMNS, type RmdColumn, type RmdFiling } from "./filing.js";

export interface CellProblem {
  column: RmdColumn | "row";
  detail: string;
}

export type RowResult = { ok: true; filing: RmdFiling } | { ok: false; problems: CellProblem[] };

/** Values the export (and the people filing) write for "nothing". */
const PLACEHOLDERS = new Set(["", "none", "n/a", "na", "null", "-", "--", "not applicable"]);

const RMD_NUMBER = /^RMD\d{4,10}$/;
const FRN = /^\d{10}$/;
const YES_NO: Record<string, "Yes" | "No"> = { yes: "Yes", y: "Yes", true: "Yes", no: "No", n: "No", false: "No" };
const YES_NO_COLUMNS: readonly RmdColumn[] = [
  "foreign_voice_provider",
  "voice_service_provider_choice",
  "gateway_provider_choice",
  "intermediate_provider_choice",
];
const DATE_COLUMNS: readonly RmdColumn[] = ["last_updated", "last_recertified"];
/** A cell longer than this is not a filing field; it is a broken quote swallowing the rows after it. */
const MAX_CELL = 4000;

export type HeaderResult = { ok: true; positions: Map<RmdColumn, number> } | { ok: false; detail: string };

/** Column positions by name; names are matched without case or surrounding blanks, extra columns are ignored. */
export function readHeader(cells: string[]): HeaderResult {
  const positions = new Map<RmdColumn, number>();
  const known = new Set<string>(RMD_COLUMNS);
  const seen = new Set<string>();
  for (const [i, raw] of cells.entries()) {
    const name = raw.trim().toLowerCase();
    if (seen.has(name) && known.has(name)) return { ok: false, detail: `column ${name} appears twice` };
    seen.add(name);
    if (known.has(name)) positions.set(name as RmdColumn, i);
  }
  const missing = RMD_COLUMNS.filter((c) => !positions.has(c));
  if (missing.length > 0) return { ok: false, detail: `not an RMD export: missing column(s) ${missing.join(", ")}` };
  return { ok: true, positions };
}

export function readRow(cells: string[], positions: Map<RmdColumn, number>, width: number): RowResult {
  if (cells.length !== width) return { ok: false, problems: [{ column: "row", detail: `has ${cells.length} fields, the header has ${width}` }] };
  const problems: CellProblem[] = [];
  const filing: Partial<Record<RmdColumn, string>> = {};
  for (const column of RMD_COLUMNS) {
    const value = clean(cells[positions.get(column)!] ?? "");
    if (value === undefined) continue;
    if (value.length > MAX_CELL) {
      problems.push({ column, detail: `is ${value.length} characters long (a quote left open?)` });
      continue;
    }
    const checked = checkCell(column, value);
    if (typeof checked === "object") problems.push({ column, detail: checked.problem });
    else filing[column] = checked;
  }
  if (filing.number === undefined && !problems.some((p) => p.column === "number")) problems.push({ column: "number", detail: "is empty" });
  if (filing.business_name === undefined) problems.push({ column: "business_name", detail: "is empty" });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filing: filing as RmdFiling };
}

function clean(raw: string): string | undefined {
  const value = raw.replace(/\r\n?/g, "\n").trim();
  return PLACEHOLDERS.has(value.toLowerCase()) ? undefined : value;
}

function checkCell(column: RmdColumn, value: string): string | { problem: string } {
  if (column === "number") {
    const upper = value.toUpperCase();
    return RMD_NUMBER.test(upper) ? upper : { problem: `${quote(value)} is not an RMD number (RMD followed by digits)` };
  }
  if (column === "frn") return FRN.test(value) ? value : { problem: `${quote(value)} is not an FRN (10 digits)` };
  if (YES_NO_COLUMNS.includes(column)) return YES_NO[value.toLowerCase()] ?? { problem: `${quote(value)} is neither Yes nor No` };
  if (DATE_COLUMNS.includes(column)) return isoDate(value) ?? { problem: `${quote(value)} is not a date (YYYY-MM-DD or MM/DD/YYYY)` };
  return value;
}

/** ISO dates (with or without a time) are kept as the date; US MM/DD/YYYY is rewritten as ISO. */
function isoDate(value: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$/.exec(value);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1]!.padStart(2, "0"), us[2]!.padStart(2, "0")] : [];
  if (!y || !m || !d) return undefined;
  const date = `${y}-${m}-${d}`;
  const at = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().startsWith(date) ? date : undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
