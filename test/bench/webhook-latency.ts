/**
 * `npm run bench:webhook`: the time from an accepted answer (the 200 with its receipt) to the
 * `hop_request.created` webhook arriving at the next upstream's endpoint, on the embedded stack.
 * Prints median, p95 and max over N answers (default 100).
 */
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";

const HELP = `Usage: npm run bench:webhook -- [runs]

On the embedded stack, the time from an accepted answer (its 200 and receipt) to the
hop_request.created webhook arriving at the next upstream's endpoint. Prints the median, p95 and
maximum over <runs> answers, one at a time (default 100).

Options:
  -h, --help  this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, {}, { positionals: 1 });
const runs = integerOption(cli, "<runs>", cli.positionals[0], 100, 1, 100_000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ percentile }, { CALL, EVIDENCE, startTestHub }, { startReceiver }] = await Promise.all([
  import("../../functions/domain/responsiveness.js"),
  import("../support/hub.js"),
  import("../support/receiver.js"),
]);
const t = await startTestHub({ background: true, sweepIntervalMs: 1000, env: { LOG_LEVEL: "ERROR" } });
const receiver = await startReceiver();
try {
  const terminating = await t.registerProvider("Terminating");
  const upstream = await t.registerProvider("Upstream");
  await upstream.api.post("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["hop_request.created"] });
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const before = receiver.received.length;
    const answered = await terminating.api.post(`/v1/hop-requests/${tb.body.hops[0].id}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: upstream.id },
      evidence: EVIDENCE,
    });
    const acceptedAt = Date.now();
    if (answered.status !== 200) throw new Error(`answer refused: ${answered.status}`);
    const got = await receiver.waitFor((r) => r.length > before, 10_000);
    samples.push(Math.max(0, got[got.length - 1]!.at - acceptedAt));
  }
  samples.sort((a, b) => a - b);
  console.log(`answer accepted -> next upstream's webhook received, ${runs} runs, embedded stack`);
  console.log(`median ${percentile(samples, 0.5)} ms   p95 ${percentile(samples, 0.95)} ms   max ${samples[samples.length - 1]} ms`);
} finally {
  await receiver.close();
  await t.stop();
}
