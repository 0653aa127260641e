/**
 * `npm run bench:campaigns [-- --seeds 1,2,3 --calls N --campaigns N]`: clusters seeded synthetic
 * surveillance feeds (2,000 calls over 20 campaigns by default, five seeds) twice: all at once
 * with the batch clustering, and one call at a time in call-time order with the incremental
 * assignment the hub runs as tracebacks are created and completed (the same use case, over an
 * in-memory store). Prints pairwise precision and recall against each feed's truth; exits 1 when
 * any falls below 0.95.
 */
import { parseArgs } from "node:util";
import { clusterCampaigns } from "../../functions/domain/campaigns/cluster.js";
import { ManualClock } from "../support/manual-clock.js";
import type { Traceback } from "../../functions/domain/traceback.js";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import { assignToCampaign, type CampaignDeps } from "../../functions/usecases/campaigns.js";
import { normaliseCustomer } from "../../functions/domain/intel/customer.js";
import { pairwiseScores, syntheticFeed, type FeedCall } from "../support/campaign-feed.js";
import { MemoryCampaignStore } from "../fakes/campaign-store.js";

const { values } = parseArgs({ options: { seed: { type: "string" }, calls: { type: "string" }, campaigns: { type: "string" }, seeds: { type: "string" } } });
const seeds = values.seeds ? values.seeds.split(",").map(Number) : values.seed ? [Number(values.seed)] : [1, 2, 3, 4, 5];
let worst = { precision: 1, recall: 1 };
let worstIncremental = { precision: 1, recall: 1 };

/** A feed call as the traceback the hub would hold for it once it ended. */
function tracebackOf(call: FeedCall): Traceback {
  return {
    id: call.id,
    call: {
      callingNumber: call.callingNumber,
      callingNumberAsGiven: call.callingNumber,
      calledNumber: call.calledNumber as Traceback["call"]["calledNumber"],
      callTime: call.callTime,
      callTimeUtc: call.callTime,
    },
    ...(call.transcript && { transcript: call.transcript }),
    ...(call.signer && { signatures: [{ identityIndex: 0, signatureValid: true, chainValid: true, ...call.signer, findings: [] }] }),
    ...(call.originator && {
      intel: {
        recordedAt: call.callTime,
        findings: [],
        originator: { providerId: call.originator.providerId, hopSeq: 2, customer: normaliseCustomer({ name: call.originator.customerName }) },
      },
    }),
  } as Traceback;
}

for (const seed of seeds) {
  const feed = syntheticFeed({ seed, calls: Number(values.calls ?? 2000), campaigns: Number(values.campaigns ?? 20) });
  const started = performance.now();
  const result = clusterCampaigns(feed);
  const ms = performance.now() - started;
  const scores = pairwiseScores(
    feed,
    result.campaigns.map((c) => c.callIds),
  );
  const noise = feed.filter((c) => c.truth === undefined).length;
  console.log(
    `seed ${seed}: ${feed.length} calls (${feed.length - noise} in ${new Set(feed.map((c) => c.truth).filter(Boolean)).size} campaigns, ${noise} noise) -> ${result.campaigns.length} campaigns, ${result.unassigned.length} unassigned in ${ms.toFixed(0)} ms`,
  );
  console.log(
    `  batch        pairwise precision ${scores.precision.toFixed(4)}  recall ${scores.recall.toFixed(4)}  (${scores.predictedPairs} pairs predicted, ${scores.truePairs} true)`,
  );
  worst = { precision: Math.min(worst.precision, scores.precision), recall: Math.min(worst.recall, scores.recall) };

  const store = new MemoryCampaignStore();
  const clock = new ManualClock(new Date("2025-09-01T00:00:00Z"));
  const deps = { campaigns: store, clock, ids: ulidGenerator(() => clock.now().getTime()) } as unknown as CampaignDeps;
  const t0 = performance.now();
  for (const call of feed) await assignToCampaign(deps, tracebackOf(call));
  const incremental = pairwiseScores(feed, store.clusters());
  console.log(
    `  incremental  pairwise precision ${incremental.precision.toFixed(4)}  recall ${incremental.recall.toFixed(4)}  (${store.clusters().length} campaigns, ${(((performance.now() - t0) / feed.length) * 1000).toFixed(0)} µs a call)`,
  );
  worstIncremental = { precision: Math.min(worstIncremental.precision, incremental.precision), recall: Math.min(worstIncremental.recall, incremental.recall) };
}
if (seeds.length > 1) {
  console.log(
    `worst over ${seeds.length} seeds: batch precision ${worst.precision.toFixed(4)}  recall ${worst.recall.toFixed(4)}; incremental precision ${worstIncremental.precision.toFixed(4)}  recall ${worstIncremental.recall.toFixed(4)}`,
  );
}
const ok = worst.precision >= 0.95 && worst.recall >= 0.95 && worstIncremental.precision >= 0.95 && worstIncremental.recall >= 0.95;
process.exitCode = ok ? 0 : 1;
