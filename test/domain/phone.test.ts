import { describe, expect, it } from "vitest";
import { InvalidPhoneNumberError, numberKey, readCallingNumber, readNumber, toE164, validNumber } from "../../functions/domain/phone.js";

describe("reading numbers", () => {
  it.each([
    ["+1 (305) 555-0123", "+13055550123"],
    ["13055550123", "+13055550123"],
    ["1-305-555-0123", "+13055550123"],
    ["3055550123", "+13055550123"],
    ["(305) 555.0123", "+13055550123"],
    ["  305-555-0123  ", "+13055550123"],
    ["０１１４４２０７９４６０９５８", "+442079460958"],
    ["01144 20 7946 0958", "+442079460958"],
    ["011 44 20 7946 0958", "+442079460958"],
    ["011442079460958", "+442079460958"],
    ["0013055550123", "+13055550123"],
    ["0044 20 7946 0958", "+442079460958"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+44 (0) 20 7946 0958", "+442079460958"],
    ["+44 7911 123456", "+447911123456"],
    ["+1 876 234 5678", "+18762345678"],
    ["+1 604 555 0100", "+16045550100"],
    ["+1 800 555 0100", "+18005550100"],
  ])("%j is the valid number %s", (input, expected) => {
    expect(readNumber(input)).toEqual({ e164: expected });
    expect(validNumber(input)).toBe(expected);
  });

  it.each([
    ["a withheld number", "anonymous", "withheld", undefined],
    ["a withheld number in capitals", "Restricted", "withheld", undefined],
    ["the RFC 3323 anonymous URI", "sip:anonymous@anonymous.invalid", "withheld", undefined],
    ["an area code starting with 1", "1234567890", "invalid", "+11234567890"],
    ["area code 000", "+10005550100", "invalid", "+10005550100"],
    ["an exchange starting with 0", "+1 (305) 055-0123", "invalid", "+13050550123"],
    ["an exchange starting with 1", "(305) 155-0123", "invalid", "+13051550123"],
    ["a service code", "911", "invalid", undefined],
    ["letters", "305-555-CALL", "invalid", undefined],
    ["a number inside other text", "call 3055550123 now", "invalid", undefined],
    ["too few digits", "+1305555012", "invalid", undefined],
    ["too many digits", "+130555501234", "invalid", undefined],
    ["a length no British number has", "+44 20 7946 09", "invalid", undefined],
    ["no country code", "+0442079460958", "invalid", undefined],
    ["an unassigned area code", "+1 370 555 0100", "unallocated", "+13705550100"],
    ["an N11 area code", "+1 211 555 0100", "unallocated", "+12115550100"],
    ["area code 555", "+1 555 555 0100", "unallocated", "+15555550100"],
    ["an N11 exchange", "+1 305 211 0123", "unallocated", "+13052110123"],
    ["directory assistance in the 555 exchange", "305-555-1212", "unallocated", "+13055551212"],
    ["a 555 line outside the fictional range", "+1 202 555 2368", "unallocated", "+12025552368"],
    ["a Caribbean exchange not in service", "+1 242 555 0100", "unallocated", "+12425550100"],
    ["a British range not in service", "+44 40 0000 0000", "unallocated", "+444000000000"],
  ])("%s (%j) is %s", (_what, input, kind, e164) => {
    const reading = readNumber(input);
    expect(reading.fault?.kind).toBe(kind);
    expect(reading.e164).toBe(e164);
    expect(toE164(input)).toBe(e164);
  });

  it("the fictional 555-0100 to 555-0199 range reads as valid, so examples behave like real numbers", () => {
    expect(readNumber("+13055550100")).toEqual({ e164: "+13055550100" });
    expect(readNumber("+13055550199")).toEqual({ e164: "+13055550199" });
    expect(readNumber("+13055550200").fault?.kind).toBe("unallocated");
  });

  it("a number that is not valid is refused as a called number, with the reason", () => {
    for (const input of ["anonymous", "1234567890", "+10005550100", "911", "+13705550100", "+13055551212", ""]) {
      expect(() => validNumber(input)).toThrow(InvalidPhoneNumberError);
    }
    expect(() => validNumber("+1 (202) 055-0143")).toThrow(/exchange 055/);
    expect(() => validNumber("anonymous")).toThrow(/"anonymous" is not a telephone number/);
    try {
      validNumber("abc");
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidPhoneNumberError).code).toBe("invalid_phone_number");
    }
  });
});

