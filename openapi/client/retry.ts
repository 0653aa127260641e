/**
 * Retries as the hub asks to be retried: network errors, 5xx and 429, with exponential backoff and
 * full jitter, waiting at least what `Retry-After` says. A POST is retried only with an
 * Idempotency-Key, and every attempt carries the same one, so the hub acts once and replays its
 * answer to the rest. The wrapped fetch signs each attempt anew (a new nonce and `created`): a
 * signature is accepted once, so a resent signature would be refused as a replay.
 */
import { HoptraceNetworkError } from "./errors.js";

export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. Default 4. */
  maxAttempts?: number;
  /** The first backoff; each retry doubles it, up to `maxDelayMs`. Default 500 ms. */
  baseDelayMs?: number;
  /** Default 10 s. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this ends the retries and the response is returned. Default 60 s. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter's source. */
  random?: () => number;
  onRetry?: (retry: RetryEvent) => void;
}

export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  status?: number;
  error?: unknown;
  idempotencyKey?: string;
}

const RETRIED_STATUS = (status: number) => status === 429 || status >= 500;
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** RFC 9110 section 10.2.3: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter over the exponential backoff of the `attempt`th retry (from 1). */
export function backoffMs(attempt: number, opts: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random"> = {}): number {
  const ceiling = Math.min(opts.maxDelayMs ?? 10_000, (opts.baseDelayMs ?? 500) * 2 ** (attempt - 1));
  return Math.floor((opts.random ?? Math.random)() * ceiling);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fetch that sends through `send` and retries as described above. */
export function retryingFetch(send: typeof fetch, opts: RetryOptions = {}): typeof fetch {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const sleep = opts.sleep ?? defaultSleep;
  return async (input, init) => {
    const request = new Request(input, init);
    const method = request.method.toUpperCase();
    const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
    const retriable = IDEMPOTENT_METHODS.has(method) || idempotencyKey !== undefined;
    // Read once: every attempt sends the same bytes.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const attemptOnce = () =>
      send(request.url, { method, headers: request.headers, ...(body && { body }), redirect: request.redirect, signal: request.signal });
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await attemptOnce();
      } catch (caught) {
        if (request.signal.aborted) throw caught;
        error = caught;
      }
      const last = !retriable || attempt >= maxAttempts;
      if (response && (!RETRIED_STATUS(response.status) || last)) return response;
      if (!response && last) throw new HoptraceNetworkError(attempt, { cause: error });
      let delayMs = backoffMs(attempt, opts);
      const asked = response ? retryAfterMs(response.headers.get("retry-after")) : undefined;
      if (asked !== undefined) {
        if (asked > (opts.maxRetryAfterMs ?? 60_000)) return response!;
        delayMs = Math.max(delayMs, asked);
      }
      await response?.body?.cancel();
      opts.onRetry?.({
        method,
        url: request.url,
        attempt,
        delayMs,
        ...(response && { status: response.status }),
        ...(error !== undefined && { error }),
        ...(idempotencyKey && { idempotencyKey }),
      });
      await sleep(delayMs);
    }
  };
}
