/**
 * The witness's core: it keeps the last checkpoint it accepted and judges each new one. A log
 * may only grow: a new checkpoint must be signed by the hub, name the same log, and either equal
 * the last one or extend it, as a consistency proof shows. Anything else is a fork (two trees
 * that cannot both be the log) or a rollback (a smaller tree), and both checkpoints are kept as
 * evidence: they are signed by the hub and cannot be disowned.
 */
import { InvalidCheckpointError, verifyCheckpoint } from "../crypto/checkpoint.js";
import { verifyConsistency } from "../crypto/merkle/verify.js";

export interface WitnessedCheckpoint {
  origin: string;
  size: number;
  /** base64 */
  rootHash: string;
  /** POSIX seconds the hub signed it at. */
  timestamp: number;
  checkpoint: string;
}

export type Verdict = { kind: "first" | "unchanged" | "advanced"; accepted: WitnessedCheckpoint } | { kind: "fork" | "rollback" | "invalid"; detail: string };

export const isAlarm = (v: Verdict): v is Extract<Verdict, { detail: string }> => v.kind === "fork" || v.kind === "rollback" || v.kind === "invalid";

/**
 * Judges `next` (a checkpoint note) after `last`. `proof` is the consistency proof from
 * `last.size` to the new size, needed only when the log grew.
 */
export function judge(last: WitnessedCheckpoint | undefined, next: string, proof: Uint8Array[] | undefined, jwks: { keys: object[] }): Verdict {
  let cp;
  try {
    cp = verifyCheckpoint(next, jwks, last ? { origin: last.origin } : {});
  } catch (err) {
    if (!(err instanceof InvalidCheckpointError)) throw err;
    return { kind: "invalid", detail: `the checkpoint served is not one the hub signed: ${err.message}` };
  }
  const accepted: WitnessedCheckpoint = {
    origin: cp.origin,
    size: cp.size,
    rootHash: Buffer.from(cp.rootHash).toString("base64"),
    timestamp: cp.timestamp,
    checkpoint: next,
  };
  if (!last) return { kind: "first", accepted };
  const lastRoot = new Uint8Array(Buffer.from(last.rootHash, "base64"));
  if (cp.size < last.size) return { kind: "rollback", detail: `the log shrank from ${last.size} to ${cp.size} entries` };
  if (cp.size === last.size) {
    if (Buffer.from(lastRoot).equals(Buffer.from(cp.rootHash))) return { kind: "unchanged", accepted: cp.timestamp >= last.timestamp ? accepted : last };
    return { kind: "fork", detail: `two different trees of ${cp.size} entries` };
  }
  if (!proof) return { kind: "fork", detail: `the log grew from ${last.size} to ${cp.size} entries without a consistency proof` };
  if (!verifyConsistency(last.size, cp.size, lastRoot, cp.rootHash, proof)) {
    return { kind: "fork", detail: `the tree of ${cp.size} entries does not extend the tree of ${last.size} entries witnessed before` };
  }
  return { kind: "advanced", accepted };
}
