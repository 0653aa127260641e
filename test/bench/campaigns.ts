/**
 * `npm run bench:campaigns [-- --seeds 1,2,3 --calls N --campaigns N]`: clusters seeded synthetic
 * surveillance feeds (2,000 calls over 20 campaigns by default, five seeds) and prints pairwise
 * precision and recall against each feed's truth; exits 1 when either falls below 0.95.
 */
import { parseArgs } from "node:util";
import { clusterCampaigns } from "../../functions/domain/campaigns/cluster.js";
import { pairwiseScores, syntheticFeed } from "../support/campaign-feed.js";

const { values } = parseArgs({ options: { seed: { type: "string" }, calls: { type: "string" }, campaigns: { type: "string" }, seeds: { type: "string" } } });
const seeds = values.seeds ? values.seeds.split(",").map(Number) : values.seed ? [Number(values.seed)] : [1, 2, 3, 4, 5];
let worst = { precision: 1, recall: 1 };
for (const seed of seeds) {
  const feed = syntheticFeed({ seed, calls: Number(values.calls ?? 2000), campaigns: Number(values.campaigns ?? 20) });
  const started = performance.now();
  const result = clusterCampaigns(feed);
  const ms = performance.now() - started;
  const scores = pairwiseScores(feed, result.campaigns.map((c) => c.callIds));
  const noise = feed.filter((c) => c.truth === undefined).length;
  console.log(
    `seed ${seed}: ${feed.length} calls (${feed.length - noise} in ${new Set(feed.map((c) => c.truth).filter(Boolean)).size} campaigns, ${noise} noise) -> ${result.campaigns.length} campaigns, ${result.unassigned.length} unassigned in ${ms.toFixed(0)} ms`,
  );
  console.log(`  pairwise precision ${scores.precision.toFixed(4)}  recall ${scores.recall.toFixed(4)}  (${scores.predictedPairs} pairs predicted, ${scores.truePairs} true)`);
  worst = { precision: Math.min(worst.precision, scores.precision), recall: Math.min(worst.recall, scores.recall) };
}
if (seeds.length > 1) console.log(`worst over ${seeds.length} seeds: precision ${worst.precision.toFixed(4)}  recall ${worst.recall.toFixed(4)}`);
process.exitCode = worst.precision >= 0.95 && worst.recall >= 0.95 ? 0 : 1;
