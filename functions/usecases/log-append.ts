/**
 * Accepting a statement into the log: one conditional write of its entry, which waits there,
 * marked pending, until an integrator sequences it. Appending the same statement again (a retry,
 * a replayed follow-up) returns the entry already stored; the same id for different content is
 * refused.
 */
import { randomBytes } from "node:crypto";
import { leafHash } from "../crypto/merkle/hashing.js";
import { ConflictError } from "../domain/errors.js";
import { decodeEntry, encodeEntry, newEntry, type LogEntry, type StatementKind } from "../domain/log/entry.js";
import type { LogDeps, StoredEntry } from "./log-ports.js";

export interface Statement {
  kind: StatementKind;
  /** Unique per statement, e.g. `tb_01J…/req_01J…` for a signed request about a traceback. */
  id: string;
  /** The traceback or account it concerns. */
  subject?: string;
  /** The statement exactly as signed or decided. */
  bytes: Uint8Array | string;
}

export interface AppendedEntry {
  statementId: string;
  entry: LogEntry;
  /** The RFC 9162 leaf hash of the entry. */
  leafHash: Uint8Array;
  acceptedAt: string;
  /** Known once integrated. */
  index?: number;
}

export async function appendStatement(deps: LogDeps, statement: Statement, evidence?: Record<string, unknown>): Promise<AppendedEntry> {
  const entry = newEntry({ ...statement, time: deps.clock.now() }, (deps.randomBytes ?? randomBytes)(16));
  return appendEntry(deps, entry, evidence);
}

/**
 * Writes an entry already made (a request's, which its receipt commits to), with the evidence to
 * keep beside it. An entry of the same statement already stored wins: a repeat with another
 * nonce or time is the same statement logged once. The same id for another statement, or
 * another receipt, is refused.
 */
export async function appendEntry(deps: Pick<LogDeps, "logStore" | "onAppended">, entry: LogEntry, evidence?: Record<string, unknown>): Promise<AppendedEntry> {
  const bytes = encodeEntry(entry);
  const stored: StoredEntry = { statementId: entry.id, entry: bytes, leafHash: leafHash(bytes), acceptedAt: entry.time, ...(evidence && { evidence }) };
  const put = await deps.logStore.putEntry(stored);
  if (put.created) {
    deps.onAppended?.();
    return appended(stored, entry);
  }
  const existing = decodeEntry(put.existing.entry);
  if (existing.kind !== entry.kind || existing.subject !== entry.subject || existing.sha256 !== entry.sha256 || existing.receipt !== entry.receipt) {
    throw new ConflictError("statement_already_logged", `statement ${entry.id} is already in the log with other content`);
  }
  return appended(put.existing, existing);
}

function appended(stored: StoredEntry, entry: LogEntry): AppendedEntry {
  return {
    statementId: stored.statementId,
    entry,
    leafHash: stored.leafHash,
    acceptedAt: stored.acceptedAt,
    ...(stored.index !== undefined && { index: stored.index }),
  };
}
