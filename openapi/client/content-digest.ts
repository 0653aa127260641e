/**
 * RFC 9530 Content-Digest over the exact body bytes. The header is an RFC 8941 dictionary
 * (`sha-256=:<base64>:`), parsed with a structured-fields parser rather than by string splitting
 * so that odd but valid spellings (several algorithms, parameters, whitespace) are handled alike
 * by every implementation.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { parseDictionary } from "structured-headers";
import { contentDigestField, type DigestAlgorithm } from "./content-digest-field.js";

export type { DigestAlgorithm } from "./content-digest-field.js";

const NODE_HASH: Record<DigestAlgorithm, string> = { "sha-256": "sha256", "sha-512": "sha512" };

function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(NODE_HASH, name);
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

export function digestBytes(body: Uint8Array | string, alg: DigestAlgorithm): Buffer {
  return createHash(NODE_HASH[alg]).update(toBytes(body)).digest();
}

export function contentDigest(body: Uint8Array | string, alg: DigestAlgorithm = "sha-256"): string {
  return contentDigestField(alg, digestBytes(body, alg));
}

/**
 * True when at least one known algorithm is present and every known algorithm present matches.
 * Unknown algorithms are ignored, as RFC 9530 asks, so a sender may add newer ones.
 */
export function verifyContentDigest(header: string, body: Uint8Array | string): boolean {
  let dictionary;
  try {
    dictionary = parseDictionary(header);
  } catch {
    return false;
  }
  let checked = 0;
  for (const [name, member] of dictionary) {
    if (!isDigestAlgorithm(name)) continue;
    const value = member[0];
    if (!(value instanceof ArrayBuffer)) return false;
    const received = new Uint8Array(value);
    const expected = digestBytes(body, name);
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) return false;
    checked += 1;
  }
  return checked > 0;
}
