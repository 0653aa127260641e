/**
 * The kill -9 harness, bounded for the suite: `npm start` killed with SIGKILL six times (right
 * after a 200/201, at a random moment, while starting, in turn, so each moment twice) or as many
 * times as fit in 20 seconds on a loaded machine, under a stream of creations and answers.
 * `npm run chaos -- --kills 200` runs it longer.
 */
import { describe, expect, it } from "vitest";
import { hubEntry } from "../../functions/local/build.js";
import { KILL_MOMENTS, runChaos } from "./harness.js";

describe("npm start under kill -9", () => {
  it("notifies every hop exactly once (by webhook-id), duplicates nothing, and answers every accepted answer with its next hop", async () => {
    // Moments in turn, so that a short run still meets each of them; the bundle is the global set-up's.
    const report = await runChaos({ hubEntry: hubEntry(), kills: 6, maxKillingMs: 20_000, settleMs: 15_000, moments: "in turn" });
    const f = report.findings;
    expect({
      missing: f.missing,
      logicalDuplicates: f.logicalDuplicates,
      misdirected: f.misdirected,
      feedMismatches: f.feedMismatches,
      duplicatedTracebacks: f.duplicatedTracebacks,
      lostTracebacks: f.lostTracebacks,
      brokenChains: f.brokenChains,
      answersWithoutNextHop: f.answersWithoutNextHop,
      serverErrors: report.serverErrors,
      refusals: report.refusals,
      selfExits: report.selfExits,
    }).toEqual({
      missing: [],
      logicalDuplicates: [],
      misdirected: 0,
      feedMismatches: [],
      duplicatedTracebacks: [],
      lostTracebacks: [],
      brokenChains: [],
      answersWithoutNextHop: [],
      serverErrors: [],
      refusals: [],
      selfExits: 0,
    });
    // A quiet machine makes the six kills in about 9 s; a loaded one starts the hub slower and fits fewer.
    expect(report.kills.total).toBeGreaterThanOrEqual(3);
    // Not a run that only ever killed an idle hub: answers went through, and kills met them.
    for (const moment of KILL_MOMENTS) expect(report.kills[moment]).toBeGreaterThan(0);
    expect(report.answersAccepted).toBeGreaterThan(0);
    expect(f.notifiedOnce).toBe(f.hops);
    console.log(
      `kill -9 harness: ${report.kills.total} kills (after a 2xx ${report.kills["after a 2xx"]}, random moment ${report.kills["random moment"]}, during start-up ${report.kills["during start-up"]}), ` +
        `${f.hops} hops each notified once, ${f.physicalDuplicates} repeated deliveries, ${(report.wallMs / 1000).toFixed(1)} s`,
    );
  }, 90_000);
});
