/**
 * Page cursors the hub can recognise as its own. A cursor carries a position in a DynamoDB
 * listing; handed back edited, forged or on another listing it would steer a Query where it was
 * never meant to go. So each cursor is sealed with an HMAC over the listing it was issued for,
 * under a key only the hub holds: anything else fails to open.
 */
import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";

export interface CursorSeal {
  /** `cursor` (base64url) bound to `listing`, as handed to clients. */
  seal(listing: string, cursor: string): string;
  /** The cursor sealed for `listing`, or undefined for anything the hub did not issue for it. */
  open(listing: string, sealed: string): string | undefined;
}

const MAC_LENGTH = 43; // base64url of 32 bytes

export function cursorSeal(secret: Uint8Array): CursorSeal {
  const mac = (listing: string, cursor: string) => createHmac("sha256", secret).update(listing).update("\n").update(cursor).digest("base64url");
  return {
    seal: (listing, cursor) => `${cursor}.${mac(listing, cursor)}`,
    open: (listing, sealed) => {
      const dot = sealed.length - MAC_LENGTH - 1;
      if (dot < 1 || sealed[dot] !== ".") return undefined;
      const cursor = sealed.slice(0, dot);
      // Compared as text: a second spelling of the same bytes is not the hub's cursor either.
      const given = Buffer.from(sealed.slice(dot + 1));
      const expected = Buffer.from(mac(listing, cursor));
      return given.length === expected.length && timingSafeEqual(given, expected) ? cursor : undefined;
    },
  };
}

/**
 * A secret for one purpose derived from the hub's Ed25519 private key (HKDF-SHA256), so no
 * further secret has to be stored or configured, and a key rotation rotates it too.
 */
export function secretFromHubKey(privateKey: KeyObject, purpose: string): Uint8Array {
  const { d } = privateKey.export({ format: "jwk" });
  if (typeof d !== "string") throw new Error("the hub key has no private part");
  return new Uint8Array(hkdfSync("sha256", Buffer.from(d, "base64url"), "hoptrace", purpose, 32));
}
