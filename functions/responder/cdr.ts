/**
 * Call detail records as the responder sees them, whatever the switch wrote: a CSV or JSON-lines
 * file read through a column mapping, or any other store behind `CallRecordSource`.
 */
import { readFile, stat } from "node:fs/promises";
import { numberKey, toE164, type E164 } from "../domain/phone.js";
import type { CdrSourceConfig, Columns } from "./config.js";

export interface CallRecord {
  startTime: Date;
  /** The calling number as `numberKey` reads it: E.164 when it parses, since a spoofed one may not. */
  calling: string;
  called: E164;
  ingressTrunk: string;
  egressTrunk?: string;
  sipCallId?: string;
  identityHeader?: string;
}

/** The call a hop request asks about, in canonical form (see CallRecord). */
export interface CallQuery {
  calling: string;
  called: E164;
  at: Date;
}

/** Where records come from; a database lookup implements this. */
export interface CallRecordSource {
  /** Records of this call (same numbers) starting within ±windowSeconds of its time. */
  find(call: CallQuery, windowSeconds: number): Promise<CallRecord[]>;
}

export interface SkippedRow {
  line: number;
  reason: string;
}

export interface ParsedCdrs {
  records: CallRecord[];
  skipped: SkippedRow[];
}

export type TimeFormat = CdrSourceConfig["timeFormat"];

export class CdrFormatError extends Error {
  readonly code = "invalid_cdr_file";
}

/** RFC 4180 fields: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) throw new CdrFormatError(`unterminated quoted field starting on line ${rowLine}`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

export function parseTime(value: unknown, format: TimeFormat): Date {
  if (format !== "iso") {
    const n = typeof value === "number" ? value : typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw new CdrFormatError(`start time ${JSON.stringify(value)} is not a number`);
    return new Date(format === "epoch_seconds" ? n * 1000 : n);
  }
  if (typeof value !== "string") throw new CdrFormatError("start time is not text");
  const s = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s)) throw new CdrFormatError(`start time ${JSON.stringify(value)} is not ISO 8601`);
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s.replace(/([+-]\d{2})(\d{2})$/, "$1:$2") : `${s}Z`;
  const d = new Date(withZone.replace(" ", "T"));
  if (Number.isNaN(d.getTime())) throw new CdrFormatError(`start time ${JSON.stringify(value)} is not a valid time`);
  return d;
}

const optionalText = (v: unknown): string | undefined => (v === undefined || v === null || String(v).trim() === "" ? undefined : String(v).trim());

/** One row, named by the mapping's columns, into a record; throws with the reason a row is unusable. */
export function toRecord(row: Record<string, unknown>, columns: Columns, format: TimeFormat): CallRecord {
  const trunk = optionalText(row[columns.ingressTrunk]);
  if (trunk === undefined) throw new CdrFormatError(`no ingress trunk in column ${columns.ingressTrunk}`);
  const egress = columns.egressTrunk ? optionalText(row[columns.egressTrunk]) : undefined;
  const sipCallId = columns.sipCallId ? optionalText(row[columns.sipCallId]) : undefined;
  const identity = columns.identity ? optionalText(row[columns.identity]) : undefined;
  const calling = optionalText(row[columns.calling]);
  if (calling === undefined) throw new CdrFormatError(`no calling number in column ${columns.calling}`);
  const calledText = String(row[columns.called] ?? "");
  const called = toE164(calledText);
  if (called === undefined) throw new CdrFormatError(`called number ${JSON.stringify(calledText)} is not a telephone number`);
  return {
    startTime: parseTime(row[columns.startTime], format),
    calling: numberKey(calling),
    called,
    ingressTrunk: trunk,
    ...(egress !== undefined && { egressTrunk: egress }),
    ...(sipCallId !== undefined && { sipCallId }),
    ...(identity !== undefined && { identityHeader: identity }),
  };
}

/** Reads a whole CDR file; unusable rows are reported by line, never silently dropped. */
export function parseCdrs(text: string, source: Pick<CdrSourceConfig, "format" | "columns" | "timeFormat">): ParsedCdrs {
  const records: CallRecord[] = [];
  const skipped: SkippedRow[] = [];
  const take = (line: number, row: Record<string, unknown>) => {
    try {
      records.push(toRecord(row, source.columns, source.timeFormat));
    } catch (err) {
      skipped.push({ line, reason: (err as Error).message });
    }
  };
  if (source.format === "csv") {
    const [header, ...rows] = parseCsv(text);
    if (!header) return { records, skipped };
    const names = header.fields.map((f) => f.trim());
    for (const required of [source.columns.startTime, source.columns.calling, source.columns.called, source.columns.ingressTrunk]) {
      if (!names.includes(required)) throw new CdrFormatError(`the CSV header has no column ${required}`);
    }
    for (const row of rows) take(row.line, Object.fromEntries(names.map((n, i) => [n, row.fields[i]])));
  } else {
    text.split(/\r?\n/).forEach((l, i) => {
      if (l.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(l);
      } catch {
        skipped.push({ line: i + 1, reason: "not JSON" });
        return;
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) skipped.push({ line: i + 1, reason: "not a JSON object" });
      else take(i + 1, value as Record<string, unknown>);
    });
  }
  return { records, skipped };
}

/** Records of the same call within the window, closest in time first. */
export function matchRecords(records: readonly CallRecord[], call: CallQuery, windowSeconds: number): CallRecord[] {
  const at = call.at.getTime();
  return records
    .filter((r) => r.calling === call.calling && r.called === call.called && Math.abs(r.startTime.getTime() - at) <= windowSeconds * 1000)
    .sort((a, b) => Math.abs(a.startTime.getTime() - at) - Math.abs(b.startTime.getTime() - at));
}

export function memorySource(records: readonly CallRecord[]): CallRecordSource {
  return { find: async (call, windowSeconds) => matchRecords(records, call, windowSeconds) };
}

/**
 * A CDR file, re-read when it changes (switches append to their CDR files all day). Skipped rows
 * are reported through `onSkipped` once per read.
 */
export function fileSource(source: CdrSourceConfig, onSkipped: (rows: SkippedRow[]) => void = () => {}): CallRecordSource {
  let cached: { mtimeMs: number; size: number; records: CallRecord[] } | undefined;
  const load = async (): Promise<CallRecord[]> => {
    const s = await stat(source.path);
    if (cached && cached.mtimeMs === s.mtimeMs && cached.size === s.size) return cached.records;
    const parsed = parseCdrs(await readFile(source.path, "utf8"), source);
    if (parsed.skipped.length > 0) onSkipped(parsed.skipped);
    cached = { mtimeMs: s.mtimeMs, size: s.size, records: parsed.records };
    return parsed.records;
  };
  return { find: async (call, windowSeconds) => matchRecords(await load(), call, windowSeconds) };
}
