/** Shapes shared by every resource of the contract. */
import { z } from "@hono/zod-openapi";
import { timestampInput } from "../../domain/timestamp.js";
import { e164Input } from "../../usecases/traceback-input.js";

/**
 * `true` when A and B are the same type member for member (an optional member more on either
 * side is a difference): for shapes the domain states and a schema must accept exactly.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
export type Holds<T extends true> = T;

/** Why a signature was refused: the problem's `reason`, in the local mode only. */
export const SIGNATURE_REFUSALS = [
  "missing_signature",
  "malformed",
  "missing_component",
  "wrong_tag",
  "wrong_alg",
  "unknown_key",
  "not_self_signed",
  "key_not_active",
  "weak_key",
  "not_yet_valid",
  "expired",
  "lifetime_too_long",
  "bad_signature",
  "digest_mismatch",
  "digest_unsupported",
  "replayed",
] as const;

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:hoptrace:problem:validation_failed" }),
    title: z.string().openapi({ example: "Bad request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: "the request body does not match the schema" }),
    code: z.string().openapi({ example: "validation_failed", description: "Stable machine-readable problem code." }),
    request_id: z.string().openapi({ example: "req_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
    errors: z
      .array(
        z.object({
          pointer: z.string().openapi({ example: "/calledNumber" }),
          detail: z.string().openapi({ example: "Too small: expected string to have >=3 characters" }),
        }),
      )
      .optional()
      .openapi({ description: "For validation errors: JSON Pointers (RFC 6901) into the request." }),
    reason: z.enum(SIGNATURE_REFUSALS).optional().openapi({
      description:
        "For `unauthenticated` from a hub in the local mode (`npm start`): which signature check failed, with `detail` saying what it expects. A deployed hub never says; it logs the reason with `request_id`. For debugging a client, not for branching: new values may be added.",
    }),
  })
  .openapi("Problem", {
    description: "RFC 9457 problem details.",
    example: {
      type: "urn:hoptrace:problem:validation_failed",
      title: "Unprocessable content",
      status: 422,
      detail: "the request body does not match the schema",
      code: "validation_failed",
      request_id: "req_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      errors: [{ pointer: "/calledNumber", detail: "Too small: expected string to have >=3 characters" }],
    },
  });

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: PROBLEM_DESCRIPTIONS[s] ?? "Problem",
        content: { "application/problem+json": { schema: ProblemSchema, ...(PROBLEM_EXAMPLES[s] && { example: problemExample(s, ...PROBLEM_EXAMPLES[s]) }) } },
      },
    ]),
  );

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request, missing Idempotency-Key or invalid cursor",
  401: "The request signature could not be verified",
  403: "The caller's role does not allow this",
  404: "Not found, or not addressed to the caller",
  409: "Conflicts with the current state, or a request with the same Idempotency-Key is in flight",
  413: "The body is larger than allowed",
  415: "The body is not `application/json`",
  422: "Well-formed but invalid: schema or domain rule violated, or Idempotency-Key reused with another body",
  429: "The calling account is over its request rate; retry after `Retry-After`",
  431: "The request headers are larger than allowed",
  500: "An unexpected fault; quote `request_id` when reporting it",
};

/** The most common problem of each status: title, code, detail and, for validation, the pointers. */
const PROBLEM_EXAMPLES: Record<number, [string, string, string, Array<{ pointer: string; detail: string }>?]> = {
  400: ["Bad request", "invalid_parameter", "invalid query parameter", [{ pointer: "/limit", detail: "Too big: expected number to be <=100" }]],
  401: ["Unauthenticated", "unauthenticated", "the request signature could not be verified"],
  403: ["Forbidden", "forbidden", "only the consortium registers accounts"],
  404: ["Not found", "not_found", "hop request hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2 not found"],
  409: ["Conflict", "request_in_flight", "a request with this Idempotency-Key is still being processed"],
  413: ["Payload too large", "payload_too_large", "the request body is larger than 65536 bytes"],
  415: ["Unsupported media type", "unsupported_media_type", "the request body must be application/json"],
  422: [
    "Unprocessable content",
    "validation_failed",
    "the request body does not match the schema",
    [{ pointer: "/evidence", detail: "Invalid input: expected object, received undefined" }],
  ],
  429: ["Too many requests", "rate_limited", "over the rate of 20 requests per second; retry after 1 s"],
  431: ["Request header fields too large", "header_fields_too_large", "the request headers are larger than the server accepts"],
  500: ["Internal server error", "internal_error", "an internal error occurred; quote the request id when reporting it"],
};

/**
 * The problem response of a status as it stands in the generated document (the schema by
 * reference), for the statuses every route can answer that the document adds itself.
 */
export function problemResponseObject(status: number): { description: string; content: Record<string, { schema: { $ref: string }; example?: unknown }> } {
  const example = PROBLEM_EXAMPLES[status];
  return {
    description: PROBLEM_DESCRIPTIONS[status] ?? "Problem",
    content: {
      "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" }, ...(example && { example: problemExample(status, ...example) }) },
    },
  };
}

const problemExample = (status: number, title: string, code: string, detail: string, errors?: Array<{ pointer: string; detail: string }>) => ({
  type: `urn:hoptrace:problem:${code}`,
  title,
  status,
  detail,
  code,
  request_id: "req_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  ...(errors && { errors }),
});

export const AUTH_ERRORS = [400, 401, 403, 404, 413, 422] as const;

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25, description: "Items per page (1-100)." }),
  cursor: z.string().max(2048).optional().openapi({ description: "The `nextCursor` of the previous page." }),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().optional().openapi({ description: "Present when there are more items; pass it as `cursor`." }),
    })
    .openapi(name);

export const IdempotencyKeyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "idempotency-key", in: "header", required: true },
      example: "4f1c2a7e-6d0b-4c55-9b1e-2f0d5e7a9c31",
      description: "Required on every POST; retries with the same key and body replay the stored response.",
    }),
});

export const ContactSchema = z
  .object({
    name: z.string().min(1).max(200),
    email: z.string().email().max(320),
    phone: z.string().max(32).optional(),
  })
  .strict()
  .openapi("Contact", { example: { name: "Traceback desk", email: "traceback@carrier.example", phone: "+12025550100" } });

export const E164_DESCRIPTION =
  "A valid telephone number, normalised to E.164: with + (or the international prefix 011 or 00) and the country code, or North American with 10 digits or 1 and 10 digits.";
export const E164Input = e164Input.openapi({ description: E164_DESCRIPTION, example: "+13055550123" });

export const TIMESTAMP_EXAMPLE = "2024-06-03T16:00:00Z";
export const Timestamp = timestampInput.meta({ example: TIMESTAMP_EXAMPLE });
