/**
 * Typed errors. The hub answers every refusal with an RFC 9457 problem whose `code` is stable and
 * whose `request_id` names the request in the hub's logs; `HoptraceApiError` carries both, with the
 * status, so a caller branches on `code` and quotes the request id when it asks for help.
 */
import type { components } from "./schema.js";

export type Problem = components["schemas"]["Problem"];

export class HoptraceApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The hub's request id (`request_id` of the problem, or the `X-Request-Id` header). */
  readonly requestId: string | undefined;
  readonly problem: Partial<Problem>;

  constructor(status: number, problem: Partial<Problem>, requestId?: string) {
    super(
      `${status} ${problem.code ?? "http_error"}: ${problem.detail ?? problem.title ?? "the hub refused the request"}${requestId ? ` (request ${requestId})` : ""}`,
    );
    this.name = "HoptraceApiError";
    this.status = status;
    this.code = problem.code ?? `http_${status}`;
    this.requestId = requestId;
    this.problem = problem;
  }
}

/** The request never got an answer: every attempt failed to connect, or the connection broke. */
export class HoptraceNetworkError extends Error {
  constructor(
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(
      `no answer from the hub after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${String((options.cause as Error)?.message ?? options.cause)}`,
      options,
    );
    this.name = "HoptraceNetworkError";
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** The error for a response that is not 2xx; `body` is its parsed JSON, if any. */
export function apiError(response: Response, body: unknown): HoptraceApiError {
  const problem: Partial<Problem> = isRecord(body) ? (body as Partial<Problem>) : {};
  return new HoptraceApiError(
    response.status,
    problem,
    typeof problem.request_id === "string" ? problem.request_id : (response.headers.get("x-request-id") ?? undefined),
  );
}

/**
 * The data of a typed client call, or a `HoptraceApiError` thrown for a refusal:
 * `const me = await unwrap(hub.GET("/v1/me"))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response, error);
  return data as T;
}
