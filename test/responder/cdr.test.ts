import { mkdtemp, rm, writeFile, appendFile, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { CdrFormatError, fileSource, matchRecords, parseCdrs, parseTime, readCdrs, unreadableNear } from "../../functions/responder/cdr.js";
import { DEFAULT_WEBHOOK_PORT, loadResponderConfig, parseResponderConfig, ResponderConfigError } from "../../functions/responder/config.js";

const columns = { startTime: "start", calling: "ani", called: "dnis", ingressTrunk: "in", egressTrunk: "out", sipCallId: "callid", identity: "identity" };
const few = { startTime: "start", calling: "ani", called: "dnis", ingressTrunk: "in" };
const csv = (text: string, extra: { delimiter?: string; quote?: string } = {}) => parseCdrs(text, { format: "csv", columns: few, timeFormat: "iso", ...extra });

describe("CSV through csv-parse", () => {
  it("reads quoted fields holding delimiters, quotes and line breaks, with CRLF, LF and CR line ends, numbering rows by their first line", async () => {
    const text =
      'start,ani,dnis,in\r\n2024-06-03T16:00:00Z,3055550123,2025550143,"TR, ""one""\nsecond line"\r\n\r\n2024-06-03T16:00:01Z,3055550123,2025550143,\n2024-06-03T16:00:02Z,3055550123,2025550143,TR-3\r';
    const { records, skipped } = await csv(text);
    expect(records.map((r) => r.ingressTrunk)).toEqual(['TR, "one"\nsecond line', "TR-3"]);
    expect(skipped).toEqual([expect.objectContaining({ line: 5, reason: "no ingress trunk in column in" })]);
  });

  it.each([
    ["semicolons", ";"],
    ["tabs", "\t"],
    ["pipes", "|"],
    ["a two-character separator", "||"],
  ])("reads fields separated by %s, quoting included", async (_what, delimiter) => {
    const text = [
      ["start", "ani", "dnis", "in"].join(delimiter),
      ["2024-06-03T16:00:00Z", "3055550123", "2025550143", `"A${delimiter}B"`].join(delimiter),
    ].join("\n");
    const { records, skipped } = await csv(text, { delimiter });
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.calling, r.called, r.ingressTrunk])).toEqual([["+13055550123", "+12025550143", `A${delimiter}B`]]);
  });

  it("reads another quote character when told", async () => {
    const { records } = await csv("start;ani;dnis;in\n2024-06-03T16:00:00Z;3055550123;2025550143;'TR;1'\n", { delimiter: ";", quote: "'" });
    expect(records.map((r) => r.ingressTrunk)).toEqual(["TR;1"]);
  });

  it("drops a byte order mark before the first column name", async () => {
    const { records, skipped } = await csv("\uFEFFstart,ani,dnis,in\n2024-06-03T16:00:00Z,3055550123,2025550143,TR-1\n");
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
  });

  it("reports a badly quoted row and a row of the wrong length by line, and reads the rows after them", async () => {
    const text = [
      "start,ani,dnis,in",
      '2024-06-03T16:00:00Z,30555"50123,2025550143,TR-1',
      "2024-06-03T16:00:00Z,3055550123,2025550143,TR-2,extra",
      "2024-06-03T16:00:00Z,3055550123,2025550143,TR-3",
    ].join("\n");
    const { records, skipped } = await csv(text);
    expect(records.map((r) => r.ingressTrunk)).toEqual(["TR-3"]);
    expect(skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(skipped[0]!.reason).toMatch(/quote/i);
    expect(skipped[1]).toMatchObject({ reason: "5 fields where the header has 4", startTime: new Date("2024-06-03T16:00:00Z"), calling: "+13055550123" });
  });

  it("reports an unterminated quote instead of reading the rest of the file as one field", async () => {
    const { records, skipped } = await csv(
      'start,ani,dnis,in\n2024-06-03T16:00:00Z,3055550123,2025550143,"TR-1\n2024-06-03T16:00:01Z,3055550123,2025550143,TR-2\n',
    );
    expect(records).toEqual([]);
    expect(skipped).toEqual([expect.objectContaining({ reason: expect.stringMatching(/quote not closed/i) })]);
  });

  it("reads a stream chunk by chunk, however the chunks cut the rows", async () => {
    const text = "start,ani,dnis,in\n" + Array.from({ length: 500 }, (_, i) => `2024-06-03T16:00:00Z,3055550123,2025550143,"TR,${i}"`).join("\r\n");
    const chunks = text.match(/[\s\S]{1,7}/g)!.map((c) => Buffer.from(c));
    const { records, skipped } = await readCdrs(Readable.from(chunks), { format: "csv", columns: few, timeFormat: "iso" });
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.ingressTrunk)).toEqual(Array.from({ length: 500 }, (_, i) => `TR,${i}`));
  });
});

