import { mkdtemp, rm, writeFile, appendFile, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CdrFormatError, fileSource, matchRecords, parseCdrs, parseCsv, parseTime } from "../../functions/responder/cdr.js";
import { parseResponderConfig, ResponderConfigError } from "../../functions/responder/config.js";

const columns = { startTime: "start", calling: "ani", called: "dnis", ingressTrunk: "in", egressTrunk: "out", sipCallId: "callid", identity: "identity" };

describe("CSV", () => {
  it("reads quoted fields holding commas, quotes and line breaks, and CRLF line ends", () => {
    const rows = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\nlast,,\n');
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["x, y", 'say "hi"', "two\nlines"] },
      { line: 5, fields: ["last", "", ""] },
    ]);
  });

  it("refuses an unterminated quote", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(CdrFormatError);
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
  it("parses CSV, normalises numbers to E.164 and reports unusable rows by line", () => {
    const csv = [
      "start,ani,dnis,in,out,callid,identity",
      '2024-06-03T16:00:01Z,+1 (305) 555-0123,2025550143,TR-1,EG-1,abc@pbx,"eyJ.a.b;info=<https://c.example/x.pem>;alg=ES256;ppt=shaken"',
      "2024-06-03T16:00:01Z,3055550123,not-a-number,TR-1,,,",
      "2024-06-03T16:00:01Z,3055550123,2025550143,,,,",
      "2024-06-03T16:00:01Z,,2025550143,TR-1,,,",
    ].join("\n");
    const { records, skipped } = parseCdrs(csv, { format: "csv", columns, timeFormat: "iso" });
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
  const recordsOf = (numbers: Array<[string, string]>) => {
    const csv = ["start,ani,dnis,in", ...numbers.map(([ani, dnis], i) => `2024-06-03T16:00:01Z,${ani},${dnis},TR-${i + 1}`)].join("\n");
    const { records, skipped } = parseCdrs(csv, { format: "csv", columns, timeFormat: "iso" });
    expect(skipped).toEqual([]);
    return records;
  };

  it("keeps records whose calling number is spoofed, invalid or withheld, in the form the hub's number is matched in", () => {
    const records = recordsOf([
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

  it("reads international numbers dialled with 011 (or 00) and national 10- and 11-digit forms", () => {
    const records = recordsOf([
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

  it("refuses a CSV whose header lacks a mapped column", () => {
    expect(() => parseCdrs("start,ani,dnis\n", { format: "csv", columns, timeFormat: "iso" })).toThrow(/no column in/);
  });

  it("parses JSON lines, with epoch times and numeric fields", () => {
    const jsonl = ['{"start":1717430401,"ani":13055550123,"dnis":"+12025550143","in":"TR-2"}', "", "not json", "[1,2]"].join("\n");
    const { records, skipped } = parseCdrs(jsonl, { format: "jsonl", columns, timeFormat: "epoch_seconds" });
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
    const source = fileSource({ format: "csv", path, columns: { startTime: "start", calling: "ani", called: "dnis", ingressTrunk: "in" }, timeFormat: "iso" }, (rows) =>
      skipped.push(...rows.map((r) => r.line)),
    );
    const query = { calling: "+13055550123" as const, called: "+12025550143" as const, at: new Date("2024-06-03T16:00:00Z") };
    expect(await source.find(query, 30)).toHaveLength(1);
    await appendFile(path, "2024-06-03T16:00:10Z,3055550123,2025550143,TR-2\nbroken\n");
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    expect((await source.find(query, 30)).map((r) => r.ingressTrunk)).toEqual(["TR-1", "TR-2"]);
    expect(skipped).toEqual([4]);
  });
});

describe("the responder configuration", () => {
  const valid = {
    hubUrl: "http://127.0.0.1:8787",
    keyFile: "k.json",
    webhook: { secrets: ["whsec_abc"] },
    trunks: { T1: { upstream: { providerId: "acc_1" } }, T2: { customer: { name: "C" }, actionTaken: "warned" }, T3: { foreign: { name: "F", country: "GB" } } },
  };

  it("fills defaults", () => {
    const c = parseResponderConfig(valid);
    expect(c.matchWindowSeconds).toBe(120);
    expect(c.webhook).toMatchObject({ host: "127.0.0.1", port: 8787, path: "/hoptrace" });
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
