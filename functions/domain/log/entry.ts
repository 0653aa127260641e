/**
 * A log entry: the few bytes the Merkle tree commits to for one statement. It names the
 * statement (kind, id, what it concerns, when the hub accepted it) and holds the SHA-256 of the
 * statement's bytes exactly as signed; the statement itself stays in the table and in evidence
 * bundles. The entry is RFC 8785 canonical JSON, so a verifier recomputes the same bytes from
 * the parsed object.
 *
 * The random nonce keeps leaf hashes, which proofs reveal to anyone, from confirming a guess:
 * a hub decision such as "traceback X ended with originator_found" has few possible statements,
 * and without the nonce its leaf hash would tell which one it is.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

export const ENTRY_VERSION = 1;

/**
 * `request`: a signed request as received (its statement: `requestStatement`), with the digest of
 * the receipt it got; `receipt`: a receipt JWS logged by itself (its ASCII bytes); `decision`:
 * what the hub decided (canonical JSON).
 */
export const STATEMENT_KINDS = ["request", "receipt", "decision"] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

export interface LogEntry {
  v: typeof ENTRY_VERSION;
  kind: StatementKind;
  /** Unique per statement; appending the same id twice logs it once. */
  id: string;
  /** The traceback or account the statement concerns, or "-". */
  subject: string;
  /** When the hub accepted the statement, RFC 3339 UTC with milliseconds. */
  time: string;
  /** base64url SHA-256 of the statement's bytes. */
  sha256: string;
  /** base64url of 16 random bytes. */
  nonce: string;
  /**
   * `request` entries: base64url SHA-256 of the receipt JWS the hub returned for the request.
   * The receipt carries every other field of the entry (`RequestLogClaim`), so the entry, and
   * its leaf hash, follow from the receipt alone.
   */
  receipt?: string;
}

/**
 * What a receipt says of its request's entry: all of it but the receipt's own digest, which the
 * receipt cannot contain. `requestEntry` completes it.
 */
export interface RequestLogClaim {
  id: string;
  subject: string;
  time: string;
  nonce: string;
  /** The digest of the request statement. */
  sha256: string;
}

export class InvalidEntryError extends Error {
  readonly code = "invalid_log_entry";
}

/** The format of each field, shared with the contract's schema of an entry. */
export const ENTRY_FORMATS = {
  id: /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,199}$/,
  subject: /^(-|[A-Za-z0-9][A-Za-z0-9._:#/-]{0,199})$/,
  time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  sha256: /^[A-Za-z0-9_-]{43}$/,
  nonce: /^[A-Za-z0-9_-]{22}$/,
} as const;
const FIELDS = ["id", "kind", "nonce", "sha256", "subject", "time", "v"];
const FIELDS_WITH_RECEIPT = ["id", "kind", "nonce", "receipt", "sha256", "subject", "time", "v"];

/**
 * The id of a statement about a subject: `<subject>/<local id>`. The statements of one traceback
 * or account share the prefix, and are stored (and read back for an evidence bundle) together.
 */
export function statementIdFor(subject: string, local: string): string {
  return subject === "-" ? local : `${subject}/${local}`;
}

export function statementDigest(statement: Uint8Array | string): string {
  return createHash("sha256").update(statement).digest("base64url");
}

export function newEntry(
  statement: { kind: StatementKind; id: string; subject?: string; time: Date; bytes: Uint8Array | string },
  nonce: Uint8Array,
): LogEntry {
  if (nonce.byteLength !== 16) throw new InvalidEntryError("an entry nonce has 16 bytes");
  return checked({
    v: ENTRY_VERSION,
    kind: statement.kind,
    id: statement.id,
    subject: statement.subject ?? "-",
    time: statement.time.toISOString(),
    sha256: statementDigest(statement.bytes),
    nonce: Buffer.from(nonce).toString("base64url"),
  });
}

/** The fields a receipt commits to, for a request accepted now, before the receipt is signed. */
export function requestLogClaim(request: { id: string; subject?: string; time: Date; bytes: string }, nonce: Uint8Array): RequestLogClaim {
  const { v: _v, kind: _k, ...claim } = newEntry({ kind: "request", ...request }, nonce);
  return claim;
}

/** The entry of a request, from what its receipt says of it and the receipt itself. */
export function requestEntry(claim: RequestLogClaim, receipt: string): LogEntry {
  return checked({
    v: ENTRY_VERSION,
    kind: "request",
    id: claim.id,
    subject: claim.subject,
    time: claim.time,
    sha256: claim.sha256,
    nonce: claim.nonce,
    receipt: statementDigest(receipt),
  });
}

export function encodeEntry(entry: LogEntry): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalJson(checked(entry)), "utf8"));
}

