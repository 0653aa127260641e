/**
 * Reading a whole RMD export, record by record as a streaming parser hands them over: the header
 * first, then every filing, keeping every problem with its line. Nothing is decided until the end,
 * so a file with a single bad row is refused whole.
 */
import type { RmdColumn, RmdFiling } from "./filing.js";
import { readHeader, readRow } from "./row.js";

export interface RowProblem {
  /** The line of the file where the record starts (1 is the header). */
  line: number;
  column: RmdColumn | "row" | "header";
  detail: string;
}

export type ExportResult = { ok: true; filings: RmdFiling[] } | { ok: false; problems: RowProblem[]; problemCount: number };

/** Problems kept to report; the count covers all of them. */
const MAX_REPORTED = 100;

export class ExportReader {
  private positions?: Map<RmdColumn, number>;
  private width = 0;
  private readonly filings: RmdFiling[] = [];
  private readonly problems: RowProblem[] = [];
  private problemCount = 0;
  private readonly lineOf = new Map<string, number>();
  private fatal = false;

  constructor(private readonly maxFilings: number) {}

  /** One parsed record and the line it starts on. */
  record(line: number, cells: string[]): void {
    if (this.fatal) return;
    if (!this.positions) {
      const header = readHeader(cells);
      if (!header.ok) return this.fail({ line, column: "header", detail: header.detail });
      this.positions = header.positions;
      this.width = cells.length;
      return;
    }
    if (cells.every((c) => c.trim() === "")) return;
    const row = readRow(cells, this.positions, this.width);
    if (!row.ok) {
      for (const p of row.problems) this.problem({ line, column: p.column, detail: `${p.column === "row" ? "the row" : p.column} ${p.detail}` });
      return;
    }
    const first = this.lineOf.get(row.filing.number);
    if (first !== undefined) {
      this.problem({ line, column: "number", detail: `${row.filing.number} is listed again (first on line ${first})` });
      return;
    }
    if (this.filings.length >= this.maxFilings) return this.fail({ line, column: "row", detail: `more than ${this.maxFilings} filings` });
    this.lineOf.set(row.filing.number, line);
    this.filings.push(row.filing);
  }

  /** A record the parser could not read; the records after it still are. */
  reject(problem: RowProblem): void {
    this.problem(problem);
  }

  /** A problem that stops the reading, such as a quote never closed. */
  fail(problem: RowProblem): void {
    this.problem(problem);
    this.fatal = true;
  }

  finish(): ExportResult {
    if (!this.positions && this.problemCount === 0) this.problem({ line: 1, column: "header", detail: "the file is empty" });
    else if (this.positions && this.filings.length === 0 && this.problemCount === 0)
      this.problem({ line: 2, column: "row", detail: "the file lists no filing" });
    if (this.problemCount > 0) return { ok: false, problems: [...this.problems].sort((a, b) => a.line - b.line), problemCount: this.problemCount };
    return { ok: true, filings: this.filings };
  }

  private problem(p: RowProblem): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_REPORTED) this.problems.push(p);
  }
}
