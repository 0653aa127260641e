import { describe, it, expect } from "vitest";
import { RETRY_SCHEDULE_SECONDS, SQS_MAX_DELAY_SECONDS, nextAttemptAt, sqsDelayFor } from "../../../functions/domain/webhooks/retry-schedule.js";

const failedAt = new Date("2025-03-01T12:00:00.000Z");
const secondsAfter = (d: Date | undefined): number => {
  if (d === undefined) throw new Error("expected a date");
  return (d.getTime() - failedAt.getTime()) / 1000;
};

describe("nextAttemptAt", () => {
  it("follows the front-loaded schedule without jitter", () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([0, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200]);
    const waits = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      waits.push(secondsAfter(nextAttemptAt({ attempt, failedAt, random: () => 0.5 })));
    }
    expect(waits).toEqual([10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200]);
  });

  it("is exhausted once the 11th attempt has failed", () => {
    expect(nextAttemptAt({ attempt: 10, failedAt, random: () => 0.5 })).toBeDefined();
    expect(nextAttemptAt({ attempt: 11, failedAt, random: () => 0.5 })).toBeUndefined();
    expect(nextAttemptAt({ attempt: 12, failedAt, random: () => 0.5 })).toBeUndefined();
  });

  it("keeps jitter within ±20% by default", () => {
    expect(secondsAfter(nextAttemptAt({ attempt: 3, failedAt, random: () => 0 }))).toBeCloseTo(240, 6);
    expect(secondsAfter(nextAttemptAt({ attempt: 3, failedAt, random: () => 1 }))).toBeCloseTo(360, 6);
    for (let i = 0; i <= 20; i++) {
      const wait = secondsAfter(nextAttemptAt({ attempt: 5, failedAt, random: () => i / 20 }));
      expect(wait).toBeGreaterThanOrEqual(1800 * 0.8);
      expect(wait).toBeLessThanOrEqual(1800 * 1.2);
    }
  });

  it("honours a custom jitter and clamps out-of-range random values", () => {
    expect(secondsAfter(nextAttemptAt({ attempt: 2, failedAt, random: () => 0, jitter: 0.5 }))).toBe(30);
    expect(secondsAfter(nextAttemptAt({ attempt: 2, failedAt, random: () => 0, jitter: 0 }))).toBe(60);
    expect(secondsAfter(nextAttemptAt({ attempt: 2, failedAt, random: () => 7 }))).toBe(72);
  });

  it("obeys Retry-After as a minimum but never shortens the schedule", () => {
    expect(secondsAfter(nextAttemptAt({ attempt: 1, failedAt, retryAfterSeconds: 120, random: () => 1 }))).toBe(120);
    expect(secondsAfter(nextAttemptAt({ attempt: 4, failedAt, retryAfterSeconds: 5, random: () => 0.5 }))).toBe(900);
    expect(secondsAfter(nextAttemptAt({ attempt: 4, failedAt, retryAfterSeconds: 5, random: () => 0 }))).toBe(720);
  });

  it("rejects an attempt number that is not a positive integer", () => {
    expect(() => nextAttemptAt({ attempt: 0, failedAt, random: () => 0.5 })).toThrow(RangeError);
    expect(() => nextAttemptAt({ attempt: 1.5, failedAt, random: () => 0.5 })).toThrow(RangeError);
  });
});

describe("sqsDelayFor", () => {
  const now = new Date("2025-03-01T12:00:00.000Z");
  const at = (seconds: number): Date => new Date(now.getTime() + seconds * 1000);

  it("delays directly when the due time is within the SQS limit", () => {
    expect(SQS_MAX_DELAY_SECONDS).toBe(900);
    expect(sqsDelayFor(at(0), now)).toEqual({ delaySeconds: 0, final: true });
    expect(sqsDelayFor(at(10), now)).toEqual({ delaySeconds: 10, final: true });
    expect(sqsDelayFor(at(900), now)).toEqual({ delaySeconds: 900, final: true });
    expect(sqsDelayFor(at(0.2), now)).toEqual({ delaySeconds: 1, final: true });
  });

  it("treats a past due time as due now", () => {
    expect(sqsDelayFor(at(-60), now)).toEqual({ delaySeconds: 0, final: true });
  });

  it("hops in 900-second steps until the due time is reached", () => {
    const due = at(3600 + 120);
    let clock = now;
    const hops: Array<{ delaySeconds: number; final: boolean }> = [];
    for (;;) {
      const hop = sqsDelayFor(due, clock);
      hops.push(hop);
      clock = new Date(clock.getTime() + hop.delaySeconds * 1000);
      if (hop.final) break;
    }
    expect(hops).toEqual([
      { delaySeconds: 900, final: false },
      { delaySeconds: 900, final: false },
      { delaySeconds: 900, final: false },
      { delaySeconds: 900, final: false },
      { delaySeconds: 120, final: true },
    ]);
    expect(clock.getTime()).toBe(due.getTime());
  });
});
