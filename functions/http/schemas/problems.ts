/**
 * The stable problem codes of the API. Clients branch on `code`, so the list is part of the
 * contract; the contract test fails when the code raises a problem that is not listed here.
 */
import { MAX_AMENDMENT_BYTES, MAX_AMENDMENTS_PER_HOP } from "../../domain/amendments.js";

export interface ProblemCode {
  code: string;
  /** "any" where the status varies with the refusal. */
  status: number | "any";
  meaning: string;
}

export const PROBLEM_CODES: readonly ProblemCode[] = [
  { code: "malformed_request", status: 400, meaning: "The request is not well-formed: its body is not valid JSON, or its HTTP framing is broken." },
  { code: "invalid_parameter", status: 400, meaning: "A path, query or header parameter is invalid; `errors` points at each one." },
  { code: "idempotency_key_required", status: 400, meaning: "A POST without an `Idempotency-Key` header." },
  { code: "invalid_idempotency_key", status: 400, meaning: "The `Idempotency-Key` is not 1 to 255 visible ASCII characters." },
  { code: "body_not_allowed", status: 400, meaning: "A GET or HEAD request carries a body; it is refused rather than read." },
  { code: "invalid_cursor", status: 400, meaning: "The `cursor` was not issued by the hub for this list, this caller and these filters." },
  {
    code: "unauthenticated",
    status: 401,
    meaning:
      "The request signature could not be verified. A deployed hub never says which check failed (it logs it with the request id); the local server (`npm start`) names it in `reason` and explains it in `detail`.",
  },
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
  { code: "key_exists", status: 409, meaning: "This public key is already registered (to this or another account, active or revoked)." },
  { code: "too_many_keys", status: 409, meaning: "The account has the maximum of 10 active keys; revoke one first." },
  { code: "traceback_changed", status: 409, meaning: "The traceback was changed by a concurrent request; read it again." },
  { code: "campaign_merged", status: 409, meaning: "The campaign was merged into another; decide on that one." },
  { code: "not_reopenable", status: 409, meaning: "Only a traceback that ended non-responsive and has since received a late answer can be reopened." },
  { code: "trust_anchor_exists", status: 409, meaning: "This certificate is already a trust anchor." },
  { code: "endpoint_changed", status: 409, meaning: "The webhook endpoint was changed by a concurrent request; read it again." },
  { code: "invitation_accepted", status: 409, meaning: "The invitation was accepted; revoke the key enrolled with it instead." },
  { code: "enrolment_key_mismatch", status: 409, meaning: "An enrolment must be signed by the key it enrols." },
  { code: "invitation_used", status: 410, meaning: "The invitation has been used; ask for a new one." },
  { code: "invitation_expired", status: 410, meaning: "The invitation has expired; ask for a new one." },
  { code: "invitation_revoked", status: 410, meaning: "The invitation was revoked." },
  { code: "request_timeout", status: 408, meaning: "The request did not arrive in full in time (local server)." },
  {
    code: "payload_too_large",
    status: 413,
    meaning: "The body is larger than allowed (64 KiB by default); refused as it streams in, and the connection is closed.",
  },
  { code: "unsupported_media_type", status: 415, meaning: "The body is not of the operation's media type (`application/json`; `text/csv` for RMD imports)." },
  { code: "validation_failed", status: 422, meaning: "The body does not match the schema; `errors` holds one JSON Pointer per issue." },
  { code: "idempotency_key_reused", status: 422, meaning: "The `Idempotency-Key` was used before with a different request." },
  { code: "duplicate_key", status: 422, meaning: "The same public key is listed twice." },
  { code: "invalid_certificate", status: 422, meaning: "Not a PEM X.509 certificate." },
  { code: "invalid_key", status: 422, meaning: "Not an Ed25519 public JWK." },
  {
    code: "weak_key",
    status: 422,
    meaning: "An Ed25519 key anyone could sign for or that verifies ambiguously: small order, non-canonical encoding, or outside the prime-order subgroup.",
  },
  { code: "invalid_key_proof", status: 422, meaning: "The key's `proof` is not its signature over `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>`." },
  { code: "account_id_required", status: 422, meaning: "Keys given at registration need the account `id` their proofs name." },
  { code: "invalid_phone_number", status: 422, meaning: "A telephone number cannot be normalised to E.164." },
  { code: "unknown_provider", status: 422, meaning: "No registered provider has this id." },
  {
    code: "terminating_provider_required",
    status: 422,
    meaning: "A call of a batch names no terminating provider, and the batch gives none for all its calls.",
  },
  { code: "unknown_campaign", status: 422, meaning: "No campaign has this id." },
  { code: "not_in_campaign", status: 422, meaning: "The traceback is not in the campaign being split." },
  { code: "split_takes_all", status: 422, meaning: "A split must leave at least one traceback in the campaign." },
  { code: "merge_into_itself", status: 422, meaning: "A campaign cannot be merged into itself." },
  { code: "unknown_account", status: 422, meaning: "No account has this id." },
  { code: "role_not_allowed", status: 422, meaning: "The role is not one a person of this kind of account holds." },
  { code: "unknown_initiator", status: 422, meaning: "No registered initiator has this id." },
  { code: "webhook_url_refused", status: 422, meaning: "The webhook URL is not HTTPS or resolves to a private, loopback or metadata address." },
  { code: "too_many_endpoints", status: 422, meaning: "The account has the maximum number of webhook endpoints." },
  { code: "endpoint_not_active", status: 422, meaning: "The webhook endpoint is paused or disabled; enable it first." },
  { code: "header_fields_too_large", status: 431, meaning: "The request headers are larger than the server accepts." },
  { code: "rate_limited", status: 429, meaning: "The calling account is over its request rate; retry after `Retry-After` seconds." },
  { code: "not_integrated", status: 409, meaning: "The statement is accepted into the transparency log and not integrated yet; retry in a second." },
  { code: "statement_already_logged", status: 409, meaning: "Another statement with this id is already in the transparency log." },
  { code: "beyond_log", status: 422, meaning: "A tree size or entry index past the log's latest checkpoint." },
  { code: "too_many_amendments", status: 409, meaning: `The hop request has the most amendments it can take (${MAX_AMENDMENTS_PER_HOP}).` },
  { code: "amendment_too_large", status: 422, meaning: `The amendment (answer and reason, as JSON) is larger than ${MAX_AMENDMENT_BYTES} bytes.` },
  { code: "not_amendable", status: 409, meaning: "Only an answered hop request can be amended, by the provider that answered it." },
  {
    code: "rmd_rows_invalid",
    status: 422,
    meaning: "Rows of the RMD export are invalid (each in `errors`, as `/lines/<line>/<column>`); nothing was imported.",
  },
  { code: "rmd_as_of_in_future", status: 422, meaning: "The RMD export's `asOf` is in the future." },
  {
    code: "rmd_mass_removal",
    status: 422,
    meaning: "The RMD export removes more than a quarter of the previous snapshot; send `allowMassRemoval=true` if that is meant.",
  },
  { code: "rmd_snapshot_not_newer", status: 409, meaning: "The RMD snapshot in effect was taken at or after this export's `asOf`." },
  { code: "rmd_import_conflict", status: 409, meaning: "Another RMD import was committed while this one was written; import the file again." },
  { code: "http_error", status: "any", meaning: "Any other HTTP-level refusal; `status` tells which." },
  { code: "internal_error", status: 500, meaning: "An unexpected fault; quote `request_id` when reporting it." },
  {
    code: "console_not_built",
    status: 503,
    meaning: "The web console's assets were not built with this deployment (`npm run build:console`); the API itself is unaffected.",
  },
];

export const problemCodesTable = (): string =>
  ["| Status | Code | Meaning |", "| --- | --- | --- |", ...PROBLEM_CODES.map((p) => `| ${p.status} | \`${p.code}\` | ${p.meaning} |`)].join("\n");
