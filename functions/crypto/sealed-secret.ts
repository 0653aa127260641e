/**
 * Secrets at rest (webhook signing secrets): AES-256-GCM under a data key kept apart from the
 * table, so a copy of the table or of its files alone reveals none of them.
 *
 * A sealed value is `hsb1.<key id>.<iv>.<ciphertext and tag>` (base64url parts). The version
 * names the format, the key id names the data key (a digest of it, so a reader can tell "sealed
 * under another key" from "tampered with"). The associated data binds the version, the key id
 * and a context naming the owner, e.g. the endpoint id: moved to another endpoint's item, the
 * ciphertext no longer opens.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "hsb1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]+$/;

export interface DataKey {
  /** A digest of the key, never the key: safe to store beside every ciphertext. */
  id: string;
  bytes: Buffer;
}

export class SealedSecretError extends Error {
  readonly code = "sealed_secret_unreadable";
  constructor(message: string) {
    super(message);
    this.name = "SealedSecretError";
  }
}

export function dataKey(bytes: Uint8Array): DataKey {
  if (bytes.length !== KEY_BYTES) throw new SealedSecretError(`a data key is ${KEY_BYTES} bytes, not ${bytes.length}`);
  const copy = Buffer.from(bytes);
  const id = createHash("sha256").update("hoptrace data key id\n").update(copy).digest().subarray(0, 9).toString("base64url");
  return { id, bytes: copy };
}

export function newDataKey(): DataKey {
  return dataKey(randomBytes(KEY_BYTES));
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${VERSION}.`);
}

export function seal(key: DataKey, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(key.id, context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, key.id, iv.toString("base64url"), body.toString("base64url")].join(".");
}

export function open(key: DataKey, sealed: string, context: string): string {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => PART.test(p))) {
    throw new SealedSecretError(`not a ${VERSION} sealed value`);
  }
  const [, keyId, ivPart, bodyPart] = parts as [string, string, string, string];
  if (keyId !== key.id) throw new SealedSecretError(`sealed under data key ${keyId}, but the key at hand is ${key.id}`);
  const iv = Buffer.from(ivPart, "base64url");
  const body = Buffer.from(bodyPart, "base64url");
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealedSecretError("a sealed value is cut short");
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(keyId, context));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SealedSecretError("a sealed value does not open: altered, or sealed for another owner");
  }
}

function associatedData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}\n${context}`, "utf8");
}
