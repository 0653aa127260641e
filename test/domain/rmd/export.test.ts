import { describe, expect, it } from "vitest";
import { businessNameKey } from "../../../functions/domain/business-name.js";
import { ExportReader } from "../../../functions/domain/rmd/export.js";
import { fieldChanges, filingDigest, filingFacts, implementationOf, RMD_COLUMNS, type RmdFiling } from "../../../functions/domain/rmd/filing.js";
import { readHeader, readRow } from "../../../functions/domain/rmd/row.js";

const HEADER = [...RMD_COLUMNS];
const positions = (() => {
  const h = readHeader(HEADER);
  if (!h.ok) throw new Error(h.detail);
  return h.positions;
})();

function cells(values: Partial<Record<(typeof RMD_COLUMNS)[number], string>>): string[] {
  return RMD_COLUMNS.map((c) => values[c] ?? "");
}

const GOOD = {
  number: "rmd0900001",
  frn: "0099000001",
  business_name: " Example Voice, LLC ",
  gateway_provider_choice: "yes",
  last_updated: "3/7/2025",
  other_frns: "None",
  contact_phone_extension: "N/A",
};

describe("the RMD export header", () => {
  it("finds the columns in any order and case, and ignores extra ones", () => {
    const shuffled = ["Extra", ...[...HEADER].reverse().map((c) => ` ${c.toUpperCase()} `)];
    const h = readHeader(shuffled);
    expect(h.ok && h.positions.get("number")).toBe(shuffled.length - 1);
    expect(h.ok && h.positions.get("last_recertified")).toBe(1);
  });

  it("refuses a file missing a column, or listing one twice", () => {
    const missing = readHeader(HEADER.filter((c) => c !== "gateway_provider_choice" && c !== "frn"));
    expect(missing).toEqual({ ok: false, detail: "not an RMD export: missing column(s) frn, gateway_provider_choice" });
    expect(readHeader([...HEADER, "frn"]).ok).toBe(false);
  });
});

describe("an RMD export row", () => {
  it("keeps every filled cell trimmed, normalises numbers, yes/no and dates, and drops placeholders", () => {
    const row = readRow(cells(GOOD), positions, HEADER.length);
    expect(row).toEqual({
      ok: true,
      filing: { number: "RMD0900001", frn: "0099000001", business_name: "Example Voice, LLC", gateway_provider_choice: "Yes", last_updated: "2025-03-07" },
    });
  });

  it("reports every bad cell of a row with its column", () => {
    const row = readRow(
      cells({ ...GOOD, number: "0900001", frn: "99000001", gateway_provider_choice: "maybe", last_recertified: "2025-02-30", business_name: "None" }),
      positions,
      HEADER.length,
    );
    expect(row.ok).toBe(false);
    expect(!row.ok && row.problems.map((p) => p.column)).toEqual(["number", "frn", "gateway_provider_choice", "last_recertified", "business_name"]);
  });

  it("refuses a row whose field count differs from the header's", () => {
    expect(readRow(["RMD0900001", "x"], positions, HEADER.length)).toEqual({
      ok: false,
      problems: [{ column: "row", detail: `has 2 fields, the header has ${HEADER.length}` }],
    });
  });
});