describe("start times", () => {
  it("reads ISO 8601 with and without an offset (UTC then), and epoch seconds or milliseconds", () => {
    expect(parseTime("2024-06-03T12:00:00-04:00", "iso").toISOString()).toBe("2024-06-03T16:00:00.000Z");
    expect(parseTime("2024-06-03 16:00:00", "iso").toISOString()).toBe("2024-06-03T16:00:00.000Z");
    expect(parseTime("2024-06-03T21:00:00+0500", "iso").toISOString()).toBe("2024-06-03T16:00:00.000Z");
    expect(parseTime("1717430400", "epoch_seconds").toISOString()).toBe("2024-06-03T16:00:00.000Z");
    expect(parseTime(1717430400000, "epoch_millis").toISOString()).toBe("2024-06-03T16:00:00.000Z");
  });

  it("refuses what is not a time", () => {
    expect(() => parseTime("yesterday", "iso")).toThrow(CdrFormatError);
    expect(() => parseTime("2024-13-45T99:00:00Z", "iso")).toThrow(CdrFormatError);
    expect(() => parseTime("soon", "epoch_seconds")).toThrow(CdrFormatError);
  });
});

describe("CDR files through a column mapping", () => {
  it("parses CSV, normalises numbers to E.164 and reports unusable rows by line", async () => {
    const csv = [
      "start,ani,dnis,in,out,callid,identity",
      '2024-06-03T16:00:01Z,+1 (305) 555-0123,2025550143,TR-1,EG-1,abc@pbx,"eyJ.a.b;info=<https://c.example/x.pem>;alg=ES256;ppt=shaken"',
      "2024-06-03T16:00:01Z,3055550123,not-a-number,TR-1,,,",
      "2024-06-03T16:00:01Z,3055550123,2025550143,,,,",
      "2024-06-03T16:00:01Z,,2025550143,TR-1,,,",
    ].join("\n");
    const { records, skipped } = await parseCdrs(csv, { format: "csv", columns, timeFormat: "iso" });
    expect(records).toEqual([
      {
        startTime: new Date("2024-06-03T16:00:01Z"),
        calling: "+13055550123",
        called: "+12025550143",
        ingressTrunk: "TR-1",
        egressTrunk: "EG-1",
        sipCallId: "abc@pbx",
        identityHeader: "eyJ.a.b;info=<https://c.example/x.pem>;alg=ES256;ppt=shaken",
      },
    ]);
    expect(skipped.map((s) => s.line)).toEqual([3, 4, 5]);
    expect(skipped[0]!.reason).toMatch(/called number "not-a-number"/);
    expect(skipped[1]!.reason).toMatch(/ingress trunk/);
    expect(skipped[2]!.reason).toMatch(/no calling number/);
  });

  /** Records of CSV rows with these calling and called numbers, one trunk per row; none may be skipped. */
  const recordsOf = async (numbers: Array<[string, string]>) => {
    const csv = ["start,ani,dnis,in", ...numbers.map(([ani, dnis], i) => `2024-06-03T16:00:01Z,${ani},${dnis},TR-${i + 1}`)].join("\n");
    const { records, skipped } = await parseCdrs(csv, { format: "csv", columns, timeFormat: "iso" });
    expect(skipped).toEqual([]);
    return records;
  };

  it("keeps records whose calling number is spoofed, invalid or withheld, in the form the hub's number is matched in", async () => {
    const records = await recordsOf([
      ["1234567890", "2025550143"],
      ["Anonymous", "2025550143"],
      ["V1AGRA DEALS", "2025550143"],
      ["911", "2025550143"],
    ]);
    expect(records.map((r) => [r.calling, r.called])).toEqual([
      ["+11234567890", "+12025550143"],
      ["anonymous", "+12025550143"],
      ["v1agra deals", "+12025550143"],
      ["911", "+12025550143"],
    ]);
  });

  it("reads international numbers dialled with 011 (or 00) and national 10- and 11-digit forms", async () => {
    const records = await recordsOf([
      ["011442079460958", "2025550143"],
      ["011 44 20 7946 0958", "12025550143"],
      ["00442079460958", "+1 202 555 0143"],
      ["13055550123", "01144 20 7946 0958"],
    ]);
    expect(records.map((r) => [r.calling, r.called])).toEqual([
      ["+442079460958", "+12025550143"],
      ["+442079460958", "+12025550143"],
      ["+442079460958", "+12025550143"],
      ["+13055550123", "+442079460958"],
    ]);
    const found = matchRecords(records, { calling: "+442079460958", called: "+12025550143", at: new Date("2024-06-03T16:00:00Z") }, 60);
    expect(found.map((r) => r.ingressTrunk)).toEqual(["TR-1", "TR-2", "TR-3"]);
  });

  it("refuses a CSV whose header lacks a mapped column", async () => {
    await expect(parseCdrs("start,ani,dnis\n", { format: "csv", columns, timeFormat: "iso" })).rejects.toThrow(CdrFormatError);
    await expect(parseCdrs("start,ani,dnis\n", { format: "csv", columns, timeFormat: "iso" })).rejects.toThrow(/no column in$/);
  });

  it("parses JSON lines, with epoch times and numeric fields, a byte order mark and CRLF", async () => {
    const jsonl = ['\uFEFF{"start":1717430401,"ani":13055550123,"dnis":"+12025550143","in":"TR-2"}', "", "not json", "[1,2]"].join("\r\n");
    const { records, skipped } = await parseCdrs(jsonl, { format: "jsonl", columns, timeFormat: "epoch_seconds" });
    expect(records).toEqual([{ startTime: new Date("2024-06-03T16:00:01Z"), calling: "+13055550123", called: "+12025550143", ingressTrunk: "TR-2" }]);
    expect(skipped).toEqual([
      { line: 3, reason: "not JSON" },
      { line: 4, reason: "not a JSON object" },
    ]);
  });

  it("matches the same numbers within the window, closest in time first", () => {
    const base = { calling: "+13055550123" as const, called: "+12025550143" as const };
    const records = [
      { ...base, startTime: new Date("2024-06-03T16:01:00Z"), ingressTrunk: "far" },
      { ...base, startTime: new Date("2024-06-03T15:59:58Z"), ingressTrunk: "near" },
      { ...base, startTime: new Date("2024-06-03T16:05:00Z"), ingressTrunk: "outside" },
      { ...base, called: "+12025550199" as const, startTime: new Date("2024-06-03T16:00:00Z"), ingressTrunk: "other call" },
    ];
    const found = matchRecords(records, { ...base, at: new Date("2024-06-03T16:00:00Z") }, 60);
    expect(found.map((r) => r.ingressTrunk)).toEqual(["near", "far"]);
  });

  it("tells which unreadable rows may be the call: near its time or of unknown time, and not visibly another caller's", async () => {
    const text = [
      "start,ani,dnis,in",
      "2024-06-03T16:00:30Z,3055550123,not-a-number,TR-1",
      "2024-06-03T16:30:00Z,3055550123,not-a-number,TR-1",
      "2024-06-03T16:00:30Z,3055550999,not-a-number,TR-1",
      "yesterday,3055550123,2025550143,TR-1",
      '2024-06-03T16:00:30Z,3055"550123,2025550143,TR-1',
    ].join("\n");
    const { skipped } = await csv(text);
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
    const near = unreadableNear(skipped, { calling: "+13055550123", called: "+12025550143", at: new Date("2024-06-03T16:00:00Z") }, 60);
    expect(near.map((s) => s.line)).toEqual([2, 5, 6]);
  });
});

