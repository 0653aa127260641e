/**
 * The Hoptrace profile of RFC 9421 for one request, with hashing and signing left to the caller:
 * `signing.ts` signs with a Node KeyObject, the browser console with a non-extractable WebCrypto
 * key. Both build the covered components, the parameters, the base and the fields here, so a
 * request signed in a browser is byte for byte one the hub and every other client agree on.
 * Nothing here imports Node.
 */
import { contentDigestField } from "./content-digest-field.js";
import {
  SIGNATURE_ALG,
  SIGNATURE_TAG,
  buildBase,
  messageFromHeaders,
  paramsToMap,
  requiredComponents,
  serializeParams,
  signatureFields,
} from "./signature-base.js";

export interface SignOptions {
  /** Seconds the signature stays valid; the hub accepts at most 300. */
  lifetimeSeconds?: number;
  now?: () => number;
}

export interface RequestToSign {
  method: string;
  url: string;
  headers: Headers;
  body?: string | Uint8Array;
  /** The Content-Digest field of a body streamed after signing, given instead of its bytes. */
  contentDigest?: string;
}

export interface PendingSignature {
  /** The signature base as UTF-8: the bytes the key signs. */
  base: Uint8Array;
  /** The headers to send: the request's, Content-Type and Content-Digest with a body, Signature-Input and Signature. */
  finish(signature: Uint8Array): Headers;
}

export function hasBody(req: RequestToSign): req is RequestToSign & { body: string | Uint8Array } {
  return req.body !== undefined && req.body !== null;
}

export function bodyBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * `bodySha256` is the SHA-256 of the body's bytes, given exactly when the request has a body; a
 * request with `contentDigest` is signed over that field instead.
 */
export function prepareSignature(keyId: string, req: RequestToSign, bodySha256: Uint8Array | undefined, opts: SignOptions = {}): PendingSignature {
  const headers = new Headers(req.headers);
  const digestField = req.contentDigest ?? (bodySha256 && contentDigestField("sha-256", bodySha256));
  if (digestField !== undefined) {
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    headers.set("content-digest", digestField);
  }
  const created = Math.floor((opts.now ?? Date.now)() / 1000);
  const components = requiredComponents(digestField !== undefined, headers.has("idempotency-key"));
  // The nonce keeps two identical requests in the same second from being refused as a replay.
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(12)));
  const params = { created, expires: created + (opts.lifetimeSeconds ?? 60), nonce, keyid: keyId, alg: SIGNATURE_ALG, tag: SIGNATURE_TAG };
  const signatureParams = serializeParams(components, paramsToMap(params));
  const base = buildBase(components, signatureParams, messageFromHeaders({ method: req.method.toUpperCase(), targetUri: req.url, headers }));
  return {
    base: new TextEncoder().encode(base),
    finish(signature) {
      const fields = signatureFields("sig1", signatureParams, signature);
      headers.set("signature-input", fields.signatureInput);
      headers.set("signature", fields.signature);
      return headers;
    },
  };
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

export interface SigningFetchOptions {
  fetch?: typeof fetch;
  /** Where to send a request signed for `url`; the URL itself by default. */
  sendTo?: (url: string) => string;
}

/** A fetch that signs every request with `sign` before sending it. */
export function signingFetch(sign: (req: RequestToSign) => Headers | Promise<Headers>, opts: SigningFetchOptions = {}): typeof fetch {
  return async (input, init) => {
    const inner = opts.fetch ?? fetch;
    const request = new Request(input, init);
    // The hub requires Content-Digest on every POST, PUT and PATCH: one without a body is signed and sent with an empty one.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : BODY_METHODS.has(request.method.toUpperCase()) ? new Uint8Array(0) : undefined;
    const headers = await sign({ method: request.method, url: request.url, headers: request.headers, ...(body && { body }) });
    const target = opts.sendTo ? opts.sendTo(request.url) : request.url;
    return inner(target, { method: request.method, headers, ...(body && { body }), redirect: "manual", signal: request.signal });
  };
}
