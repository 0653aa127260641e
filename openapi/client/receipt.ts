/**
 * Receipts: the `Hoptrace-Receipt` header of every accepted write, a compact JWS signed by the hub
 * key over the caller's signed request and the response it got, so neither side can later deny the
 * exchange. Anyone holding the hub's JWKS (`/.well-known/jwks.json`) verifies one.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";

export const RECEIPT_TYPE = "hoptrace-receipt+jwt";
export const RECEIPT_ALG = "EdDSA";

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

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown) => typeof v === "string" && v.length > 0;
const optionalText = (v: unknown) => v === undefined || text(v);
const whole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * The claims when every member the protocol defines is present and well typed, else undefined.
 * Other members are kept: a newer hub may add claims, and a verifier must not drop them silently.
 */
export function receiptClaims(value: unknown): ReceiptClaims | undefined {
  if (!isObject(value) || !isObject(value.req) || !isObject(value.res)) return undefined;
  const { iss, iat, jti, sub, req, res } = value;
  if (!text(iss) || !whole(iat, 0) || !text(jti) || !text(sub)) return undefined;
  if (
    ![req.method, req.target_uri, req.keyid, req.signature_input, req.signature].every(text) ||
    !optionalText(req.content_digest) ||
    !optionalText(req.idempotency_key)
  )
    return undefined;
  if (!whole(res.status, 100, 599) || !text(res.content_digest)) return undefined;
  const log = value.log;
  if (log !== undefined && (!isObject(log) || ![log.id, log.subject, log.time, log.nonce, log.sha256].every(text))) return undefined;
  return value as unknown as ReceiptClaims;
}

/**
 * Checks signature, algorithm, type and claim shape against the hub's JWKS. Receipts are evidence
 * kept for years, so no expiry applies: a receipt stays valid for as long as its key is in the JWKS.
 */
export async function verifyReceipt(jws: string, jwks: { keys: readonly object[] }): Promise<ReceiptClaims> {
  let payload: unknown;
  try {
    const result = await jwtVerify(jws, createLocalJWKSet(jwks as JSONWebKeySet), { algorithms: [RECEIPT_ALG], typ: RECEIPT_TYPE });
    payload = result.payload;
  } catch {
    throw new InvalidReceiptError("receipt signature or header is not valid");
  }
  const claims = receiptClaims(payload);
  if (!claims) throw new InvalidReceiptError("receipt claims are incomplete");
  return claims;
}