describe("the calling number of a traced call", () => {
  const CALLED = "+12025550143" as const;

  it("is kept as given, looked up by its E.164 form, with no finding when valid", () => {
    expect(readCallingNumber("(305) 555-0123", CALLED)).toEqual({
      callingNumber: "+13055550123",
      callingNumberAsGiven: "(305) 555-0123",
      callingNumberE164: "+13055550123",
      findings: [],
    });
  });

  it("a withheld number is looked up as given and is information only", () => {
    const r = readCallingNumber("anonymous", CALLED);
    expect(r).toMatchObject({ callingNumber: "anonymous", callingNumberAsGiven: "anonymous" });
    expect(r.callingNumberE164).toBeUndefined();
    expect(r.findings).toEqual([{ code: "invalid_calling_number", severity: "info", detail: expect.stringContaining("withheld") }]);
  });

  it.each([
    ["1234567890", "+11234567890"],
    ["+10005550100", "+10005550100"],
    ["911", undefined],
    ["call me", undefined],
  ])("%j that no plan can assign is a critical invalid_calling_number", (input, e164) => {
    const r = readCallingNumber(input, CALLED);
    expect(r.callingNumberE164).toBe(e164);
    expect(r.callingNumber).toBe(e164 ?? input);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([["invalid_calling_number", "critical"]]);
  });

  it("a number not in service is an unallocated_number warning", () => {
    const r = readCallingNumber("+1 370 555 0100", CALLED);
    expect(r.callingNumber).toBe("+13705550100");
    expect(r.findings).toEqual([
      { code: "unallocated_number", severity: "warning", detail: "+13705550100 is not in a number range in service (area code 370)" },
    ]);
  });

  it("neighbor spoofing: the called number's area code and exchange", () => {
    expect(readCallingNumber("202-555-0187", CALLED).findings).toEqual([
      { code: "neighbor_spoofing", severity: "info", detail: "+12025550187 shares area code and exchange 202-555 with the called number +12025550143" },
    ]);
    expect(readCallingNumber("+12025550143", CALLED).findings).toEqual([
      { code: "neighbor_spoofing", severity: "info", detail: "the calling number is the called number +12025550143 itself" },
    ]);
    // Same area code, another exchange; or the same digits in another country: no neighbor.
    expect(readCallingNumber("+12024560143", CALLED).findings).toEqual([]);
    expect(readCallingNumber("+13055550123", "+13055560123").findings).toEqual([]);
    expect(readCallingNumber("+442025550143", CALLED).findings.map((f) => f.code)).not.toContain("neighbor_spoofing");
  });

  it("a neighbor that is also unallocated carries both findings", () => {
    expect(readCallingNumber("+1 202 555 1212", CALLED).findings.map((f) => f.code)).toEqual(["unallocated_number", "neighbor_spoofing"]);
  });
});

describe("numberKey", () => {
  it("gives every writing of one number the same key", () => {
    expect(new Set(["+1 (305) 555-0123", "13055550123", "3055550123", "0013055550123"].map(numberKey))).toEqual(new Set(["+13055550123"]));
    expect(new Set(["011 44 20 7946 0958", "+442079460958", "0044 20 7946 0958"].map(numberKey))).toEqual(new Set(["+442079460958"]));
    expect(new Set(["1234567890", "+1 123 456 7890"].map(numberKey))).toEqual(new Set(["+11234567890"]));
  });

  it("one key for a withheld number however written, and the text itself for what does not parse", () => {
    expect(new Set(["anonymous", "Anonymous", " RESTRICTED ", "Private Number", "sip:anonymous@anonymous.invalid"].map(numberKey))).toEqual(
      new Set(["anonymous"]),
    );
    expect(numberKey(" Call  ME ")).toBe("call me");
    expect(numberKey("911")).toBe("911");
  });
});
