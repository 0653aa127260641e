/**
 * Signed checkpoints of the transparency log: C2SP tlog-checkpoint notes (origin, tree size, root
 * hash) signed by the hub key twice, with a plain Ed25519 note signature and with a timestamped
 * `cosignature/v1`.
 *
 * Why this format rather than a JWS like the receipts: it is the one the transparency ecosystem
 * (Go's sumdb, Sigsum, the transparency.dev witness network) reads, so independent witnesses can
 * check and cosign our checkpoints with their own software; a note can carry their cosignatures
 * next to ours; and it stays verifiable offline with nothing but the hub's JWKS (the Ed25519 key
 * in it, named by the origin). The time is signed through the cosignature rather than an
 * extension line, so the note body is exactly the three lines every client understands.
 */
import type { KeyObject } from "node:crypto";
import { isHash } from "./merkle/hashing.js";
import {
  cosignatureTime,
  cosignNoteText,
  formatNote,
  isStrongEd25519Key,
  keyId,
  MalformedNoteError,
  parseNote,
  SIGNATURE_TYPE,
  signNoteText,
  verifierKey,
  verifyCosignature,
  verifyNoteSignature,
} from "./signed-note.js";

export interface TreeHead {
  /** The log's identity, e.g. `api.hoptrace.example/log`. */
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export interface VerifiedCheckpoint extends TreeHead {
  /** POSIX seconds the hub signed it at. */
  timestamp: number;
  /** The `kid` of the JWKS key that signed it. */
  kid: string;
  note: string;
}

export class InvalidCheckpointError extends Error {
  readonly code = "invalid_checkpoint";
}

interface Jwk {
  kty?: unknown;
  crv?: unknown;
  x?: unknown;
  kid?: unknown;
}

export function checkpointText(head: TreeHead): string {
  if (!/^[^\s+]+$/u.test(head.origin)) throw new InvalidCheckpointError("a log origin has no spaces or plus signs");
  if (!Number.isSafeInteger(head.size) || head.size < 0) throw new InvalidCheckpointError("a tree size is a non-negative integer");
  if (!isHash(head.rootHash)) throw new InvalidCheckpointError("a root hash has 32 bytes");
  return `${head.origin}\n${head.size}\n${Buffer.from(head.rootHash).toString("base64")}\n`;
}

/** The three lines of a checkpoint body; anything else (extension lines included) is refused. */
export function parseCheckpointText(text: string): TreeHead {
  const m = /^([^\s+]+)\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/]{43}=)\n$/u.exec(text);
  if (!m) throw new InvalidCheckpointError("the checkpoint body is not origin, tree size and root hash");
  const size = Number(m[2]);
  const rootHash = new Uint8Array(Buffer.from(m[3]!, "base64"));
  if (!Number.isSafeInteger(size) || !isHash(rootHash) || Buffer.from(rootHash).toString("base64") !== m[3]) {
    throw new InvalidCheckpointError("the checkpoint's size or root hash is out of range");
  }
  return { origin: m[1]!, size, rootHash };
}

export function signCheckpoint(key: { privateKey: KeyObject; publicJwk: { x: string } }, head: TreeHead, timestamp: number): string {
  const text = checkpointText(head);
  const signer = { privateKey: key.privateKey, publicKey: new Uint8Array(Buffer.from(key.publicJwk.x, "base64url")) };
  return formatNote({ text, signatures: [signNoteText(head.origin, signer, text), cosignNoteText(head.origin, signer, text, timestamp)] });
}

/**
 * Checks a checkpoint against a JWKS: it must carry both signatures of one strong Ed25519 key of
 * the set, under the origin's name. A signature that names a known key but fails is a forgery
 * attempt and rejects the whole note; signatures of unknown keys (witnesses) are ignored.
 */
export function verifyCheckpoint(note: string, jwks: { keys: object[] }, expected: { origin?: string } = {}): VerifiedCheckpoint {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (err) {
    if (err instanceof MalformedNoteError) throw new InvalidCheckpointError(err.message);
    throw err;
  }
  const head = parseCheckpointText(parsed.text);
  if (expected.origin !== undefined && head.origin !== expected.origin)
    throw new InvalidCheckpointError(`the checkpoint is of ${head.origin}, not ${expected.origin}`);
  for (const key of logKeys(jwks)) {
    const plain = parsed.signatures.filter((s) => s.name === head.origin && s.keyId === keyId(head.origin, SIGNATURE_TYPE.ed25519, key.publicKey));
    const timed = parsed.signatures.filter((s) => s.name === head.origin && s.keyId === keyId(head.origin, SIGNATURE_TYPE.cosignatureV1, key.publicKey));
    if (plain.length === 0 && timed.length === 0) continue;
    if (!plain.every((s) => verifyNoteSignature(s, parsed.text, key.publicKey))) throw new InvalidCheckpointError("a signature by the hub key does not verify");
    const times = timed.map((s) => verifyCosignature(s, parsed.text, key.publicKey));
    if (times.some((t) => t === undefined)) throw new InvalidCheckpointError("a timestamped signature by the hub key does not verify");
    if (plain.length === 1 && times.length === 1) return { ...head, timestamp: times[0]!, kid: key.kid, note };
    throw new InvalidCheckpointError("a checkpoint carries exactly one signature and one timestamped signature by the hub key");
  }
  throw new InvalidCheckpointError("no signature by a key of the hub's JWKS");
}

/**
 * What a checkpoint says, read without checking its signatures: for the log itself, which
 * signed it, and for display. Anyone relying on it calls `verifyCheckpoint`.
 */
export function readCheckpoint(note: string): TreeHead & { timestamp?: number } {
  const parsed = parseNote(note);
  const head = parseCheckpointText(parsed.text);
  const timestamp = parsed.signatures
    .filter((s) => s.name === head.origin)
    .map(cosignatureTime)
    .find((t) => t !== undefined);
  return { ...head, ...(timestamp !== undefined && { timestamp }) };
}

/** The C2SP verifier keys of the log, for configuring note-based witnesses. */
export function logVerifierKeys(origin: string, publicJwk: { x: string }): { ed25519: string; cosignature: string } {
  const publicKey = new Uint8Array(Buffer.from(publicJwk.x, "base64url"));
  return { ed25519: verifierKey(origin, SIGNATURE_TYPE.ed25519, publicKey), cosignature: verifierKey(origin, SIGNATURE_TYPE.cosignatureV1, publicKey) };
}

function logKeys(jwks: { keys: object[] }): Array<{ kid: string; publicKey: Uint8Array }> {
  const out: Array<{ kid: string; publicKey: Uint8Array }> = [];
  for (const jwk of (Array.isArray(jwks?.keys) ? jwks.keys : []) as Jwk[]) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)) continue;
    const publicKey = new Uint8Array(Buffer.from(jwk.x, "base64url"));
    // A weak key in the set could sign for anyone; it is not a key the hub can be held to.
    if (!isStrongEd25519Key(publicKey)) continue;
    out.push({ kid: typeof jwk.kid === "string" ? jwk.kid : jwk.x, publicKey });
  }
  return out;
}
