/**
 * The RMD CSV export read as a stream with csv-parse: byte order marks, quoted fields with
 * commas, doubled quotes and line breaks, CRLF or LF. Records are handed to the domain reader as
 * they come; a malformed record is reported with the line it starts on and reading goes on, so
 * one pass lists every problem of the file.
 */
import { Readable } from "node:stream";
import { CsvError, parse, type Info } from "csv-parse";
import { ExportReader, type ExportResult } from "../../domain/rmd/export.js";

/** One record of the export is a few hundred bytes; this bounds a quote left open. */
const MAX_RECORD_BYTES = 256 * 1024;

export async function readRmdExport(body: AsyncIterable<Uint8Array>, opts: { maxFilings: number }): Promise<ExportResult> {
  const reader = new ExportReader(opts.maxFilings);
  const skipped = new Set<number>();
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      // One bad record can be reported once per stray quote.
      const line = typeof err?.lines === "number" ? err.lines : 0;
      if (!err || skipped.has(line)) return;
      skipped.add(line);
      reader.reject({ line, column: "row", detail: describeCsvError(err) });
    },
  });
  // pipe() would leave the parser waiting forever on a source that fails (a body over its size bound).
  const source = Readable.from(lineFeedsOnly(body));
  source.on("error", (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info & { lines: number } }>) {
      // csv-parse counts the line a record ends on; its quoted line breaks say how many lines it spans.
      const spans = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
      reader.record(info.lines - spans, record);
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    reader.fail({ line: typeof err.lines === "number" ? err.lines : 0, column: "row", detail: describeCsvError(err) });
  }
  return reader.finish();
}

/**
 * CRLF and CR become LF before parsing: csv-parse counts a CRLF inside a quoted field as two
 * lines, and the filings keep line breaks as LF anyway.
 */
async function* lineFeedsOnly(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let pendingCr = false;
  for await (const chunk of body) {
    let text = Buffer.from(chunk).toString("latin1");
    if (pendingCr) text = `\r${text}`;
    pendingCr = text.endsWith("\r");
    if (pendingCr) text = text.slice(0, -1);
    yield Buffer.from(text.replace(/\r\n?/g, "\n"), "latin1");
  }
  if (pendingCr) yield Buffer.from("\n");
}

function describeCsvError(err: CsvError): string {
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted field is never closed";
    case "CSV_INVALID_CLOSING_QUOTE":
    case "INVALID_OPENING_QUOTE":
      return "a quote stands inside a field that is not quoted (write it doubled, inside quotes)";
    case "CSV_MAX_RECORD_SIZE":
      return `a record is longer than ${MAX_RECORD_BYTES} bytes (a quote left open?)`;
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return "characters follow a closing quote";
    default:
      return err.message;
  }
}
