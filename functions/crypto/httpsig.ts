/**
 * RFC 9421 HTTP Message Signatures with Ed25519, as the hub makes and checks them. The profile's
 * signature base and its verification are the client package's (openapi/client), so the hub and
 * every integrator build the same bytes; the hub verifies with the strict Ed25519 checks.
 */
import { sign as edSign, type KeyObject } from "node:crypto";
import { verifyStrict } from "./ed25519.js";
import {
  SignatureBaseError,
  buildBase,
  paramsToMap,
  serializeParams,
  signatureFields,
  type MessageView,
  type SignatureParams,
} from "../../openapi/client/signature-base.js";
import { verifyMessage as verifyProfileMessage, type VerifyOptions, type VerifyResult } from "../../openapi/client/signature-verify.js";

export type { VerifyFailure, VerifyOptions, VerifyResult } from "../../openapi/client/signature-verify.js";
export {
  SIGNATURE_ALG,
  SIGNATURE_TAG,
  SignatureBaseError,
  carriesBody,
  messageFromHeaders,
  requiredComponents,
  signatureBase,
  type MessageView,
  type SignatureParams,
} from "../../openapi/client/signature-base.js";

export function verifySignatureBase(base: string, signature: Uint8Array, key: KeyObject): boolean {
  return verifyStrict(Buffer.from(base, "utf8"), signature, key);
}

export function signMessage(opts: { label?: string; components: string[]; params: SignatureParams; privateKey: KeyObject; message: MessageView }): {
  signatureInput: string;
  signature: string;
} {
  const { privateKey } = opts;
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw new SignatureBaseError("invalid_params", "signing needs an Ed25519 private key");
  }
  const label = opts.label ?? "sig1";
  const signatureParams = serializeParams(opts.components, paramsToMap(opts.params));
  const base = buildBase(opts.components, signatureParams, opts.message);
  const signature = edSign(null, Buffer.from(base, "utf8"), privateKey);
  return signatureFields(label, signatureParams, signature);
}

/** Verifies with the strict Ed25519 checks: the hub takes no signature a lax verifier would accept. */
export function verifyMessage(opts: VerifyOptions): Promise<VerifyResult> {
  return verifyProfileMessage({ ...opts, verifySignature: verifyStrict });
}
