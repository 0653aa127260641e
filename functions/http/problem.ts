/**
 * RFC 9457 problem details: the one place where errors become responses. Every problem has a
 * stable `code` (clients branch on it) and the request id (operators search logs by it).
 */
import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConflictError, DomainError, ForbiddenError, GoneError, InvalidCursorError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import type { AppEnv } from "./env.js";
import type { ProblemSchema } from "./schemas/common.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export type Problem = z.infer<typeof ProblemSchema>;
export type FieldError = NonNullable<Problem["errors"]>[number];

/** Members a problem may carry beside the standard ones. */
export type ProblemMembers = Pick<Problem, "reason">;

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  408: "Request timeout",
  409: "Conflict",
  410: "Gone",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  431: "Request header fields too large",
  500: "Internal error",
  503: "Service unavailable",
};

export const problemType = (code: string) => `urn:hoptrace:problem:${code}`;

/** Raised by middleware and routes to answer with a given problem. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    readonly members?: ProblemMembers,
  ) {
    super(detail);
    this.name = "ProblemError";
  }
}

/** The problem document itself, also for answers written outside Hono (the local server's parse errors). */
export function problemBody(status: number, code: string, detail: string, requestId: string, errors?: FieldError[], members?: ProblemMembers): Problem {
  return {
    type: problemType(code),
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    request_id: requestId,
    ...(errors && errors.length > 0 && { errors }),
    ...members,
  };
}

export function problemResponse(
  c: Context<AppEnv>,
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
  members?: ProblemMembers,
): Response {
  const body = problemBody(status, code, detail, c.get("requestId") ?? "unknown", errors, members);
  return new Response(JSON.stringify(body), { status, headers: { "content-type": PROBLEM_CONTENT_TYPE, ...headers } });
}

function domainStatus(err: DomainError): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof ConflictError) return 409;
  if (err instanceof GoneError) return 410;
  if (err instanceof RuleViolationError) return 422;
  return 400;
}

/** A domain error as the problem it is answered with: for results that report one error among others. */
export function problemOf(err: DomainError, pointerPrefix = ""): { status: number; code: string; detail: string; errors?: FieldError[] } {
  const pointer = err instanceof RuleViolationError && err.pointer ? [{ pointer: `${pointerPrefix}${err.pointer}`, detail: err.message }] : undefined;
  return { status: domainStatus(err), code: err.code, detail: err.message, ...(pointer && { errors: pointer }) };
}

/** Hono's onError: known errors become their problem; anything else a bare 500 and a log line. */
export function toProblem(err: Error, c: Context<AppEnv>, log: (msg: string, fields: Record<string, unknown>) => void): Response {
  if (err instanceof ProblemError) return problemResponse(c, err.status, err.code, err.detail, err.errors, err.headers, err.members);
  if (err instanceof InvalidCursorError) return problemResponse(c, 400, err.code, err.message, [{ pointer: "/cursor", detail: err.message }]);
  if (err instanceof DomainError) {
    const problem = problemOf(err);
    return problemResponse(c, problem.status, problem.code, problem.detail, problem.errors);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400) return problemResponse(c, 400, "malformed_request", "the request body is not valid JSON or has the wrong content type");
    if (status === 413) return problemResponse(c, 413, "payload_too_large", "the request body is larger than allowed");
    if (status === 415) return problemResponse(c, 415, "unsupported_media_type", "the request body must be application/json");
    return problemResponse(c, status, "http_error", err.message || TITLES[status] || "error");
  }
  log("unhandled error", { error: err.message, stack: err.stack, name: err.name });
  return problemResponse(c, 500, "internal_error", "an internal error occurred; quote the request id when reporting it");
}
