/**
 * Signs requests to Hoptrace per its protocol: RFC 9421 with Ed25519, RFC 9530 Content-Digest,
 * the Hoptrace tag, and a short validity window. Use `signedFetch` as the `fetch` of any HTTP
 * client (the generated openapi-fetch client takes it as an option).
 */
import { createPrivateKey, randomBytes, type KeyObject } from "node:crypto";
import { contentDigest } from "../../functions/crypto/digest.js";
import { SIGNATURE_TAG, messageFromHeaders, signMessage } from "../../functions/crypto/httpsig.js";
import { exportPublicJwk, jwkThumbprint } from "../../functions/crypto/keys.js";

export interface SigningKey {
  privateKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key: the `keyid` Hoptrace knows the key by. */
  keyId: string;
}

export async function signingKeyFromJwk(privateJwk: Record<string, unknown>): Promise<SigningKey> {
  const privateKey = createPrivateKey({ key: privateJwk as never, format: "jwk" });
  return { privateKey, keyId: await jwkThumbprint(exportPublicJwk(privateKey)) };
}

export interface SignOptions {
  /** Seconds the signature stays valid; the hub accepts at most 300. */
  lifetimeSeconds?: number;
  now?: () => number;
}

/**
 * The headers to add to a request: Content-Digest (with a body), Signature-Input, Signature. A
 * body streamed after signing is given by its digest (`contentDigest`) instead of its bytes.
 */
export function signRequest(
  key: SigningKey,
  req: { method: string; url: string; headers: Headers; body?: string | Uint8Array; contentDigest?: string },
  opts: SignOptions = {},
): Headers {
  const headers = new Headers(req.headers);
  const hasBody = (req.body !== undefined && req.body !== null) || req.contentDigest !== undefined;
  if (hasBody) {
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    headers.set("content-digest", req.contentDigest ?? contentDigest(req.body!));
  }
  const created = Math.floor((opts.now ?? Date.now)() / 1000);
  const components = [
    "@method",
    "@target-uri",
    ...(hasBody ? ["content-type", "content-digest"] : []),
    ...(headers.has("idempotency-key") ? ["idempotency-key"] : []),
  ];
  const { signatureInput, signature } = signMessage({
    components,
    // The nonce keeps two identical requests in the same second from being refused as a replay.
    params: { created, expires: created + (opts.lifetimeSeconds ?? 60), nonce: randomBytes(12).toString("base64url"), keyid: key.keyId, alg: "ed25519", tag: SIGNATURE_TAG },
    privateKey: key.privateKey,
    message: messageFromHeaders({ method: req.method.toUpperCase(), targetUri: req.url, headers }),
  });
  headers.set("signature-input", signatureInput);
  headers.set("signature", signature);
  return headers;
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** A fetch that signs every request with `key`. */
export function signedFetch(key: SigningKey, opts: SignOptions & { fetch?: typeof fetch } = {}): typeof fetch {
  const inner = opts.fetch ?? fetch;
  return async (input, init) => {
    const request = new Request(input, init);
    // The hub requires Content-Digest on every POST, PUT and PATCH: one without a body is signed and sent with an empty one.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : BODY_METHODS.has(request.method.toUpperCase()) ? new Uint8Array(0) : undefined;
    const headers = signRequest(key, { method: request.method, url: request.url, headers: request.headers, ...(body && { body }) }, opts);
    return inner(request.url, { method: request.method, headers, ...(body && { body }), redirect: "manual", signal: request.signal });
  };
}
