/**
 * One event's delivery to one endpoint, as a small state machine. `webhook-id` is the event id
 * on every attempt, so receivers dedupe. The first attempt is sent before its delivery is
 * written (a kill or a duplicate message in between sends it again, under the same id); every
 * later attempt number is claimed with a conditional write before sending.
 */
import { nextAttemptAt } from "./retry-schedule.js";

export const DELIVERY_STATUSES = ["sending", "retrying", "delivered", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const ATTEMPT_OUTCOMES = ["delivered", "failed", "gone", "throttled", "refused", "lost"] as const;

export interface AttemptRecord {
  attempt: number;
  at: string;
  outcome: (typeof ATTEMPT_OUTCOMES)[number];
  status?: number;
  latencyMs?: number;
  error?: string;
}

export interface Delivery {
  eventId: string;
  endpointId: string;
  accountId: string;
  eventType: string;
  status: DeliveryStatus;
  /** Number of the latest attempt claimed. */
  attemptCount: number;
  attempts: AttemptRecord[];
  createdAt: string;
  updatedAt: string;
  /** While retrying: when the next attempt may run. */
  nextAttemptAt?: string;
  /** While sending: when the claim of a crashed worker may be taken over. */
  leaseUntil?: string;
}

export const MAX_KEPT_ATTEMPTS = 20;

export interface AttemptResult {
  outcome: AttemptRecord["outcome"];
  status?: number;
  latencyMs?: number;
  error?: string;
  /** A Retry-After the receiver asked for: obeyed as the minimum wait. */
  retryAfterSeconds?: number;
}

/** The delivery after its current attempt ended with `result`: done, failed for good, or retrying later. */
export function afterAttempt(d: Delivery, result: AttemptResult, now: Date, random: () => number): Delivery {
  const { retryAfterSeconds, ...kept } = result;
  const record: AttemptRecord = { attempt: d.attemptCount, at: now.toISOString(), ...kept };
  const attempts = [...d.attempts, record].slice(-MAX_KEPT_ATTEMPTS);
  const { leaseUntil: _l, nextAttemptAt: _n, ...base } = d;
  const updated: Delivery = { ...base, attempts, updatedAt: now.toISOString() };
  if (result.outcome === "delivered") return { ...updated, status: "delivered" };
  // A refused destination (SSRF rules) or a 410 will not get better by retrying.
  if (result.outcome === "gone" || result.outcome === "refused") return { ...updated, status: "failed" };
  const next = nextAttemptAt({ attempt: d.attemptCount, failedAt: now, random, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) });
  return next ? { ...updated, status: "retrying", nextAttemptAt: next.toISOString() } : { ...updated, status: "failed" };
}
