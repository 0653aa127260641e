import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { checkDestination, pinnedLookup, type DestinationPolicy, type Resolver } from "../net/ssrf.js";
import { agentFor } from "./pinned-agents.js";

export type SendOutcome = "delivered" | "failed" | "gone" | "throttled" | "refused";

export interface SendResult {
  outcome: SendOutcome;
  status?: number;
  latencyMs: number;
  retryAfterSeconds?: number;
  /** Short machine-friendly reason; never contains headers, body or secrets. */
  error?: string;
  /** First 512 bytes of the response body, decoded as UTF-8. */
  responseSnippet?: string;
}

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs?: number;
  policy: DestinationPolicy;
  resolve?: Resolver;
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 4096;
export const SNIPPET_BYTES = 512;
export const MAX_RETRY_AFTER_SECONDS = 86_400;
/** How a kept connection that the other side closed while idle shows itself on reuse. */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE"]);

// Framing and routing headers are ours to set: a caller-supplied Host would
// defeat the pinning, and a wrong length would desynchronise the connection.
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

/** Parses Retry-After (delta-seconds or HTTP-date) into seconds from now, capped at 24 h. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return undefined;
    seconds = Math.max(0, Math.ceil((at - nowMs) / 1000));
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

function classifyStatus(status: number): { outcome: SendOutcome; error?: string } {
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  if (status >= 300 && status < 400) return { outcome: "failed", error: "redirect_not_followed" };
  if (status === 410) return { outcome: "gone", error: "http_410" };
  if (status === 429 || status === 503) return { outcome: "throttled", error: `http_${status}` };
  return { outcome: "failed", error: `http_${status}` };
}

function errorCode(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") {
    return err.code;
  }
  return "request_error";
}

/**
 * Delivers one webhook attempt. The destination is re-checked on every call,
 * redirects are never followed, at most {@link MAX_RESPONSE_BYTES} of the
 * response are read, and the whole exchange is bounded by the timeout.
 * Connections are kept alive per destination and pinned addresses
 * (pinned-agents.ts); a response read to its end leaves its connection for the
 * next attempt, anything else closes it. Never throws: every problem is
 * reported as an outcome.
 */
export async function sendWebhook(req: SendRequest): Promise<SendResult> {
  const now = req.now ?? Date.now;
  const startedAt = now();
  const elapsed = (): number => Math.max(0, now() - startedAt);

  let destination;
  try {
    destination = await checkDestination(req.url, req.policy, req.resolve);
  } catch {
    return { outcome: "refused", latencyMs: elapsed(), error: "destination_check_failed" };
  }
  if (!destination.ok) {
    return { outcome: "refused", latencyMs: elapsed(), error: destination.code };
  }
  const { url, addresses } = destination;
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  headers["content-length"] = String(Buffer.byteLength(req.body));

  const agent = agentFor(url, addresses);
  return new Promise<SendResult>((resolvePromise) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    let response: IncomingMessage | undefined;
    let retried = false;

    /** `keep` leaves the connection to the agent: only after a response read to its end. */
    const finish = (result: Omit<SendResult, "latencyMs">, keep = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!keep) {
        response?.destroy();
        request?.destroy();
      }
      resolvePromise({ ...result, latencyMs: elapsed() });
    };

    const timer = setTimeout(() => {
      finish({ outcome: "failed", error: "timeout", ...(response ? { status: response.statusCode } : {}) });
    }, timeoutMs);

    const onResponse = (res: IncomingMessage): void => {
      response = res;
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;

      const complete = (ended: boolean): void => {
        const body = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES);
        const verdict = classifyStatus(status);
        const retryAfterHeader = res.headers["retry-after"];
        const retryAfterSeconds = verdict.outcome === "throttled" ? parseRetryAfter(retryAfterHeader, now()) : undefined;
        finish(
          {
            ...verdict,
            status,
            ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
            ...(body.length > 0 ? { responseSnippet: new TextDecoder().decode(body) } : {}),
          },
          ended,
        );
      };

      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_RESPONSE_BYTES - received;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        received += Math.min(chunk.length, room);
        if (received >= MAX_RESPONSE_BYTES) complete(false);
      });
      res.on("end", () => complete(true));
      res.on("error", (err) => finish({ outcome: "failed", status, error: errorCode(err) }));
      res.on("close", () => finish({ outcome: "failed", status, error: "response_incomplete" }));
    };

    const start = (): void => {
      try {
        const transport = url.protocol === "https:" ? https : http;
        const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
        const sent = transport.request(
          {
            protocol: url.protocol,
            hostname,
            port: url.port === "" ? undefined : Number(url.port),
            path: `${url.pathname}${url.search}`,
            method: "POST",
            headers,
            agent,
            lookup: pinnedLookup(addresses),
          },
          onResponse,
        );
        request = sent;
        sent.on("error", (err) => {
          // A kept connection the receiver closed while idle fails before any answer; the
          // request goes once more on a new connection (a receiver that did get it sees the
          // same webhook-id twice, which Standard Webhooks receivers deduplicate).
          if (sent.reusedSocket && !response && !retried && !settled && RESET_CODES.has(errorCode(err))) {
            retried = true;
            start();
            return;
          }
          finish({ outcome: "failed", error: errorCode(err) });
        });
        sent.end(req.body);
      } catch (err) {
        finish({ outcome: "failed", error: errorCode(err) });
      }
    };
    start();
  });
}
