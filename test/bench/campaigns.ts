/**
 * `npm run bench:campaigns [-- --seeds 1,2,3 --calls N --campaigns N]`: clusters seeded synthetic
 * surveillance feeds (2,000 calls over 20 campaigns by default, five seeds) twice: all at once
 * with the batch clustering, and one call at a time in call-time order with the incremental
 * assignment the hub runs as tracebacks are created and completed (the same use case, over an
 * in-memory store). Prints pairwise precision and recall against each feed's truth; exits 1 when
 * any falls below 0.95.
 */
import type { Traceback } from "../../functions/domain/traceback.js";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";
import type { CampaignDeps } from "../../functions/usecases/campaigns.js";
import type { FeedCall } from "../support/campaign-feed.js";

const HELP = `Usage: npm run bench:campaigns -- [options]

Clusters seeded synthetic surveillance feeds twice: all at once with the batch clustering, and one
call at a time with the incremental assignment the hub runs. Prints pairwise precision and recall
against each feed's truth.

Options:
  --seeds <a,b,...>  the feeds' seeds (default 1,2,3,4,5)
  --seed <n>         one feed's seed
  --calls <n>        calls per feed (default 2000)
  --campaigns <n>    campaigns per feed (default 20)
  -h, --help         this text

Exit status: 0 when every precision and recall is at least 0.95, 1 otherwise, 2 on bad options.`;

const cli = readCommandLine(process.argv.slice(2), HELP, {
  seed: { type: "string" },
  calls: { type: "string" },
  campaigns: { type: "string" },
  seeds: { type: "string" },
});
const { values } = cli;
const seeds = (values.seeds?.split(",") ?? (values.seed !== undefined ? [values.seed] : ["1", "2", "3", "4", "5"])).map((seed) =>
  integerOption(cli, "a seed", seed, 1, 0),
);
const calls = integerOption(cli, "--calls", values.calls, 2000, 1, 1_000_000);
const campaigns = integerOption(cli, "--campaigns", values.campaigns, 20, 1, 100_000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [
  { clusterCampaigns },
  { ManualClock },
  { ulidGenerator },
  { assignToCampaign },
  { normaliseCustomer },
  { pairwiseScores, syntheticFeed },
  { MemoryCampaignStore },
] = await Promise.all([
  import("../../functions/domain/campaigns/cluster.js"),
  import("../support/manual-clock.js"),
  import("../../functions/adapters/ids.js"),
  import("../../functions/usecases/campaigns.js"),
  import("../../functions/domain/intel/customer.js"),
  import("../support/campaign-feed.js"),
  import("../fakes/campaign-store.js"),
]);
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
  const feed = syntheticFeed({ seed, calls, campaigns });
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
