/**
 * Telephone numbers as calls carry them. Call records and complaints write numbers in many shapes
 * ("+1 (305) 555-0123", "13055550123", "3055550123", "011 44 20 7946 0958"); comparing calls across
 * providers needs one canonical form, E.164. Parsing and the numbering-plan knowledge come from
 * libphonenumber-js with its `max` metadata, the only set that tells a number in service from one
 * that merely has the right length and leading digits: `min` takes unassigned ranges for valid
 * (Caribbean exchanges not in service among them), and `mobile` refuses every fixed line and toll-
 * free number. It costs the api bundle some 75 KB more than `min`, and nothing at start-up worth
 * measuring; only the api handler loads it.
 *
 * The calling number of a traced call is often spoofed, so it is read, never refused: what is
 * wrong with it becomes a finding. The called number belongs to the person who got the call and
 * must be a valid number.
 */
import { parsePhoneNumberWithError, ParseError, validatePhoneNumberLength, type PhoneNumber } from "libphonenumber-js/max";
import { finding, type Finding } from "./shaken/findings.js";

export type E164 = `+${string}`;

export class InvalidPhoneNumberError extends Error {
  readonly code = "invalid_phone_number";
}

/**
 * Numbers without a country code are read as North American, the plan of the calls traced here:
 * ten digits (or 1 and ten digits) are national, and 011 is the international prefix.
 */
const HOME_REGION = "US";

/** What caller-ID displays and switches write when the caller withheld the number (RFC 3323's URI included). */
const WITHHELD = new Set([
  "anonymous",
  "restricted",
  "private",
  "private number",
  "unavailable",
  "unknown",
  "withheld",
  "blocked",
  "out of area",
  "sip:anonymous@anonymous.invalid",
  "sips:anonymous@anonymous.invalid",
]);

/** Why a number cannot be a subscriber's line; absent for a valid number in service. */
export interface NumberFault {
  kind: "withheld" | "invalid" | "unallocated";
  detail: string;
}

export interface NumberReading {
  /** Present when the number parses as a possible number (right country code and length). */
  e164?: E164;
  fault?: NumberFault;
}

const LENGTH_PROBLEMS: Record<string, string> = {
  NOT_A_NUMBER: "is not a telephone number",
  INVALID_COUNTRY: "has no country calling code",
  TOO_SHORT: "is too short",
  TOO_LONG: "is too long",
  INVALID_LENGTH: "has a length no number of its country has",
};

function parse(text: string): { number?: PhoneNumber; problem?: string } {
  // "00" is the international prefix nearly everywhere outside North America, and no North
  // American number begins with 0, so reading it as "+" cannot mistake a national number.
  const normalised = text.replace(/^00/, "+");
  try {
    const number = parsePhoneNumberWithError(normalised, { defaultCountry: HOME_REGION, extract: false });
    if (number.isPossible()) return { number };
    return { problem: validatePhoneNumberLength(normalised, { defaultCountry: HOME_REGION }) ?? "INVALID_LENGTH" };
  } catch (err) {
    if (err instanceof ParseError) return { problem: err.message };
    throw err;
  }
}

/** The text without case or spacing differences. */
const folded = (text: string) => text.trim().toLowerCase().replace(/\s+/g, " ");

/** Everything known about a number from the number alone. */
export function readNumber(input: string): NumberReading {
  const text = input.trim();
  if (WITHHELD.has(folded(text))) {
    return { fault: { kind: "withheld", detail: `the caller ID was withheld (${JSON.stringify(input)}): there is no number to trace by` } };
  }
  const { number, problem } = parse(text);
  if (!number) return { fault: { kind: "invalid", detail: `${JSON.stringify(input)} ${LENGTH_PROBLEMS[problem ?? ""] ?? "is not a telephone number"}` } };
  const e164 = number.number as E164;
  const fault = number.countryCallingCode === "1" ? nanpFault(e164, number) : number.isValid() ? undefined : notInService(e164);
  return { e164, ...(fault && { fault }) };
}

const notInService = (e164: E164): NumberFault => ({ kind: "unallocated", detail: `${e164} is not in a number range in service` });

