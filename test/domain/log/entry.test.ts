/** Log entries: canonical bytes, nothing else decodes, and a nonce per entry. */
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../functions/domain/log/canonical-json.js";
import {
  decodeEntry,
  encodeEntry,
  InvalidEntryError,
  newEntry,
  requestEntry,
  requestLogClaim,
  requestStatement,
  statementDigest,
} from "../../../functions/domain/log/entry.js";

const nonce = new Uint8Array(16).fill(9);
const entry = newEntry(
  {
    kind: "request",
    id: "req_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
    subject: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
    time: new Date("2024-06-03T16:05:00.123Z"),
    bytes: "statement",
  },
  nonce,
);

describe("canonical JSON (RFC 8785)", () => {
  it("sorts members by code unit, drops undefined, keeps no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], "\u00e9": { z: 1.5, y: -0 }, c: undefined })).toBe(
      '{"a":[true,null,"x"],"b":1,"\u00e9":{"y":0,"z":1.5}}',
    );
    expect(canonicalJson({ "\ud83d\ude00": 1, "\ufb01": 2 })).toBe('{"\ud83d\ude00":1,"\ufb01":2}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});

describe("entries", () => {
  it("are the canonical JSON of their fields, with the statement's SHA-256", () => {
    const bytes = Buffer.from(encodeEntry(entry)).toString("utf8");
    expect(bytes).toBe(
      `{"id":"req_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9","kind":"request","nonce":"${Buffer.from(nonce).toString("base64url")}","sha256":"${statementDigest("statement")}","subject":"tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9","time":"2024-06-03T16:05:00.123Z","v":1}`,
    );
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it.each([
    ["whitespace", (s: string) => s.replace(",", ", ")],
    ["members out of order", (s: string) => `{"kind":"request",${s.slice(1).replace(',"kind":"request"', "")}`],
    ["an extra member", (s: string) => s.replace("{", '{"extra":1,')],
    ["a missing member", (s: string) => s.replace(/,"subject":"[^"]*"/, "")],
    ["another version", (s: string) => s.replace('"v":1', '"v":2')],
    ["an unknown kind", (s: string) => s.replace('"kind":"request"', '"kind":"rumour"')],
    ["a short digest", (s: string) => s.replace(/"sha256":"[^"]{4}/, '"sha256":"')],
    ["a time without milliseconds", (s: string) => s.replace(".123Z", "Z")],
    ["an id with a space", (s: string) => s.replace("req_01", "req 01")],
    ["not JSON", () => "entry"],
  ])("refuse %s", (_name, tamper) => {
    const bytes = new Uint8Array(Buffer.from(tamper(Buffer.from(encodeEntry(entry)).toString("utf8"))));
    expect(() => decodeEntry(bytes)).toThrow(InvalidEntryError);
  });

  it("refuse invalid UTF-8", () => {
    const bytes = Buffer.from(encodeEntry(entry));
    bytes[8] = 0xff;
    expect(() => decodeEntry(new Uint8Array(bytes))).toThrow(InvalidEntryError);
  });

  it("need a 16-byte nonce", () => {
    expect(() => newEntry({ kind: "decision", id: "d_1", time: new Date(), bytes: "x" }, new Uint8Array(8))).toThrow(InvalidEntryError);
  });

  it("hash a signed request as received, whatever the order its headers came in", () => {
    const a = requestStatement({
      method: "POST",
      targetUri: "https://h/v1/x",
      headers: { signature: "sig=:AA==:", "content-digest": "sha-256=:x:" },
      body: "{}",
    });
    const b = requestStatement({
      body: "{}",
      headers: { "content-digest": "sha-256=:x:", signature: "sig=:AA==:" },
      targetUri: "https://h/v1/x",
      method: "POST",
    } as never);
    expect(a).toBe(b);
    expect(a).toBe('{"body":"{}","headers":{"content-digest":"sha-256=:x:","signature":"sig=:AA==:"},"method":"POST","targetUri":"https://h/v1/x"}');
  });

  it("of a request hold its receipt's digest, and follow from the receipt's claim alone", () => {
    const claim = requestLogClaim({ id: "tb_1/req_1", subject: "tb_1", time: new Date("2024-06-03T16:05:00.123Z"), bytes: "the request" }, nonce);
    expect(claim).toEqual({
      id: "tb_1/req_1",
      subject: "tb_1",
      time: "2024-06-03T16:05:00.123Z",
      sha256: statementDigest("the request"),
      nonce: Buffer.from(nonce).toString("base64url"),
    });
    const withReceipt = requestEntry(claim, "eyJ.eyJ.sig");
    expect(withReceipt).toEqual({ v: 1, kind: "request", ...claim, receipt: statementDigest("eyJ.eyJ.sig") });
    expect(decodeEntry(encodeEntry(withReceipt))).toEqual(withReceipt);
    const text = Buffer.from(encodeEntry(withReceipt)).toString("utf8");
    expect(() => decodeEntry(new Uint8Array(Buffer.from(text.replace('"kind":"request"', '"kind":"decision"'))))).toThrow(InvalidEntryError);
    expect(() => decodeEntry(new Uint8Array(Buffer.from(text.replace(/"receipt":"[^"]{2}/, '"receipt":"'))))).toThrow(InvalidEntryError);
  });
});
