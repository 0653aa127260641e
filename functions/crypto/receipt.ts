/**
 * Signing receipts with the hub key. What a receipt holds is the client package's
 * (openapi/client/receipt.ts), so the hub signs exactly the claims every verifier checks; the
 * offline verifier checks them here with the strict Ed25519 rules.
 */
import { sign, type KeyObject } from "node:crypto";
import { decodeJwt } from "jose";
import { z } from "zod";
import { InvalidReceiptError, RECEIPT_ALG, RECEIPT_TYPE, receiptClaims, type ReceiptClaims } from "../../openapi/client/receipt.js";
import { verifyStrict } from "./ed25519.js";
import { importPublicJwk, type Ed25519PublicJwk } from "./keys.js";

export { InvalidReceiptError, RECEIPT_TYPE, type ReceiptClaims } from "../../openapi/client/receipt.js";

/**
 * A compact JWS, signed synchronously: every accepted request gets one, and WebCrypto's
 * asynchronous job per signature costs several times the signature itself. Ed25519 is
 * deterministic, so the receipt is byte for byte what a JOSE library signs.
 */
export async function signReceipt(key: { privateKey: KeyObject; kid: string }, claims: ReceiptClaims): Promise<string> {
  const checked = receiptClaims(claims);
  if (!checked) throw new InvalidReceiptError("receipt claims are incomplete");
  if (key.privateKey.asymmetricKeyType !== "ed25519") throw new TypeError("receipts are signed with an Ed25519 key");
  const input = `${base64urlJson({ alg: RECEIPT_ALG, kid: key.kid, typ: RECEIPT_TYPE })}.${base64urlJson(checked)}`;
  return `${input}.${sign(null, Buffer.from(input, "ascii"), key.privateKey).toString("base64url")}`;
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

const headerSchema = z.object({ alg: z.literal(RECEIPT_ALG), typ: z.literal(RECEIPT_TYPE), kid: z.string().min(1) }).strict();

/**
 * Checks signature, algorithm, type and claim shape. Receipts are evidence kept for years, so no
 * expiry applies: a receipt stays valid for as long as its key is in the JWKS.
 *
 * Verified here (RFC 7515 compact serialisation, RFC 8037 EdDSA) with the strict Ed25519 check
 * the hub applies to every signature, synchronously: an offline verifier checks thousands of
 * receipts, and WebCrypto's asynchronous verify costs several times the signature itself. Any
 * JOSE library verifies the same receipts (the tests use jose).
 */
export async function verifyReceipt(jws: string, jwks: { keys: object[] }): Promise<ReceiptClaims> {
  const parts = jws.split(".");
  const [header, payload, signature] = parts.map(strictBase64url);
  const parsedHeader = parts.length === 3 && header ? headerSchema.safeParse(parseJson(header)) : undefined;
  if (!parsedHeader?.success || !payload || !signature) throw new InvalidReceiptError("receipt signature or header is not valid");
  const jwk = (jwks.keys as Array<Record<string, unknown>>).find(
    (k) => k.kid === parsedHeader.data.kid && k.kty === "OKP" && k.crv === "Ed25519" && (k.alg === undefined || k.alg === RECEIPT_ALG),
  );
  let key: KeyObject;
  try {
    key = importPublicJwk({ kty: "OKP", crv: "Ed25519", x: jwk?.x });
  } catch {
    throw new InvalidReceiptError("receipt signature or header is not valid");
  }
  if (!verifyStrict(Buffer.from(`${parts[0]}.${parts[1]}`, "ascii"), signature, key)) throw new InvalidReceiptError("receipt signature or header is not valid");
  const claims = receiptClaims(parseJson(payload));
  if (!claims) throw new InvalidReceiptError("receipt claims are incomplete");
  return claims;
}

/** Unpadded base64url with one spelling per value: anything else is not a JWS part. */
function strictBase64url(part: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  return bytes.toString("base64url") === part ? new Uint8Array(bytes) : undefined;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The claims of a receipt, read without checking its signature: only to find what it names (its
 * log entry), never to believe it. Undefined when it is not a receipt's shape.
 */
export function decodeReceiptClaims(jws: string): ReceiptClaims | undefined {
  try {
    return receiptClaims(decodeJwt(jws));
  } catch {
    return undefined;
  }
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
