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
import { z } from "zod";
import { canonicalJson } from "./canonical-json.js";

export const ENTRY_VERSION = 1;

/**
 * `request`: a signed request as received (its statement: `requestStatement`), with the digest of
 * the receipt it got; `receipt`: a receipt JWS logged by itself (its ASCII bytes); `decision`:
 * what the hub decided (canonical JSON).
 */
export const STATEMENT_KINDS = ["request", "receipt", "decision"] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** The format of each field. */
export const ENTRY_FORMATS = {
  id: /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,199}$/,
  subject: /^(-|[A-Za-z0-9][A-Za-z0-9._:#/-]{0,199})$/,
  time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  sha256: /^[A-Za-z0-9_-]{43}$/,
  nonce: /^[A-Za-z0-9_-]{22}$/,
} as const;

/** A log entry, each field in its format: the contract's `LogEntry` is built from it. */
export const logEntrySchema = z.object({
  v: z.literal(ENTRY_VERSION),
  kind: z.enum(STATEMENT_KINDS),
  /** Unique per statement; appending the same id twice logs it once. */
  id: z.string().regex(ENTRY_FORMATS.id),
  /** The traceback or account the statement concerns, or "-". */
  subject: z.string().regex(ENTRY_FORMATS.subject),
  /** When the hub accepted the statement, RFC 3339 UTC with milliseconds. */
  time: z.string().regex(ENTRY_FORMATS.time),
  /** base64url SHA-256 of the statement's bytes. */
  sha256: z.string().regex(ENTRY_FORMATS.sha256),
  /** base64url of 16 random bytes. */
  nonce: z.string().regex(ENTRY_FORMATS.nonce),
  /**
   * `request` entries: base64url SHA-256 of the receipt JWS the hub returned for the request.
   * The receipt carries every other field of the entry (`RequestLogClaim`), so the entry, and
   * its leaf hash, follow from the receipt alone.
   */
  receipt: z.string().regex(ENTRY_FORMATS.sha256).optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

/**
 * What a receipt says of its request's entry: all of it but the receipt's own digest, which the
 * receipt cannot contain. `requestEntry` completes it.
 */
export type RequestLogClaim = Omit<LogEntry, "v" | "kind" | "receipt">;

export class InvalidEntryError extends Error {
  readonly code = "invalid_log_entry";
}

const FIELDS_WITH_RECEIPT = Object.keys(logEntrySchema.shape).sort();
const FIELDS = FIELDS_WITH_RECEIPT.filter((f) => f !== "receipt");

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
  const ok = logEntrySchema.safeParse(e).success && !Number.isNaN(Date.parse(e.time)) && (e.receipt === undefined || e.kind === "request");
  if (!ok) throw new InvalidEntryError("the entry has a field out of its format");
  return e;
}
