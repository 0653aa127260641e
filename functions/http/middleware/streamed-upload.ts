/**
 * Signed uploads too large to hold before authenticating (an RMD export is megabytes, the API's
 * body limit kilobytes). The signature over the headers is checked first, Content-Digest
 * included, so nobody unknown streams a byte into the parser; the body is then read once, as it
 * arrives, through a size bound and the digest; the request counts as authenticated, and its
 * signature as seen, only when the digest of every byte matched. Until then nothing is written.
 */
import { createHash, timingSafeEqual, type Hash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { parseDictionary } from "structured-headers";
import { SIGNATURE_TAG, messageFromHeaders, requiredComponents, verifyMessage } from "../../crypto/httpsig.js";
import type { AppDeps, AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { setSignedCaller } from "./authenticate.js";
import { refuseSignature, signingKeyLookup, verifyRefusal, type SignatureRefusal } from "./signature-check.js";
const HASHES: Record<string, string> = { "sha-256": "sha256", "sha-512": "sha512" };

interface PendingUpload {
  signatureHash: string;
  expiresAtSeconds: number;
  digests: Map<string, Uint8Array>;
  maxBytes: number;
  result?: unknown;
  bytes?: number;
  sha256?: string;
}

const uploads = new WeakMap<Request, PendingUpload>();

/** Checks media type, declared size and the signature over the headers; reads no body. */
export function uploadSignature(deps: AppDeps, opts: { mediaType: string; maxBytes: number }): MiddlewareHandler<AppEnv> {
  const base = new URL(deps.settings.publicUrl);
  const basePath = base.pathname.replace(/\/$/, "");
  return async (c, next) => {
    const contentType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (contentType !== opts.mediaType) throw new ProblemError(415, "unsupported_media_type", `the request body must be ${opts.mediaType}`);
    const encoding = c.req.header("content-encoding")?.trim().toLowerCase();
    if (encoding && encoding !== "identity")
      throw new ProblemError(415, "unsupported_media_type", `the request body must be sent without a content encoding, not ${encoding}`);
    const declared = Number(c.req.header("content-length") ?? "0");
    if (Number.isFinite(declared) && declared > opts.maxBytes) throw tooLarge(opts.maxBytes);
    const url = new URL(c.req.url);
    const targetUri = `${base.origin}${basePath}${url.pathname}${url.search}`;
    const idempotencyKey = c.req.header("idempotency-key");
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    const required = requiredComponents(true, idempotencyKey !== undefined);
    const refuse = (reason: SignatureRefusal) => refuseSignature(deps, c.get("requestId"), reason, { nowSeconds, required });
    const lookup = signingKeyLookup(deps);
    const result = await verifyMessage({
      message: messageFromHeaders({ method: c.req.method, targetUri, headers: c.req.raw.headers }),
      now: nowSeconds,
      maxSkewSeconds: deps.settings.maxClockSkewSeconds,
      maxLifetimeSeconds: deps.settings.maxSignatureLifetimeSeconds,
      requiredTag: SIGNATURE_TAG,
      requireExpires: true,
      requiredComponents: required,
      resolveKey: lookup.resolveKey,
    });
    if (!result.ok) return refuse(verifyRefusal(result, c.req.raw.headers, lookup));
    const keyRecord = lookup.record()!;
    const contentDigest = c.req.header("content-digest")!;
    const digests = expectedDigests(contentDigest);
    if (digests.size === 0) return refuse("digest_unsupported");
    uploads.set(c.req.raw, {
      signatureHash: createHash("sha256").update(result.signature).digest("hex"),
      expiresAtSeconds: (result.params.expires ?? nowSeconds) + deps.settings.maxClockSkewSeconds,
      digests,
      maxBytes: opts.maxBytes,
    });
    // The digest stands for the body wherever the body would: two uploads with equal digests are the same bytes.
    setSignedCaller(c, keyRecord, { targetUri, body: contentDigest, contentDigest, ...(idempotencyKey !== undefined && { idempotencyKey }) });
    await next();
  };
}

/**
 * Streams the body of a request `uploadSignature` accepted through `read`, then checks its
 * digest and records its signature as seen. What `read` returns is the handler's (`uploaded`).
 */
export function uploadBody<T>(deps: AppDeps, read: (body: AsyncIterable<Uint8Array>) => Promise<T>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const upload = uploads.get(c.req.raw);
    if (!upload) throw new Error("uploadBody runs after uploadSignature");
    const declared = new Map([...upload.digests.keys()].map((alg) => [alg, createHash(HASHES[alg]!)] as const));
    const file = createHash("sha256");
    const metered = meter(c.req.raw.body, upload.maxBytes, [file, ...declared.values()]);
    upload.result = await read(metered.chunks);
    // A reader that stopped early leaves bytes unread; the digest covers them too.
    for await (const _ of metered.chunks);
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    for (const [alg, hash] of declared) {
      const expected = upload.digests.get(alg)!;
      const actual = hash.digest();
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
        return refuseSignature(deps, c.get("requestId"), "digest_mismatch", { nowSeconds, required: [] });
    }
    upload.bytes = metered.bytes();
    upload.sha256 = file.digest("hex");
    if (!(await deps.requests.firstSighting(upload.signatureHash, upload.expiresAtSeconds, nowSeconds)))
      return refuseSignature(deps, c.get("requestId"), "replayed", { nowSeconds, required: [] });
    await next();
  };
}

/** The result of reading a verified upload, its size and its SHA-256 (hex). */
export function uploaded<T>(c: Context<AppEnv>): { result: T; bytes: number; sha256: string } {
  const upload = uploads.get(c.req.raw);
  if (!upload?.sha256) throw new Error("the upload was not read and verified");
  return { result: upload.result as T, bytes: upload.bytes!, sha256: upload.sha256 };
}

function meter(body: ReadableStream<Uint8Array> | null, maxBytes: number, hashes: Hash[]): { chunks: AsyncIterable<Uint8Array>; bytes: () => number } {
  let total = 0;
  const source = body?.[Symbol.asyncIterator]();
  const chunks: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const step = source ? await source.next() : { done: true as const, value: undefined };
        if (step.done) return { done: true, value: undefined };
        total += step.value.byteLength;
        if (total > maxBytes) {
          await source?.return?.();
          throw tooLarge(maxBytes);
        }
        for (const h of hashes) h.update(step.value);
        return { done: false, value: step.value };
      },
    }),
  };
  return { chunks, bytes: () => total };
}

/** The digests the sender declared, by algorithm, for the algorithms this hub computes. */
function expectedDigests(header: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  try {
    for (const [name, member] of parseDictionary(header)) {
      if (HASHES[name] && member[0] instanceof ArrayBuffer) out.set(name, new Uint8Array(member[0]));
    }
  } catch {
    return new Map();
  }
  return out;
}

/** The rest of the body is never read: the connection cannot carry another request. */
function tooLarge(max: number): ProblemError {
  return new ProblemError(413, "payload_too_large", `the upload is larger than ${max} bytes`, undefined, { connection: "close" });
}