/** Parses entry bytes, refusing anything that is not exactly the canonical encoding of an entry. */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidEntryError("the entry is not UTF-8 JSON");
  }
  const fields = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed).sort().join() : "";
  if (fields !== FIELDS.join() && fields !== FIELDS_WITH_RECEIPT.join()) {
    throw new InvalidEntryError("the entry does not have exactly the fields of an entry");
  }
  const entry = checked(parsed as LogEntry);
  if (!Buffer.from(encodeEntry(entry)).equals(Buffer.from(bytes))) throw new InvalidEntryError("the entry is not in canonical form");
  return entry;
}

/**
 * The bytes a statement's digest is taken over, from the statement as a bundle carries it: a
 * signed request as an object (`requestStatement`), a receipt as its compact JWS, a decision as
 * any JSON value (canonical JSON). Undefined when the statement has the wrong shape for its kind.
 */
export function statementBytes(kind: StatementKind, statement: unknown): string | undefined {
  if (kind === "receipt") return typeof statement === "string" ? statement : undefined;
  if (kind === "decision") return statement === undefined ? undefined : canonicalJson(statement);
  const r = statement as { method?: unknown; targetUri?: unknown; headers?: unknown; body?: unknown } | null;
  if (typeof r !== "object" || r === null || Object.keys(r).sort().join() !== "body,headers,method,targetUri") return undefined;
  if (typeof r.method !== "string" || typeof r.targetUri !== "string" || typeof r.body !== "string") return undefined;
  if (typeof r.headers !== "object" || r.headers === null || !Object.values(r.headers).every((v) => typeof v === "string")) return undefined;
  return requestStatement(r as { method: string; targetUri: string; headers: Record<string, string>; body: string });
}

/** The bytes of a signed request as a statement: the request as received, canonical JSON. */
export function requestStatement(request: { method: string; targetUri: string; headers: Record<string, string>; body: string }): string {
  return canonicalJson({ method: request.method, targetUri: request.targetUri, headers: request.headers, body: request.body });
}

function checked(e: LogEntry): LogEntry {
  const ok =
    e.v === ENTRY_VERSION &&
    (STATEMENT_KINDS as readonly string[]).includes(e.kind) &&
    typeof e.id === "string" &&
    ENTRY_FORMATS.id.test(e.id) &&
    typeof e.subject === "string" &&
    ENTRY_FORMATS.subject.test(e.subject) &&
    typeof e.time === "string" &&
    ENTRY_FORMATS.time.test(e.time) &&
    !Number.isNaN(Date.parse(e.time)) &&
    typeof e.sha256 === "string" &&
    ENTRY_FORMATS.sha256.test(e.sha256) &&
    typeof e.nonce === "string" &&
    ENTRY_FORMATS.nonce.test(e.nonce) &&
    (e.receipt === undefined || (e.kind === "request" && typeof e.receipt === "string" && ENTRY_FORMATS.sha256.test(e.receipt)));
  if (!ok) throw new InvalidEntryError("the entry has a field out of its format");
  return e;
}
