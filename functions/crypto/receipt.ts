/**
 * Receipts: compact JWS signed by the hub key over the provider's signed request and the
 * response we gave, so neither side can later deny the exchange. Verifiable by anyone holding
 * the published JWKS, with any JOSE library.
 */
import type { KeyObject } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import { z } from "zod";
import { verifyStrict } from "./ed25519.js";
import { importPublicJwk, type Ed25519PublicJwk } from "./keys.js";

export const RECEIPT_TYPE = "hoptrace-receipt+jwt";
const RECEIPT_ALG = "EdDSA";

export interface ReceiptClaims {
  iss: string;
  iat: number;
  /** The request id. */
  jti: string;
  /** The account id of the caller. */
  sub: string;
  req: {
    method: string;
    target_uri: string;
    keyid: string;
    signature_input: string;
    signature: string;
    content_digest?: string;
    idempotency_key?: string;
  };
  res: { status: number; content_digest: string };
  /**
   * The request's transparency log entry, all but the digest of this receipt (which completes
   * it): the statement id to ask an inclusion proof for, and what the entry holds.
   */
  log?: { id: string; subject: string; time: string; nonce: string; sha256: string };
}

export class InvalidReceiptError extends Error {
  readonly code = "invalid_receipt";
  constructor(message: string) {
    super(message);
    this.name = "InvalidReceiptError";
  }
}

const claimsSchema = z.object({
  iss: z.string().min(1),
  iat: z.number().int().nonnegative(),
  jti: z.string().min(1),
  sub: z.string().min(1),
  req: z.object({
    method: z.string().min(1),
    target_uri: z.string().min(1),
    keyid: z.string().min(1),
    signature_input: z.string().min(1),
    signature: z.string().min(1),
    content_digest: z.string().min(1).optional(),
    idempotency_key: z.string().min(1).optional(),
  }),
  res: z.object({
    status: z.number().int().min(100).max(599),
    content_digest: z.string().min(1),
  }),
  log: z.object({ id: z.string().min(1), subject: z.string().min(1), time: z.string().min(1), nonce: z.string().min(1), sha256: z.string().min(1) }).optional(),
});

export async function signReceipt(key: { privateKey: KeyObject; kid: string }, claims: ReceiptClaims): Promise<string> {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new InvalidReceiptError("receipt claims are incomplete");
  return new SignJWT({ ...parsed.data })
    .setProtectedHeader({ alg: RECEIPT_ALG, kid: key.kid, typ: RECEIPT_TYPE })
    .sign(key.privateKey);
}

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
  const jwk = (jwks.keys as Array<Record<string, unknown>>).find((k) => k.kid === parsedHeader.data.kid && k.kty === "OKP" && k.crv === "Ed25519" && (k.alg === undefined || k.alg === RECEIPT_ALG));
  let key: KeyObject;
  try {
    key = importPublicJwk({ kty: "OKP", crv: "Ed25519", x: jwk?.x });
  } catch {
    throw new InvalidReceiptError("receipt signature or header is not valid");
  }
  if (!verifyStrict(Buffer.from(`${parts[0]}.${parts[1]}`, "ascii"), signature, key)) throw new InvalidReceiptError("receipt signature or header is not valid");
  const parsed = claimsSchema.safeParse(parseJson(payload));
  if (!parsed.success) throw new InvalidReceiptError("receipt claims are incomplete");
  return parsed.data;
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
    const parsed = claimsSchema.safeParse(decodeJwt(jws));
    return parsed.success ? parsed.data : undefined;
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
