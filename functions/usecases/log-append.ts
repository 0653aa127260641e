/**
 * Accepting a statement into the log: one conditional write of its entry, which waits there,
 * marked pending, until an integrator sequences it. Appending the same statement again (a retry,
 * a replayed follow-up) returns the entry already stored; the same id for different content is
 * refused.
 */
import { randomBytes } from "node:crypto";
import { leafHash } from "../crypto/merkle/hashing.js";
import { ConflictError } from "../domain/errors.js";
import { decodeEntry, encodeEntry, newEntry, statementDigest, type LogEntry, type StatementKind } from "../domain/log/entry.js";
import type { LogDeps, StoredEntry } from "./log-ports.js";

export interface Statement {
  kind: StatementKind;
  /** Unique per statement, e.g. `req_01J…` for a signed request, `req_01J…/receipt` for its receipt. */
  id: string;
  /** The traceback or account it concerns. */
  subject?: string;
  /** The statement exactly as signed or decided. */
  bytes: Uint8Array | string;
}

export interface AppendedEntry {
  statementId: string;
  entry: LogEntry;
  /** What a receipt commits to: the RFC 9162 leaf hash of the entry. */
  leafHash: Uint8Array;
  acceptedAt: string;
  /** Known once integrated. */
  index?: number;
}

export async function appendStatement(deps: LogDeps, statement: Statement): Promise<AppendedEntry> {
  const now = deps.clock.now();
  const entry = newEntry({ ...statement, time: now }, (deps.randomBytes ?? randomBytes)(16));
  const bytes = encodeEntry(entry);
  const stored: StoredEntry = { statementId: entry.id, entry: bytes, leafHash: leafHash(bytes), acceptedAt: entry.time };
  const put = await deps.logStore.putEntry(stored);
  if (put.created) return appended(stored, entry);
  const existing = decodeEntry(put.existing.entry);
  if (existing.kind !== entry.kind || existing.subject !== entry.subject || existing.sha256 !== statementDigest(statement.bytes)) {
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