/**
 * North American numbers are NPA-NXX-XXXX. What no plan could ever assign (an area code or
 * exchange starting with 0 or 1) is invalid; what the metadata does not list as in service
 * (an unassigned area code such as 370, or N11 and 555 used as area codes) is unallocated, and
 * so are two exchange rules the metadata does not encode: N11 exchanges are service codes
 * (411, 911), and of the 555 exchange only 555-0100 to 555-0199 is usable, the range set
 * aside for fiction and examples; the rest is reserved for information services such as
 * 555-1212. That fictional range counts as valid, so documentation examples and tests read as
 * ordinary numbers.
 */
function nanpFault(e164: E164, number: PhoneNumber): NumberFault | undefined {
  const national = number.nationalNumber;
  const npa = national.slice(0, 3);
  const nxx = national.slice(3, 6);
  const line = national.slice(6);
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(national)) {
    return { kind: "invalid", detail: `${e164}: North American area codes and exchanges start with 2 to 9 (area code ${npa}, exchange ${nxx})` };
  }
  if (!number.isValid()) return { kind: "unallocated", detail: `${e164} is not in a number range in service (area code ${npa})` };
  if (nxx.endsWith("11")) return { kind: "unallocated", detail: `${e164}: exchange ${nxx} is an N11 service code, not assigned to subscribers` };
  if (nxx === "555" && !line.startsWith("01")) {
    return {
      kind: "unallocated",
      detail: `${e164}: 555 lines other than 555-0100 to 555-0199 are reserved for information services, not assigned to subscribers`,
    };
  }
  return undefined;
}

/** The called number in E.164, or InvalidPhoneNumberError saying why it is not a valid number. */
export function validNumber(input: string): E164 {
  const { e164, fault } = readNumber(input);
  if (fault) throw new InvalidPhoneNumberError(fault.kind === "withheld" ? `${JSON.stringify(input)} is not a telephone number` : fault.detail);
  return e164!;
}

/** The number in E.164 when it parses as a possible number. */
export function toE164(input: string): E164 | undefined {
  return parse(input.trim()).number?.number as E164 | undefined;
}

/**
 * The form in which two records of one call agree on a number, whatever it is: E.164 when it
 * parses, one word for a withheld number however it was written, otherwise the text itself
 * without case or spacing differences ("1234567890" in a CDR and "+11234567890" from the hub
 * are the same number; so are "Anonymous" and "restricted").
 */
export function numberKey(input: string): string {
  const text = folded(input);
  if (WITHHELD.has(text)) return "anonymous";
  return toE164(input) ?? text;
}

export interface CallingNumber {
  /** What the call is looked up by: the E.164 form when the number parses, otherwise as given. */
  callingNumber: string;
  callingNumberAsGiven: string;
  callingNumberE164?: E164;
  findings: Finding[];
}

const SEVERITY = { withheld: "info", invalid: "critical", unallocated: "warning" } as const;

/**
 * The calling number of a call to `called`, as given, with its findings. An impossible number is
 * critical: no plan can assign it, so it was made up. An unallocated one is a warning, since the
 * metadata can lag a newly opened area code. A withheld number is lawful, so only information;
 * and so is a neighbor-looking number, since real neighbors call too.
 */
export function readCallingNumber(asGiven: string, called: E164): CallingNumber {
  const { e164, fault } = readNumber(asGiven);
  const findings: Finding[] = [];
  if (fault) findings.push(finding(fault.kind === "unallocated" ? "unallocated_number" : "invalid_calling_number", SEVERITY[fault.kind], fault.detail));
  const neighbor = e164 && neighborSpoofing(e164, called);
  if (neighbor) findings.push(neighbor);
  return { callingNumber: e164 ?? asGiven, callingNumberAsGiven: asGiven, ...(e164 && { callingNumberE164: e164 }), findings };
}

/** A North American calling number sharing the called number's area code and exchange (NPA-NXX). */
function neighborSpoofing(calling: E164, called: E164): Finding | undefined {
  const nanp = (n: E164) => /^\+1\d{10}$/.test(n);
  if (!nanp(calling) || !nanp(called) || calling.slice(2, 8) !== called.slice(2, 8)) return undefined;
  const detail =
    calling === called
      ? `the calling number is the called number ${called} itself`
      : `${calling} shares area code and exchange ${called.slice(2, 5)}-${called.slice(5, 8)} with the called number ${called}`;
  return finding("neighbor_spoofing", "info", detail);
}
