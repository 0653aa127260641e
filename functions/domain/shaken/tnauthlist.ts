import type { X509Certificate } from "@peculiar/x509";

export const TN_AUTH_LIST_OID = "1.3.6.1.5.5.7.1.26";

const TAG_SEQUENCE = 0x30;
const TAG_IA5STRING = 0x16;
const TAG_SPC_EXPLICIT = 0xa0;
const TAG_SPC_IMPLICIT = 0x80;
const MAX_SPC_LENGTH = 64;

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

// Reads one DER tag-length-value inside [offset, limit). Only single-byte tags and definite
// lengths of up to four bytes are accepted: nothing larger belongs in a TNAuthList.
function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let length: number;
  let cursor = offset + 2;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || cursor + count > limit) return undefined;
    length = 0;
    for (let k = 0; k < count; k++) length = length * 256 + (bytes[cursor + k] ?? 0);
    cursor += count;
  }
  const end = cursor + length;
  if (end > limit) return undefined;
  return { tag, start: cursor, end };
}

function readIa5(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end <= start || end - start > MAX_SPC_LENGTH) return undefined;
  let text = "";
  for (let k = start; k < end; k++) {
    const c = bytes[k] ?? 0;
    if (c < 0x21 || c > 0x7e) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
}

/**
 * Decodes a DER TNAuthorizationList (RFC 8226) and returns the first Service Provider Code entry.
 * The module uses explicit tags (`A0 len 16 len ...`); the implicit form (`80 len ...`) seen in
 * some issued certificates is accepted too.
 */
export function decodeTnAuthListSpc(der: Uint8Array): string | undefined {
  const outer = readTlv(der, 0, der.length);
  if (outer === undefined || outer.tag !== TAG_SEQUENCE || outer.end !== der.length) return undefined;
  let offset = outer.start;
  while (offset < outer.end) {
    const entry = readTlv(der, offset, outer.end);
    if (entry === undefined) return undefined;
    if (entry.tag === TAG_SPC_EXPLICIT) {
      const inner = readTlv(der, entry.start, entry.end);
      if (inner === undefined || inner.tag !== TAG_IA5STRING || inner.end !== entry.end) return undefined;
      return readIa5(der, inner.start, inner.end);
    }
    if (entry.tag === TAG_SPC_IMPLICIT) return readIa5(der, entry.start, entry.end);
    offset = entry.end;
  }
  return undefined;
}

export function hasTnAuthList(cert: X509Certificate): boolean {
  try {
    return cert.extensions.some((e) => e.type === TN_AUTH_LIST_OID);
  } catch {
    return false;
  }
}

export function readSpc(cert: X509Certificate): string | undefined {
  try {
    const extension = cert.extensions.find((e) => e.type === TN_AUTH_LIST_OID);
    if (extension === undefined) return undefined;
    return decodeTnAuthListSpc(new Uint8Array(extension.value));
  } catch {
    return undefined;
  }
}
