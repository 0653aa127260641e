/**
 * C2SP signed notes (c2sp.org/signed-note): a text, a blank line, then one line per signature,
 * "— <key name> base64(key ID ‖ signature)". Two signature types are spoken here, both Ed25519:
 * the plain note signature (type 0x01) and the timestamped `cosignature/v1` (type 0x04,
 * c2sp.org/tlog-cosignature), which signs a time along with the text.
 *
 * Verification refuses keys of small order or mixed order and non-canonical encodings (with such
 * a key anyone could produce signatures, and whoever published it could later disown what it
 * signed), then checks the signature with OpenSSL's RFC 8032 verification, which refuses a
 * non-reduced S and compares R byte for byte.
 */
import { createHash, sign, type KeyObject } from "node:crypto";
import { verifyStrict as verifyEd25519Strict } from "./ed25519.js";
import { importPublicJwk } from "./keys.js";

export const SIGNATURE_TYPE = { ed25519: 0x01, cosignatureV1: 0x04 } as const;
export type SignatureType = (typeof SIGNATURE_TYPE)[keyof typeof SIGNATURE_TYPE];

const DASH = "\u2014";
const MAX_SIGNATURES = 100;
const COSIGNATURE_HEADER = "cosignature/v1\n";

export interface NoteSignature {
  name: string;
  /** The uint32 key ID (first four bytes of the decoded signature). */
  keyId: number;
  /** What follows the key ID. */
  bytes: Uint8Array;
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

export class MalformedNoteError extends Error {
  readonly code = "malformed_note";
}

export function parseNote(note: string): Note {
  // Any control character but newline is refused, as is text that did not decode cleanly.
  if (/[\u0000-\u0009\u000b-\u001f\u007f\ufffd]/.test(note)) throw new MalformedNoteError("the note holds control characters");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new MalformedNoteError("the note has no signature block");
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith("\n")) throw new MalformedNoteError("the last signature line does not end in a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new MalformedNoteError("the note has too many signatures");
  const signatures = lines.map((line) => {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m) throw new MalformedNoteError("a signature line is malformed");
    const raw = Buffer.from(m[2]!, "base64");
    if (raw.byteLength < 5 || raw.toString("base64") !== m[2]) throw new MalformedNoteError("a signature is not canonical base64 of a key ID and a signature");
    return { name: m[1]!, keyId: raw.readUInt32BE(0), bytes: new Uint8Array(raw.subarray(4)) };
  });
  return { text, signatures };
}

export function formatNote(note: Note): string {
  if (!note.text.endsWith("\n")) throw new MalformedNoteError("a note text ends in a newline");
  const lines = note.signatures.map((s) => {
    assertKeyName(s.name);
    const raw = Buffer.alloc(4 + s.bytes.byteLength);
    raw.writeUInt32BE(s.keyId, 0);
    raw.set(s.bytes, 4);
    return `${DASH} ${s.name} ${raw.toString("base64")}\n`;
  });
  return `${note.text}\n${lines.join("")}`;
}

/** SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4] as a uint32. */
export function keyId(name: string, type: SignatureType, publicKey: Uint8Array): number {
  assertKeyName(name);
  return createHash("sha256").update(name).update("\n").update(Uint8Array.of(type)).update(publicKey).digest().readUInt32BE(0);
}

/** The vkey form (name+hex key ID+base64(type ‖ key)) by which note verifiers are configured. */
export function verifierKey(name: string, type: SignatureType, publicKey: Uint8Array): string {
  const id = keyId(name, type, publicKey).toString(16).padStart(8, "0");
  return `${name}+${id}+${Buffer.concat([Uint8Array.of(type), publicKey]).toString("base64")}`;
}

export function signNoteText(name: string, key: { privateKey: KeyObject; publicKey: Uint8Array }, text: string): NoteSignature {
  return { name, keyId: keyId(name, SIGNATURE_TYPE.ed25519, key.publicKey), bytes: new Uint8Array(sign(null, Buffer.from(text, "utf8"), key.privateKey)) };
}

/** A `cosignature/v1` over the text: the signature also commits to `timestamp` (POSIX seconds). */
export function cosignNoteText(name: string, key: { privateKey: KeyObject; publicKey: Uint8Array }, text: string, timestamp: number): NoteSignature {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new MalformedNoteError("a cosignature time is a non-negative integer");
  const signature = sign(null, cosignedMessage(text, timestamp), key.privateKey);
  const bytes = Buffer.alloc(8 + signature.byteLength);
  bytes.writeBigUInt64BE(BigInt(timestamp), 0);
  bytes.set(signature, 8);
  return { name, keyId: keyId(name, SIGNATURE_TYPE.cosignatureV1, key.publicKey), bytes: new Uint8Array(bytes) };
}

export function verifyNoteSignature(signature: NoteSignature, text: string, publicKey: Uint8Array): boolean {
  return signature.bytes.byteLength === 64 && verifyStrict(signature.bytes, Buffer.from(text, "utf8"), publicKey);
}

/** The time a valid `cosignature/v1` commits to, or undefined when it does not verify. */
export function verifyCosignature(signature: NoteSignature, text: string, publicKey: Uint8Array): number | undefined {
  const timestamp = cosignatureTime(signature);
  if (timestamp === undefined) return undefined;
  return verifyStrict(signature.bytes.subarray(8), cosignedMessage(text, timestamp), publicKey) ? timestamp : undefined;
}

/** The time a `cosignature/v1` carries, without checking it. */
export function cosignatureTime(signature: NoteSignature): number | undefined {
  if (signature.bytes.byteLength !== 72) return undefined;
  const t = Buffer.from(signature.bytes).readBigUInt64BE(0);
  return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : undefined;
}

/** An Ed25519 public key anyone can rely on: a canonical encoding of a point of prime order. */
export function isStrongEd25519Key(publicKey: Uint8Array): boolean {
  return strongKey(publicKey) !== undefined;
}

/** The key as the hub's own key import judges it (weak keys refused, judgements cached there). */
function strongKey(publicKey: Uint8Array): KeyObject | undefined {
  if (publicKey.byteLength !== 32) return undefined;
  try {
    return importPublicJwk({ kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") });
  } catch {
    return undefined;
  }
}

function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = strongKey(publicKey);
  return key !== undefined && verifyEd25519Strict(message, signature, key);
}

function cosignedMessage(text: string, timestamp: number): Buffer {
  return Buffer.from(`${COSIGNATURE_HEADER}time ${timestamp}\n${text}`, "utf8");
}

function assertKeyName(name: string): void {
  if (!/^[^\s+]+$/u.test(name)) throw new MalformedNoteError("a key name is non-empty, without spaces or plus signs");
}
