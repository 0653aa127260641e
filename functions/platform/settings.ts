/** What every composition takes from the configuration, its clock and the hub key alike, whatever its adapters. */
import { ulidGenerator } from "../adapters/ids.js";
import { cursorSeal, secretFromHubKey } from "../crypto/cursor-seal.js";
import { invitationTokens } from "../crypto/invitation-token.js";
import type { Clock } from "../domain/clock.js";
import type { HttpSettings } from "../http/env.js";
import type { HubKey } from "../usecases/hub-key-ports.js";
import type { WebhookSettings } from "../usecases/webhook-ports.js";
import type { Config } from "./config.js";

export function httpSettingsOf(config: Config): HttpSettings {
  return {
    publicUrl: config.PUBLIC_URL,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxClockSkewSeconds: config.MAX_CLOCK_SKEW_SECONDS,
    maxSignatureLifetimeSeconds: config.MAX_SIGNATURE_LIFETIME_SECONDS,
    idempotencyRetentionSeconds: config.IDEMPOTENCY_RETENTION_SECONDS,
    idempotencyLeaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
    defaultDeadlinePolicy: config.DEFAULT_DEADLINE_POLICY,
    rateLimit: { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST },
    publicRateLimit: { perSecond: config.PUBLIC_RATE_LIMIT_PER_SECOND, burst: config.PUBLIC_RATE_LIMIT_BURST },
    explainSignatureRefusals: config.HOPTRACE_MODE === "local",
  };
}

export function webhookSettingsOf(config: Config): WebhookSettings {
  return {
    publicUrl: config.PUBLIC_URL,
    pausePolicy: { afterFailures: config.ENDPOINT_PAUSE_AFTER_FAILURES, afterSeconds: config.ENDPOINT_PAUSE_AFTER_SECONDS },
    secretGraceSeconds: config.WEBHOOK_SECRET_GRACE_SECONDS,
    leaseSeconds: config.DELIVERY_LEASE_SECONDS,
    recoveryGraceSeconds: config.DELIVERY_RECOVERY_GRACE_SECONDS,
    attemptTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
}

/** The log's name in its checkpoints: the public URL's host and path, then `/log`. */
export function logOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.host}${url.pathname.replace(/\/$/, "")}/log`;
}

/** Ids on the composition's clock, and what the hub key signs and seals. */
export function keyedDeps(clock: Clock, hubKey: HubKey) {
  return {
    clock,
    ids: ulidGenerator(() => clock.now().getTime()),
    hubKeys: { current: hubKey, published: [hubKey] },
    hubKey,
    cursors: cursorSeal(secretFromHubKey(hubKey.privateKey, "page-cursor/v1")),
    invitationTokens: invitationTokens(hubKey.privateKey),
  };
}
