/**
 * Per-account request rate (docs/protocol.md §4: 429 with Retry-After when a caller is over its
 * rate). A token bucket per account in this process: API Gateway's stage throttling bounds the
 * whole API in the cloud, this keeps one caller from using all of it. Each Lambda instance
 * counts on its own, so the effective limit scales with concurrency; it is a guard, not a quota.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_TRACKED = 10_000;

export function rateLimit(accountLimit: RateLimit, publicLimit: RateLimit, now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    const caller = c.get("caller");
    const limit = caller.startsWith("acc:") ? accountLimit : publicLimit;
    const t = now();
    const bucket = buckets.get(caller) ?? { tokens: limit.burst, at: t };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((t - bucket.at) / 1000) * limit.perSecond);
    bucket.at = t;
    if (bucket.tokens < 1) {
      const wait = Math.ceil((1 - bucket.tokens) / limit.perSecond);
      throw new ProblemError(429, "rate_limited", `over the rate of ${limit.perSecond} requests per second; retry after ${wait} s`, undefined, {
        "retry-after": String(wait),
      });
    }
    bucket.tokens -= 1;
    if (!buckets.has(caller) && buckets.size >= MAX_TRACKED) buckets.delete(buckets.keys().next().value!);
    buckets.set(caller, bucket);
    await next();
  };
}