describe("a CDR file source", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("re-reads the file when the switch appends to it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cdr-"));
    dirs.push(dir);
    const path = join(dir, "calls.csv");
    await writeFile(path, "start,ani,dnis,in\n2024-06-03T16:00:00Z,3055550123,2025550143,TR-1\n");
    const skipped: number[] = [];
    const source = fileSource({ format: "csv", path, columns: few, timeFormat: "iso" }, (rows) => skipped.push(...rows.map((r) => r.line)));
    const query = { calling: "+13055550123" as const, called: "+12025550143" as const, at: new Date("2024-06-03T16:00:00Z") };
    expect(await source.find(query, 30)).toHaveLength(1);
    await appendFile(path, "2024-06-03T16:00:10Z,3055550123,2025550143,TR-2\nbroken\n");
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    expect((await source.find(query, 30)).map((r) => r.ingressTrunk)).toEqual(["TR-1", "TR-2"]);
    expect(skipped).toEqual([4]);
    expect((await source.unreadable!(query, 30)).map((r) => r.line)).toEqual([4]);
  });

  it("reads a changed file once for the lookups that arrive together", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cdr-"));
    dirs.push(dir);
    const path = join(dir, "calls.tsv");
    const rows = Array.from(
      { length: 3000 },
      (_, i) =>
        `2024-06-03T${String(11 + Math.floor(i / 3600)).padStart(2, "0")}:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z\t3055550123\t2025550143\tTR-${i}`,
    );
    await writeFile(path, `start\tani\tdnis\tin\n${rows.join("\n")}\n`);
    let reports = 0;
    const source = fileSource({ format: "csv", path, columns: few, timeFormat: "iso", delimiter: "\t" }, () => reports++);
    const query = { calling: "+13055550123" as const, called: "+12025550143" as const, at: new Date("2024-06-03T11:30:00Z") };
    const found = await Promise.all(Array.from({ length: 5 }, () => source.find(query, 0)));
    expect(found.map((f) => f.map((r) => r.ingressTrunk))).toEqual(Array.from({ length: 5 }, () => ["TR-1800"]));
    await appendFile(path, "broken\n");
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    await Promise.all([source.find(query, 0), source.find(query, 0), source.unreadable!(query, 0)]);
    // One read of the changed file for the three lookups, so its broken row is reported once.
    expect(reports).toBe(1);
  });
});

