/**
 * The offline verifier's core for the log: given the log part of an evidence bundle and the
 * hub's JWKS, checks the checkpoint's signatures, that every entry is the canonical form of
 * itself, that its statement (when the bundle carries it) hashes to the entry's digest, that its
 * inclusion proof leads to the checkpoint's root, and, against a checkpoint the reader already
 * trusts, that neither tree rewrote the other. Pure: no network, no clock, nothing from the hub
 * but what the bundle and the JWKS hold.
 */
import { InvalidCheckpointError, verifyCheckpoint, type VerifiedCheckpoint } from "../crypto/checkpoint.js";
import { leafHash } from "../crypto/merkle/hashing.js";
import { verifyConsistency, verifyInclusion } from "../crypto/merkle/verify.js";
import { encodeEntry, InvalidEntryError, statementBytes, statementDigest } from "../domain/log/entry.js";
import { LogEvidenceSchema, type LogEvidence } from "../http/schemas/log.js";

export interface EntryReport {
  index: number;
  id: string;
  ok: boolean;
  problems: string[];
}

export interface LogEvidenceReport {
  ok: boolean;
  /** Problems of the bundle as a whole. */
  problems: string[];
  checkpoint?: { origin: string; size: number; rootHash: string; time: string; kid: string };
  /** Present when a trusted checkpoint was given. */
  trusted?: { size: number; consistent: boolean };
  entries: EntryReport[];
}

export interface VerifyOptions {
  /** The origin the bundle's checkpoint must name. */
  origin?: string;
  /** A checkpoint the reader already holds (from a witness, an earlier bundle). */
  trustedCheckpoint?: string;
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

export function verifyLogEvidence(input: unknown, jwks: { keys: object[] }, opts: VerifyOptions = {}): LogEvidenceReport {
  const parsed = LogEvidenceSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => `/${i.path.join("/")}: ${i.message}`);
    return { ok: false, problems: [`the bundle's log evidence is malformed (${where.join("; ")})`], entries: [] };
  }
  return checkLogEvidence(parsed.data, jwks, opts);
}

/** The checks of `verifyLogEvidence`, on evidence already parsed (an evidence bundle's). */
export function checkLogEvidence(evidence: LogEvidence, jwks: { keys: object[] }, opts: VerifyOptions = {}): LogEvidenceReport {
  const problems: string[] = [];
  let checkpoint: VerifiedCheckpoint | undefined;
  try {
    checkpoint = checkpointOf(evidence.checkpoint, jwks, opts.origin);
  } catch (err) {
    if (!(err instanceof InvalidCheckpointError)) throw err;
    problems.push(`the checkpoint is not the hub's: ${err.message}`);
  }
  const entries = evidence.entries.map((e) => checkEntry(e, checkpoint));
  const seenIds = new Set<string>();
  const seenIndexes = new Set<number>();
  for (const e of evidence.entries) {
    if (seenIds.has(e.entry.id)) problems.push(`statement ${e.entry.id} appears twice`);
    if (seenIndexes.has(e.index)) problems.push(`index ${e.index} appears twice`);
    seenIds.add(e.entry.id);
    seenIndexes.add(e.index);
  }
  const trusted =
    opts.trustedCheckpoint !== undefined && checkpoint ? checkTrusted(opts.trustedCheckpoint, checkpoint, evidence.consistency, jwks, problems) : undefined;
  if (opts.trustedCheckpoint !== undefined && !checkpoint)
    problems.push("consistency with the trusted checkpoint cannot be checked without a valid checkpoint");
  return {
    ok: problems.length === 0 && entries.every((e) => e.ok),
    problems,
    ...(checkpoint && {
      checkpoint: {
        origin: checkpoint.origin,
        size: checkpoint.size,
        rootHash: Buffer.from(checkpoint.rootHash).toString("base64"),
        time: new Date(checkpoint.timestamp * 1000).toISOString(),
        kid: checkpoint.kid,
      },
    }),
    ...(trusted && { trusted }),
    entries,
  };
}

/**
 * Bundles fetched together share their checkpoint: its signatures are checked once per note,
 * key set and origin (all the result depends on), however many bundles carry it.
 */
const checkpoints = new Map<string, VerifiedCheckpoint | InvalidCheckpointError>();
const CHECKPOINTS_MAX = 1_000;

function checkpointOf(note: string, jwks: { keys: object[] }, origin: string | undefined): VerifiedCheckpoint {
  const id = JSON.stringify([note, jwks.keys, origin ?? null]);
  let known = checkpoints.get(id);
  if (!known) {
    try {
      known = verifyCheckpoint(note, jwks, origin !== undefined ? { origin } : {});
    } catch (err) {
      if (!(err instanceof InvalidCheckpointError)) throw err;
      known = err;
    }
    if (checkpoints.size >= CHECKPOINTS_MAX) checkpoints.delete(checkpoints.keys().next().value!);
    checkpoints.set(id, known);
  }
  if (known instanceof InvalidCheckpointError) throw known;
  return known;
}

function checkEntry(e: LogEvidence["entries"][number], checkpoint: VerifiedCheckpoint | undefined): EntryReport {
  const problems: string[] = [];
  let bytes: Uint8Array | undefined;
  try {
    bytes = encodeEntry(e.entry);
  } catch (err) {
    if (!(err instanceof InvalidEntryError)) throw err;
    problems.push(`the entry is not a valid entry: ${err.message}`);
  }
  if (e.statement !== undefined) {
    const statement = statementBytes(e.entry.kind, e.statement);
    if (statement === undefined) problems.push(`the statement is not a ${e.entry.kind}`);
    else if (statementDigest(statement) !== e.entry.sha256) problems.push("the statement does not hash to the entry's digest");
  }
  if (bytes && checkpoint) {
    if (e.index >= checkpoint.size) problems.push(`index ${e.index} is past the checkpoint's ${checkpoint.size} entries`);
    else if (!verifyInclusion(e.index, checkpoint.size, leafHash(bytes), e.proof.map(b64), checkpoint.rootHash))
      problems.push("the inclusion proof does not lead to the checkpoint's root");
  } else if (!checkpoint) {
    problems.push("inclusion cannot be checked without a valid checkpoint");
  }
  return { index: e.index, id: e.entry.id, ok: problems.length === 0, problems };
}

function checkTrusted(
  note: string,
  checkpoint: VerifiedCheckpoint,
  consistency: LogEvidence["consistency"],
  jwks: { keys: object[] },
  problems: string[],
): { size: number; consistent: boolean } | undefined {
  let trusted: VerifiedCheckpoint;
  try {
    trusted = verifyCheckpoint(note, jwks, { origin: checkpoint.origin });
  } catch (err) {
    if (!(err instanceof InvalidCheckpointError)) throw err;
    problems.push(`the trusted checkpoint does not verify: ${err.message}`);
    return undefined;
  }
  const [older, newer] = trusted.size <= checkpoint.size ? [trusted, checkpoint] : [checkpoint, trusted];
  let consistent: boolean;
  if (older.size === newer.size) {
    consistent = Buffer.from(older.rootHash).equals(Buffer.from(newer.rootHash));
  } else if (!consistency || consistency.from !== older.size || consistency.to !== newer.size) {
    problems.push(`the bundle has no consistency proof from ${older.size} to ${newer.size}`);
    return { size: trusted.size, consistent: false };
  } else {
    consistent = verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, consistency.proof.map(b64));
  }
  if (!consistent) problems.push(`the log was rewritten: the trees of ${older.size} and ${newer.size} entries are not consistent`);
  return { size: trusted.size, consistent };
}
