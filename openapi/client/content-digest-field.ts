/**
 * The RFC 9530 Content-Digest field for a digest already computed: an RFC 8941 dictionary
 * (`sha-256=:<base64>:`). Hashing is left to the caller (Node's crypto on the hub, WebCrypto in
 * the browser), so this module runs anywhere.
 */
import { serializeDictionary } from "structured-headers";

export type DigestAlgorithm = "sha-256" | "sha-512";

export function contentDigestField(alg: DigestAlgorithm, digest: Uint8Array): string {
  // The serializer takes an ArrayBuffer for a byte sequence.
  return serializeDictionary(new Map([[alg, [new Uint8Array(digest).buffer, new Map()]]]));
}
