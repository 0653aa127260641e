export interface CertificateFetcherOptions {
  /** SSRF guard: throws to refuse a URL (private addresses, disallowed hosts). */
  checkUrl: (url: string) => Promise<void>;
  fetch?: typeof fetch;
  /** Largest accepted body; SHAKEN certificates with a chain are a few KiB. */
  maxBytes?: number;
  timeoutMs?: number;
  cacheTtlMs?: number;
  now?: () => number;
  /** x5u must be https; plain http only for local test servers. */
  allowHttp?: boolean;
  maxCacheEntries?: number;
}

export type CertificateFetcher = (x5u: string) => Promise<Uint8Array | undefined>;

const DEFAULT_MAX_BYTES = 16 * 1024;
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_CACHE_TTL_MS = 10 * 60 * 1000;
const DEFAULT_MAX_CACHE_ENTRIES = 512;

interface CacheEntry {
  bytes: Uint8Array;
  expiresAt: number;
}

async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Fetches x5u certificates for verification. Refuses redirects (the guard checked only the first
 * URL), bounds size and time, caches successes per URL, and never throws: a missing certificate
 * is a finding for the caller, not an error.
 */
export function createCertificateFetcher(opts: CertificateFetcherOptions): CertificateFetcher {
  const doFetch = opts.fetch ?? fetch;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cacheTtlMs = opts.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const maxEntries = opts.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<Uint8Array | undefined>>();

  function remember(url: string, bytes: Uint8Array): void {
    if (cacheTtlMs <= 0) return;
    cache.delete(url);
    cache.set(url, { bytes, expiresAt: now() + cacheTtlMs });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done === true) break;
      cache.delete(oldest.value);
    }
  }

  async function download(url: string): Promise<Uint8Array | undefined> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const schemeAllowed = parsed.protocol === "https:" || (opts.allowHttp === true && parsed.protocol === "http:");
    if (!schemeAllowed || parsed.username !== "" || parsed.password !== "") return undefined;

    try {
      await opts.checkUrl(parsed.href);
    } catch {
      return undefined;
    }

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await doFetch(parsed.href, {
        method: "GET",
        redirect: "manual",
        signal: controller.signal,
        headers: { accept: "application/pkix-cert, application/pem-certificate-chain, application/x-pem-file" },
      });
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        return undefined;
      }
      const declared = Number(response.headers.get("content-length"));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body.cancel().catch(() => undefined);
        return undefined;
      }
      const bytes = await readLimited(response.body, maxBytes);
      if (bytes === undefined || bytes.byteLength === 0) return undefined;
      remember(url, bytes);
      return bytes;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return async (x5u: string): Promise<Uint8Array | undefined> => {
    try {
      const cached = cache.get(x5u);
      if (cached !== undefined) {
        if (cached.expiresAt > now()) return cached.bytes.slice();
        cache.delete(x5u);
      }
      let pending = inFlight.get(x5u);
      if (pending === undefined) {
        pending = download(x5u).finally(() => inFlight.delete(x5u));
        inFlight.set(x5u, pending);
      }
      const bytes = await pending;
      return bytes?.slice();
    } catch {
      return undefined;
    }
  };
}
