/**
 * Idempotency-Key on every POST (IETF httpapi draft): the same key and body replay the stored
 * response and receipt byte for byte; the same key with another body is 422; a request still in
 * flight under the key is 409. Keys are scoped to the calling account.
 *
 * Routes whose own conditional write already decides the outcome (answering a hop request)
 * keep the request and its response as evidence anyway: they replay from there, and skip the two
 * extra writes of a separate idempotency record on the busiest path.
 *
 * Routes whose response holds a secret (a new webhook secret) must replay it too, or a client
 * that lost the response would never learn it: their stored body is sealed like the secret itself.
 */
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "../env.js";
import { ProblemError, toProblem } from "../problem.js";

const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;
/** Response headers worth replaying; the rest are per-attempt. */
const REPLAYED_HEADERS = ["content-type", "content-digest", "hoptrace-receipt", "location"];

/** What a retry must repeat exactly: the method, the path and the body. */
export function requestFingerprint(signed: { method: string; targetUri: string; body: string }): string {
  return createHash("sha256")
    .update(`${signed.method} ${new URL(signed.targetUri).pathname}\n`)
    .update(signed.body)
    .digest("base64url");
}

export function idempotency(deps: AppDeps, selfIdempotent: RegExp[] = [], holdingSecrets: RegExp[] = []): MiddlewareHandler<AppEnv> {
  const { settings } = deps;
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const key = c.req.header("idempotency-key");
    if (key === undefined) throw new ProblemError(400, "idempotency_key_required", "every POST needs an Idempotency-Key header");
    if (!KEY_SYNTAX.test(key)) throw new ProblemError(400, "invalid_idempotency_key", "the Idempotency-Key must be 1 to 255 visible ASCII characters");
    if (selfIdempotent.some((route) => route.test(c.req.path))) return next();
    const principal = c.get("principal");
    const signed = c.get("signed");
    const fingerprint = requestFingerprint(signed);
    const nowMs = deps.clock.now().getTime();

    const start = await deps.requests.startIdempotent(
      principal.accountId,
      key,
      fingerprint,
      nowMs,
      settings.idempotencyRetentionSeconds,
      settings.idempotencyLeaseSeconds,
    );
    if (start.kind === "existing") {
      const { record } = start;
      if (record.fingerprint !== fingerprint) {
        throw new ProblemError(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request");
      }
      if (record.state === "in_flight") {
        throw new ProblemError(409, "request_in_flight", "a request with this Idempotency-Key is still being processed", undefined, { "retry-after": "1" });
      }
      const body = record.response.sealed ? await deps.secrets.open(record.response.body, sealContext(principal.accountId, key)) : record.response.body;
      return new Response(body, { status: record.response.status, headers: { ...record.response.headers, "idempotent-replayed": "true" } });
    }
    c.set("attempt", { key, firstTriedAt: start.firstTriedAt });

    try {
      await next();
    } catch (err) {
      // A refusal (409, 404, 422...) is the request's final answer and is replayed like any other;
      // only a failure of ours frees the key for a retry.
      const problem = toProblem(err as Error, c, (msg, fields) => deps.log.error(msg, { ...fields, requestId: c.get("requestId") }));
      if (problem.status >= 500) {
        await deps.requests.abandonIdempotent(principal.accountId, key, fingerprint);
        throw err;
      }
      c.res = problem;
    }
    if (c.res.status >= 500) {
      await deps.requests.abandonIdempotent(principal.accountId, key, fingerprint);
      return;
    }
    const body = await c.res.clone().text();
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const sealed = holdingSecrets.some((route) => route.test(c.req.path));
    const response = sealed
      ? { status: c.res.status, headers, body: await deps.secrets.seal(body, sealContext(principal.accountId, key)), sealed }
      : { status: c.res.status, headers, body };
    await deps.requests.completeIdempotent(principal.accountId, key, fingerprint, response, deps.clock.now().getTime(), settings.idempotencyRetentionSeconds);
  };
}

const sealContext = (accountId: string, key: string) => `idempotency:${accountId}:${key}`;