describe("reading a whole export", () => {
  it("gives every filing when all rows are good, and skips blank rows", () => {
    const reader = new ExportReader(10);
    reader.record(1, HEADER);
    reader.record(2, cells(GOOD));
    reader.record(
      3,
      HEADER.map(() => " "),
    );
    reader.record(4, cells({ ...GOOD, number: "RMD0900002", frn: "0099000002" }));
    const out = reader.finish();
    expect(out.ok && out.filings.map((f) => f.number)).toEqual(["RMD0900001", "RMD0900002"]);
  });

  it("refuses the whole file for one bad row, listing problems by line, duplicates with the first line", () => {
    const reader = new ExportReader(10);
    reader.record(1, HEADER);
    reader.record(2, cells(GOOD));
    reader.record(5, cells({ ...GOOD, frn: "123" }));
    reader.record(3, cells(GOOD));
    reader.reject({ line: 4, column: "row", detail: "a quote stands inside a field that is not quoted" });
    const out = reader.finish();
    expect(out.ok).toBe(false);
    expect(!out.ok && out.problems.map((p) => [p.line, p.column])).toEqual([
      [3, "number"],
      [4, "row"],
      [5, "frn"],
    ]);
    expect(!out.ok && out.problems[0]!.detail).toBe("RMD0900001 is listed again (first on line 2)");
  });

  it("refuses an empty file, a header alone, and more filings than allowed", () => {
    expect(new ExportReader(10).finish()).toMatchObject({ ok: false, problems: [{ line: 1, detail: "the file is empty" }] });
    const headerOnly = new ExportReader(10);
    headerOnly.record(1, HEADER);
    expect(headerOnly.finish()).toMatchObject({ ok: false, problems: [{ detail: "the file lists no filing" }] });
    const small = new ExportReader(1);
    small.record(1, HEADER);
    small.record(2, cells(GOOD));
    small.record(3, cells({ ...GOOD, number: "RMD0900002" }));
    expect(small.finish()).toMatchObject({ ok: false, problemCount: 1, problems: [{ line: 3, detail: "more than 1 filings" }] });
  });

  it("reports at most 100 problems but counts them all", () => {
    const reader = new ExportReader(1000);
    reader.record(1, HEADER);
    for (let i = 0; i < 150; i++) reader.record(i + 2, cells({ ...GOOD, number: `RMD${1000 + i}`, frn: "bad" }));
    const out = reader.finish();
    expect(!out.ok && [out.problems.length, out.problemCount]).toEqual([100, 150]);
  });
});

describe("what a filing says", () => {
  const filing: RmdFiling = {
    number: "RMD0900005",
    business_name: "Storybook Carrier Company",
    frn: "0099000005",
    other_frns: "0099000105, 0099000205; junk",
    other_dba_names: "Storybook Voice; Fable, Inc\nLegend Tel",
    implementation: "No STIR/SHAKEN Implementation - Performing Robocall Mitigation",
    gateway_provider_choice: "No",
    intermediate_provider_choice: "Yes",
  };

  it("derives FRNs, names, roles and the STIR/SHAKEN implementation", () => {
    expect(filingFacts(filing)).toEqual({
      number: "RMD0900005",
      businessName: "Storybook Carrier Company",
      frns: ["0099000005", "0099000105", "0099000205"],
      names: ["Storybook Carrier Company", "Storybook Voice", "Fable, Inc", "Legend Tel"],
      implementation: "none",
      gatewayProvider: false,
      intermediateProvider: true,
    });
    expect(
      ["Complete STIR/SHAKEN Implementation", "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation", "", "Something else"].map(
        implementationOf,
      ),
    ).toEqual(["complete", "partial", "unknown", "unknown"]);
  });

  it("has a digest that changes with any column and the changed columns before and after", () => {
    const moved = { ...filing, gateway_provider_choice: "Yes", other_dba_names: undefined };
    expect(filingDigest(filing)).toBe(filingDigest({ ...filing }));
    expect(filingDigest(moved)).not.toBe(filingDigest(filing));
    expect(fieldChanges(filing, moved)).toEqual([
      { field: "other_dba_names", before: "Storybook Voice; Fable, Inc\nLegend Tel" },
      { field: "gateway_provider_choice", before: "No", after: "Yes" },
    ]);
  });

  it("gives the same name key to spellings of one business name", () => {
    expect(new Set(["Acme Telecom, LLC", "ACME TELECOM L.L.C.", "The Acme Telecom", "Acme  Telecom Inc."].map(businessNameKey))).toEqual(
      new Set(["acme telecom"]),
    );
    expect(businessNameKey("Acme Telecom")).not.toBe(businessNameKey("Acme Telephone"));
    expect(businessNameKey("Bell & Sons Co")).toBe(businessNameKey("Bell and Sons"));
  });
});
