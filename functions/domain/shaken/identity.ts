import { finding, type Finding } from "./findings.js";

export type Attestation = "A" | "B" | "C";

export interface PassportHeader {
  alg: string;
  typ?: string;
  ppt?: string;
  x5u: string;
}

export interface PassportClaims {
  attest?: Attestation;
  orig?: { tn?: string };
  dest?: { tn?: string[] };
  iat?: number;
  origid?: string;
}

export interface ParsedIdentity {
  ok: true;
  raw: string;
  compact: string;
  params: { info?: string; alg?: string; ppt?: string };
  header: PassportHeader;
  claims: PassportClaims;
  /** Problems that do not prevent verification (an unknown attestation level, a misshapen claim). */
  findings: Finding[];
}

export interface IdentityParseFailure {
  ok: false;
  findings: Finding[];
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_IDENTITY_LENGTH = 16 * 1024;

function malformed(detail: string): IdentityParseFailure {
  return { ok: false, findings: [finding("malformed_identity", "critical", detail)] };
}

type ParamsResult = { ok: true; params: Map<string, string> } | { ok: false; detail: string };

// RFC 8224 parameters: `;name=value` where value may be a token, a quoted string or, for
// `info`, a URI in angle brackets that may itself contain `;`.
function parseParams(text: string): ParamsResult {
  const params = new Map<string, string>();
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  };
  skipSpace();
  while (i < text.length) {
    if (text[i] !== ";") return { ok: false, detail: `unexpected character at parameter offset ${i}` };
    i++;
    skipSpace();
    const nameStart = i;
    while (i < text.length && !/[\s=;]/.test(text[i] ?? "")) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name === "") return { ok: false, detail: "empty parameter name" };
    skipSpace();
    let value = "";
    if (text[i] === "=") {
      i++;
      skipSpace();
      if (text[i] === "<") {
        const end = text.indexOf(">", i + 1);
        if (end < 0) return { ok: false, detail: `unterminated <...> in parameter ${name}` };
        value = text.slice(i + 1, end).trim();
        i = end + 1;
      } else if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i];
          if (c === "\\" && i + 1 < text.length) {
            value += text[i + 1];
            i += 2;
          } else if (c === '"') {
            closed = true;
            i++;
            break;
          } else {
            value += c;
            i++;
          }
        }
        if (!closed) return { ok: false, detail: `unterminated quoted value in parameter ${name}` };
      } else {
        const valueStart = i;
        while (i < text.length && !/[\s;]/.test(text[i] ?? "")) i++;
        value = text.slice(valueStart, i);
      }
    }
    if (!params.has(name)) params.set(name, value);
    skipSpace();
  }
  return { ok: true, params };
}

function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function readClaims(payload: Record<string, unknown>, findings: Finding[]): PassportClaims {
  const claims: PassportClaims = {};

  const attest = payload.attest;
  if (attest === "A" || attest === "B" || attest === "C") {
    claims.attest = attest;
  } else if (attest !== undefined) {
    findings.push(finding("malformed_identity", "warning", `attest claim is not A, B or C: ${JSON.stringify(attest)}`));
  }

  const orig = payload.orig;
  if (orig !== undefined) {
    if (orig !== null && typeof orig === "object" && !Array.isArray(orig)) {
      const tn = (orig as Record<string, unknown>).tn;
      if (typeof tn === "string") claims.orig = { tn };
      else {
        claims.orig = {};
        findings.push(finding("malformed_identity", "warning", "orig.tn is not a string"));
      }
    } else {
      findings.push(finding("malformed_identity", "warning", "orig claim is not an object"));
    }
  }

  const dest = payload.dest;
  if (dest !== undefined) {
    if (dest !== null && typeof dest === "object" && !Array.isArray(dest)) {
      const tn = (dest as Record<string, unknown>).tn;
      // Some signers put a single string where RFC 8225 asks for an array.
      if (typeof tn === "string") claims.dest = { tn: [tn] };
      else if (Array.isArray(tn) && tn.every((t) => typeof t === "string")) claims.dest = { tn: tn as string[] };
      else {
        claims.dest = {};
        if (tn !== undefined) findings.push(finding("malformed_identity", "warning", "dest.tn is not a list of strings"));
      }
    } else {
      findings.push(finding("malformed_identity", "warning", "dest claim is not an object"));
    }
  }

  // A NumericDate in whole seconds (RFC 8225). Anything else is no time at all, and a number
  // past the safe integers (1e300) is not one that can be kept as evidence either.
  const iat = payload.iat;
  if (Number.isSafeInteger(iat)) claims.iat = iat as number;
  else if (iat !== undefined) findings.push(finding("malformed_identity", "warning", "iat claim is not a NumericDate (whole seconds)"));

  const origid = optionalString(payload.origid);
  if (origid !== undefined) claims.origid = origid;

  return claims;
}

export function parseIdentityHeader(raw: string): ParsedIdentity | IdentityParseFailure {
  if (typeof raw !== "string") return malformed("Identity header is not a string");
  if (raw.length > MAX_IDENTITY_LENGTH) return malformed("Identity header is too long");

  const text = raw.trim().replace(/^identity\s*:\s*/i, "");
  const semicolon = text.indexOf(";");
  const compact = (semicolon < 0 ? text : text.slice(0, semicolon)).trim();
  const paramText = semicolon < 0 ? "" : text.slice(semicolon);

  const parts = compact.split(".");
  if (parts.length !== 3) return malformed("PASSporT is not a compact JWS of three segments");
  const [headerSegment = "", payloadSegment = "", signatureSegment = ""] = parts;
  if (payloadSegment === "") return malformed("PASSporT in compact form without claims cannot be verified on its own");
  if (!BASE64URL.test(signatureSegment)) return malformed("PASSporT signature segment is not base64url");

  const header = decodeJsonSegment(headerSegment);
  if (header === undefined) return malformed("PASSporT header is not base64url-encoded JSON object");
  const payload = decodeJsonSegment(payloadSegment);
  if (payload === undefined) return malformed("PASSporT claims are not a base64url-encoded JSON object");

  const alg = optionalString(header.alg);
  const x5u = optionalString(header.x5u);
  if (alg === undefined) return malformed("PASSporT header has no alg");
  if (x5u === undefined) return malformed("PASSporT header has no x5u");

  const parsedParams = parseParams(paramText);
  if (!parsedParams.ok) return malformed(`Identity header parameters: ${parsedParams.detail}`);

  const findings: Finding[] = [];
  const passportHeader: PassportHeader = { alg, x5u };
  const typ = optionalString(header.typ);
  const ppt = optionalString(header.ppt);
  if (typ !== undefined) passportHeader.typ = typ;
  if (ppt !== undefined) passportHeader.ppt = ppt;
  if (ppt !== "shaken") {
    findings.push(finding("malformed_identity", "warning", `PASSporT ppt is ${ppt === undefined ? "absent" : JSON.stringify(ppt)}, not "shaken"`));
  }

  const params: ParsedIdentity["params"] = {};
  for (const key of ["info", "alg", "ppt"] as const) {
    const value = parsedParams.params.get(key);
    if (value !== undefined) params[key] = value;
  }

  return {
    ok: true,
    raw,
    compact,
    params,
    header: passportHeader,
    claims: readClaims(payload, findings),
    findings,
  };
}