describe("the responder configuration", () => {
  const valid = {
    hubUrl: "http://127.0.0.1:8787",
    keyFile: "k.json",
    webhook: { secrets: ["whsec_abc"] },
    trunks: {
      T1: { upstream: { providerId: "acc_1" } },
      T2: { customer: { name: "C" }, actionTaken: "warned" },
      T3: { foreign: { name: "F", country: "GB" } },
    },
  };

  it("fills defaults", () => {
    const c = parseResponderConfig(valid);
    expect(c.matchWindowSeconds).toBe(120);
    expect(c.webhook).toMatchObject({ host: "127.0.0.1", port: DEFAULT_WEBHOOK_PORT, path: "/hoptrace" });
    expect(DEFAULT_WEBHOOK_PORT).not.toBe(8787);
  });

  it("takes a CSV delimiter and quote, and refuses a delimiter holding the quote", () => {
    const cdr = { format: "csv", path: "calls.csv", columns: few };
    expect(parseResponderConfig({ ...valid, cdr }).cdr).toMatchObject({ delimiter: ",", quote: '"' });
    expect(parseResponderConfig({ ...valid, cdr: { ...cdr, delimiter: "\t" } }).cdr?.delimiter).toBe("\t");
    expect(() => parseResponderConfig({ ...valid, cdr: { ...cdr, delimiter: '"' } })).toThrow(/cdr\.delimiter: the delimiter cannot contain the quote/);
  });

  it("reads a file, taking its relative paths from the file's folder and keeping the state beside it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "responder-config-"));
    try {
      await writeFile(join(dir, "carrier.json"), JSON.stringify({ ...valid, cdr: { format: "csv", path: "cdr/calls.csv", columns: few, delimiter: ";" } }));
      const c = await loadResponderConfig(join(dir, "carrier.json"));
      expect([c.keyFile, c.cdr?.path, c.stateFile]).toEqual([join(dir, "k.json"), join(dir, "cdr", "calls.csv"), join(dir, "carrier.state.json")]);
      await writeFile(join(dir, "other.json"), JSON.stringify({ ...valid, stateFile: "state/other.json" }));
      expect((await loadResponderConfig(join(dir, "other.json"))).stateFile).toBe(join(dir, "state", "other.json"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names every problem by its path", () => {
    const bad = { ...valid, webhook: {}, trunks: { T1: { upstream: { name: "X", frn: "12" } }, T2: { foreign: { name: "F", country: "gb" } } } };
    let message = "";
    try {
      parseResponderConfig(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(ResponderConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/webhook: give the endpoint's secrets/);
    expect(message).toMatch(/trunks\.T1/);
    expect(message).toMatch(/trunks\.T2/);
  });
});
