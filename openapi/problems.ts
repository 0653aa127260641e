/**
 * The stable problem codes of the API. Clients branch on `code`, so the list is part of the
 * contract; the contract test fails when the code raises a problem that is not listed here.
 */
export interface ProblemCode {
  code: string;
  /** "any" where the status varies with the refusal. */
  status: number | "any";
  meaning: string;
}

export const PROBLEM_CODES: readonly ProblemCode[] = [
  { code: "malformed_request", status: 400, meaning: "The body is not valid JSON or has the wrong content type." },
  { code: "invalid_parameter", status: 400, meaning: "A path, query or header parameter is invalid; `errors` points at each one." },
  { code: "idempotency_key_required", status: 400, meaning: "A POST without an `Idempotency-Key` header." },
  { code: "invalid_idempotency_key", status: 400, meaning: "The `Idempotency-Key` is not 1 to 255 visible ASCII characters." },
  { code: "invalid_cursor", status: 400, meaning: "The `cursor` was not issued for this list." },
  { code: "unauthenticated", status: 401, meaning: "The request signature could not be verified (which check failed is never said)." },
  { code: "forbidden", status: 403, meaning: "The caller's role does not allow this action." },
  { code: "not_found", status: 404, meaning: "No such resource, or it is not addressed to the caller." },
  { code: "request_in_flight", status: 409, meaning: "A request with the same `Idempotency-Key` is still being processed; retry after `Retry-After`." },
  { code: "hop_already_answered", status: 409, meaning: "The hop request already has its primary answer; corrections go through an amendment." },
  { code: "hop_not_open", status: 409, meaning: "The hop request is no longer open." },
  { code: "hop_not_awaiting_registration", status: 409, meaning: "The hop request is not waiting for its provider to register." },
  { code: "hop_changed", status: 409, meaning: "The hop request was changed by a concurrent request; read it again." },
  { code: "traceback_closed", status: 409, meaning: "The traceback was closed." },
  { code: "traceback_completed", status: 409, meaning: "The traceback has already ended." },
  { code: "cannot_revoke_own_key", status: 409, meaning: "A key cannot revoke itself; sign with another active key." },
  { code: "already_registered", status: 409, meaning: "The FRN, RMD number or SPC code is registered to another account." },
  { code: "account_exists", status: 409, meaning: "The account already exists." },
  { code: "key_exists", status: 409, meaning: "This public key is already registered." },
  { code: "traceback_changed", status: 409, meaning: "The traceback was changed by a concurrent request; read it again." },
  { code: "not_reopenable", status: 409, meaning: "Only a traceback that ended non-responsive and has since received a late answer can be reopened." },
  { code: "trust_anchor_exists", status: 409, meaning: "This certificate is already a trust anchor." },
  { code: "endpoint_changed", status: 409, meaning: "The webhook endpoint was changed by a concurrent request; read it again." },
  { code: "payload_too_large", status: 413, meaning: "The body is larger than allowed (64 KiB by default)." },
  { code: "unsupported_media_type", status: 415, meaning: "The body is not of the operation's media type (`application/json`; `text/csv` for RMD imports)." },
  { code: "validation_failed", status: 422, meaning: "The body does not match the schema; `errors` holds one JSON Pointer per issue." },
  { code: "idempotency_key_reused", status: 422, meaning: "The `Idempotency-Key` was used before with a different request." },
  { code: "duplicate_key", status: 422, meaning: "The same public key is listed twice." },
  { code: "invalid_certificate", status: 422, meaning: "Not a PEM X.509 certificate." },
  { code: "invalid_key", status: 422, meaning: "Not an Ed25519 public JWK." },
  { code: "invalid_phone_number", status: 422, meaning: "A telephone number cannot be normalised to E.164." },
  { code: "unknown_provider", status: 422, meaning: "No registered provider has this id." },
  { code: "unknown_initiator", status: 422, meaning: "No registered initiator has this id." },
  { code: "webhook_url_refused", status: 422, meaning: "The webhook URL is not HTTPS or resolves to a private, loopback or metadata address." },
  { code: "too_many_endpoints", status: 422, meaning: "The account has the maximum number of webhook endpoints." },
  { code: "endpoint_not_active", status: 422, meaning: "The webhook endpoint is paused or disabled; enable it first." },
  { code: "rate_limited", status: 429, meaning: "The calling account is over its request rate; retry after `Retry-After` seconds." },
  { code: "not_amendable", status: 409, meaning: "Only an answered hop request can be amended, by the provider that answered it." },
  { code: "rmd_rows_invalid", status: 422, meaning: "Rows of the RMD export are invalid (each in `errors`, as `/lines/<line>/<column>`); nothing was imported." },
  { code: "rmd_as_of_in_future", status: 422, meaning: "The RMD export's `asOf` is in the future." },
  { code: "rmd_mass_removal", status: 422, meaning: "The RMD export removes more than a quarter of the previous snapshot; send `allowMassRemoval=true` if that is meant." },
  { code: "rmd_snapshot_not_newer", status: 409, meaning: "The RMD snapshot in effect was taken at or after this export's `asOf`." },
  { code: "rmd_import_conflict", status: 409, meaning: "Another RMD import was committed while this one was written; import the file again." },
  { code: "http_error", status: "any", meaning: "Any other HTTP-level refusal; `status` tells which." },
  { code: "internal_error", status: 500, meaning: "An unexpected fault; quote `request_id` when reporting it." },
];

export const problemCodesTable = (): string =>
  [
    "| Status | Code | Meaning |",
    "| --- | --- | --- |",
    ...PROBLEM_CODES.map((p) => `| ${p.status} | \`${p.code}\` | ${p.meaning} |`),
  ].join("\n");
