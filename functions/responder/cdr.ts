/**
 * Call detail records as the responder sees them, whatever the switch wrote: a CSV or JSON-lines
 * file read as a stream through a column mapping, or any other store behind `CallRecordSource`.
 * CSV is read by csv-parse: any delimiter, RFC 4180 quoting (delimiters, quotes and line breaks
 * inside quoted fields), a byte order mark, CRLF, LF or CR line ends.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { parse as csvParser, type CsvError } from "csv-parse";
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
  /**
   * Rows that could not be read and may be this call (their time is within the window or could
   * not be read, and so is their calling number): while there are any, "no record" is not known.
   */
  unreadable?(call: CallQuery, windowSeconds: number): Promise<SkippedRow[]>;
}

export interface SkippedRow {
  line: number;
  reason: string;
  /** What could still be read of the row, to tell whether it might be the call asked about. */
  startTime?: Date;
  calling?: string;
}

export interface ParsedCdrs {
  records: CallRecord[];
  skipped: SkippedRow[];
}

export type TimeFormat = CdrSourceConfig["timeFormat"];
export type CdrReading = Pick<CdrSourceConfig, "format" | "columns" | "timeFormat"> & Partial<Pick<CdrSourceConfig, "delimiter" | "quote">>;

export class CdrFormatError extends Error {
  readonly code = "invalid_cdr_file";
}

export function parseTime(value: unknown, format: TimeFormat): Date {
  if (format !== "iso") {
    const n = typeof value === "number" ? value : typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw new CdrFormatError(`start time ${JSON.stringify(value)} is not a number`);
    return new Date(format === "epoch_seconds" ? n * 1000 : n);
  }
  if (typeof value !== "string") throw new CdrFormatError("start time is not text");
  const s = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s))
    throw new CdrFormatError(`start time ${JSON.stringify(value)} is not ISO 8601`);
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

/** Line breaks inside a record's fields: a record ends on its last line and starts this many before. */
const breaksIn = (fields: readonly string[]) => fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** What can be read of an unusable row, so a lookup can tell whether it might have been the call. */
function remains(row: Record<string, unknown>, columns: Columns, format: TimeFormat): Pick<SkippedRow, "startTime" | "calling"> {
  let startTime: Date | undefined;
  try {
    startTime = parseTime(row[columns.startTime], format);
  } catch {
    startTime = undefined;
  }
  const calling = optionalText(row[columns.calling]);
  return { ...(startTime && { startTime }), ...(calling !== undefined && { calling: numberKey(calling) }) };
}

/**
 * Reads a CDR stream to its end; unusable rows are reported by line, never silently dropped. A
 * CSV whose header lacks a mapped column is refused whole (CdrFormatError).
 */
export async function readCdrs(input: Readable, source: CdrReading): Promise<ParsedCdrs> {
  const records: CallRecord[] = [];
  const skipped: SkippedRow[] = [];
  const take = (line: number, row: Record<string, unknown>) => {
    try {
      records.push(toRecord(row, source.columns, source.timeFormat));
    } catch (err) {
      skipped.push({ line, reason: (err as Error).message, ...remains(row, source.columns, source.timeFormat) });
    }
  };
  if (source.format === "csv") {
    const parser = csvParser({
      bom: true,
      delimiter: source.delimiter ?? ",",
      quote: source.quote ?? '"',
      record_delimiter: ["\r\n", "\n", "\r"],
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
    });
    parser.on("skip", (err: CsvError) => skipped.push({ line: Number((err as CsvError & { lines?: number }).lines ?? 0), reason: err.message }));
    input.on("error", (err) => parser.destroy(err));
    let names: string[] | undefined;
    try {
      for await (const { record, info } of input.pipe(parser) as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        const line = info.lines - breaksIn(record);
        if (!names) {
          names = record.map((f) => f.trim());
          for (const required of [source.columns.startTime, source.columns.calling, source.columns.called, source.columns.ingressTrunk]) {
            if (!names.includes(required)) throw new CdrFormatError(`the CSV header has no column ${required}`);
          }
          continue;
        }
        const row = Object.fromEntries(names.map((n, i) => [n, record[i]]));
        if (record.length !== names.length)
          skipped.push({ line, reason: `${record.length} fields where the header has ${names.length}`, ...remains(row, source.columns, source.timeFormat) });
        else take(line, row);
      }
    } finally {
      input.destroy();
    }
  } else {
    let line = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        skipped.push({ line, reason: "not JSON" });
        continue;
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) skipped.push({ line, reason: "not a JSON object" });
      else take(line, value as Record<string, unknown>);
    }
  }
  // csv-parse reports a row it skips before it hands over the rows read before it.
  return { records, skipped: skipped.sort((a, b) => a.line - b.line) };
}

/** A CDR export already in memory, read as the file would be. */
export function parseCdrs(text: string, source: CdrReading): Promise<ParsedCdrs> {
  return readCdrs(Readable.from([text]), source);
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

/** Unreadable rows that may be this call: within the window (or of unknown time) and not visibly another caller's. */
export function unreadableNear(skipped: readonly SkippedRow[], call: CallQuery, windowSeconds: number): SkippedRow[] {
  const at = call.at.getTime();
  return skipped.filter(
    (s) => (!s.startTime || Math.abs(s.startTime.getTime() - at) <= windowSeconds * 1000) && (s.calling === undefined || s.calling === call.calling),
  );
}

/**
 * A CDR file, streamed again when it changes (switches append to their CDR files all day); the
 * lookups that arrive during a read share it. Skipped rows are reported through `onSkipped` once
 * per read.
 */
export function fileSource(source: CdrReading & Pick<CdrSourceConfig, "path">, onSkipped: (rows: SkippedRow[]) => void = () => {}): CallRecordSource {
  let cached: { mtimeMs: number; size: number; parsed: ParsedCdrs } | undefined;
  let reading: { mtimeMs: number; size: number; done: Promise<ParsedCdrs> } | undefined;
  const load = async (): Promise<ParsedCdrs> => {
    const s = await stat(source.path);
    if (cached && cached.mtimeMs === s.mtimeMs && cached.size === s.size) return cached.parsed;
    if (reading && reading.mtimeMs === s.mtimeMs && reading.size === s.size) return reading.done;
    const done = readCdrs(createReadStream(source.path), source).then((parsed) => {
      if (parsed.skipped.length > 0) onSkipped(parsed.skipped);
      cached = { mtimeMs: s.mtimeMs, size: s.size, parsed };
      return parsed;
    });
    reading = { mtimeMs: s.mtimeMs, size: s.size, done };
    try {
      return await done;
    } finally {
      if (reading?.done === done) reading = undefined;
    }
  };
  return {
    find: async (call, windowSeconds) => matchRecords((await load()).records, call, windowSeconds),
    unreadable: async (call, windowSeconds) => unreadableNear((await load()).skipped, call, windowSeconds),
  };
}
