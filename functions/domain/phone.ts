/**
 * Telephone numbers in E.164. Call records arrive in many shapes ("+1 (305) 555-0123",
 * "13055550123", "3055550123"); comparing calls across providers needs one canonical form.
 * Ten-digit numbers are read as North American (NANP), the only plan where that is unambiguous.
 */
export type E164 = `+${string}`;

export class InvalidPhoneNumberError extends Error {
  readonly code = "invalid_phone_number";
}

export function normaliseE164(input: string): E164 {
  const trimmed = input.trim();
  if (!/^[+0-9()\-.\s]+$/.test(trimmed)) throw new InvalidPhoneNumberError("contains characters other than digits and separators");
  const international = trimmed.startsWith("+") || trimmed.startsWith("00");
  let digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("00")) digits = digits.slice(2);
  if (!international && digits.length === 10) digits = `1${digits}`;
  if (digits.length < 8 || digits.length > 15) throw new InvalidPhoneNumberError("must have 8 to 15 digits with the country code");
  if (digits.startsWith("0")) throw new InvalidPhoneNumberError("country code cannot start with 0");
  if (digits.startsWith("1")) {
    if (digits.length !== 11) throw new InvalidPhoneNumberError("a NANP number has 10 digits after the country code 1");
    if (!/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) throw new InvalidPhoneNumberError("not a valid NANP area code and exchange");
  }
  return `+${digits}`;
}

/** Digits only, for comparing with numbers as STIR/SHAKEN carries them (no "+"). */
export function e164Digits(n: E164 | string): string {
  return n.replace(/\D/g, "");
}
