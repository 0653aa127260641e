/**
 * Signing receipts with the hub key. What a receipt holds and how anyone verifies it with the
 * published JWKS is the client package's (openapi/client/receipt.ts), so the hub signs exactly
 * the claims every verifier checks.
 */
import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { InvalidReceiptError, RECEIPT_ALG, RECEIPT_TYPE, receiptClaims, type ReceiptClaims } from "../../openapi/client/receipt.js";
import type { Ed25519PublicJwk } from "./keys.js";

export { InvalidReceiptError, RECEIPT_TYPE, verifyReceipt, type ReceiptClaims } from "../../openapi/client/receipt.js";

export async function signReceipt(key: { privateKey: KeyObject; kid: string }, claims: ReceiptClaims): Promise<string> {
  const checked = receiptClaims(claims);
  if (!checked) throw new InvalidReceiptError("receipt claims are incomplete");
  return new SignJWT({ ...checked }).setProtectedHeader({ alg: RECEIPT_ALG, kid: key.kid, typ: RECEIPT_TYPE }).sign(key.privateKey);
}

export function publicJwks(keys: Array<{ publicJwk: Ed25519PublicJwk; kid: string }>): { keys: object[] } {
  return {
    keys: keys.map(({ publicJwk, kid }) => ({
      kty: publicJwk.kty,
      crv: publicJwk.crv,
      x: publicJwk.x,
      kid,
      use: "sig",
      alg: RECEIPT_ALG,
    })),
  };
}
