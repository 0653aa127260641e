import { describe, expect, it } from "vitest";
import { e164Digits, InvalidPhoneNumberError, normaliseE164 } from "../../functions/domain/phone.js";

describe("normaliseE164", () => {
  it.each([
    ["3055550123", "+13055550123"],
    ["13055550123", "+13055550123"],
    ["+13055550123", "+13055550123"],
    ["+1 (305) 555-0123", "+13055550123"],
    ["(305) 555.0123", "+13055550123"],
    ["  305-555-0123  ", "+13055550123"],
    ["0013055550123", "+13055550123"],
    ["+44 20 7946 0958", "+442079460958"],
    ["0044 20 7946 0958", "+442079460958"],
  ])("reads %j as %s", (input, expected) => {
    expect(normaliseE164(input)).toBe(expected);
  });

  it.each([
    ["letters", "305-555-CALL"],
    ["a letter prefix", "tel:3055550123"],
    ["too short", "+1234567"],
    ["too long", "+1234567890123456"],
    ["empty", ""],
    ["a NANP number with 9 digits", "+1305555012"],
    ["a NANP number with 11 digits after 1", "+130555501234"],
    ["an area code starting with 0", "055-555-0123"],
    ["an area code starting with 1", "1155550123"],
    ["an exchange starting with 1", "3051550123"],
    ["an exchange starting with 0", "+13050550123"],
    ["a country code starting with 0", "+0442079460958"],
  ])("refuses %s (%j)", (_what, input) => {
    expect(() => normaliseE164(input)).toThrow(InvalidPhoneNumberError);
  });

  it("carries a stable code", () => {
    try {
      normaliseE164("abc");
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidPhoneNumberError).code).toBe("invalid_phone_number");
    }
  });

  it("ten digits are NANP only without a + or 00 prefix", () => {
    // "+3055550123" is a ten-digit international number (country code 3x), not a NANP number.
    expect(normaliseE164("+3055550123")).toBe("+3055550123");
  });

  it("e164Digits drops everything but digits", () => {
    expect(e164Digits("+13055550123")).toBe("13055550123");
  });
});
