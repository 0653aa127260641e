/** Deadline policies are built when first used, so a function that computes no deadline never loads time-zone data. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// A fresh copy of the modules for each test: formatters another test file built are cached in them.
let deadlinePolicies: typeof import("../../functions/platform/deadlines.js").deadlinePolicies;
beforeEach(async () => {
  vi.resetModules();
  ({ deadlinePolicies } = await import("../../functions/platform/deadlines.js"));
});

const original = Intl.DateTimeFormat;
let built = 0;
beforeEach(() => {
  built = 0;
  Intl.DateTimeFormat = new Proxy(original, { construct: (target, args: ConstructorParameters<typeof original>) => (built++, new target(...args)) });
});
afterEach(() => {
  Intl.DateTimeFormat = original;
});

describe("deadline policies", () => {
  it("build no time-zone formatter until a deadline is computed, then build each policy once", () => {
    const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 3600 });
    expect(built).toBe(0);
    const first = deadlines("us-24h")(new Date("2024-06-03T16:00:00Z"));
    expect(built).toBeGreaterThan(0);
    expect(first.dueAt).toBe("2024-06-04T16:00:00.000Z");
    expect(deadlines.policy("us-24h")).toBe(deadlines.policy("us-24h"));
  });

  it("still refuse an unknown policy by name", () => {
    expect(() => deadlinePolicies({ FIXED_DEADLINE_SECONDS: 3600 }).policy("eu-1d")).toThrow(/unknown deadline policy eu-1d/);
  });
});
