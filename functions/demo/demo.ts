/**
 * The live demo: a hub, eight providers (six running the auto-responder, one silent, one whose
 * responder defers to a person), and one traceback per outcome. Prints what happens as it
 * happens, then each chain with its timings; succeeds when every traceback ended as expected.
 */
import type { components } from "../../openapi/client/index.js";
import type { HopHandled } from "../responder/responder.js";
import { CALLED, callRecords, PROVIDERS, SCENARIOS, trunkMaps, type Role, type Scenario } from "./cast.js";
import { startNetwork, type Member, type Network } from "./network.js";

type Chain = components["schemas"]["TracebackChain"];
type Hop = components["schemas"]["Hop"];
type Answer = components["schemas"]["HopAnswer"];

export interface DemoOptions {
  out?: (line: string) => void;
  /** Longest wait for any one traceback to end, ms. */
  timeoutMs?: number;
}

export interface ScenarioResult {
  key: string;
  title: string;
  expected: string;
  outcome: string | undefined;
  ok: boolean;
  seconds: number;
}

export interface DemoResult {
  ok: boolean;
  results: ScenarioResult[];
}

/** Deadlines for the silent provider's traceback: due after 3 s, escalated 1 s later. */
const DEADLINE_ENV = { FIXED_DEADLINE_SECONDS: "3", OVERDUE_GRACE_SECONDS: "1", REMINDER_SECONDS_BEFORE_DUE: "2" };
const POLL_MS = 40;

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const t0 = performance.now();
  const stamp = () => `[${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s]`;
  const say = (label: string, text: string) => out(`${stamp()} ${label.padEnd(10)} ${text}`);

  out("Starting the Hoptrace hub in this process (DynamoDB and SQS emulated in memory)...");
  const net = await startNetwork({ sweepIntervalMs: 200, env: DEADLINE_ENV });
  try {
    const members = {} as Record<Role, Member>;
    for (const role of Object.keys(PROVIDERS) as Role[]) members[role] = await net.registerProvider(PROVIDERS[role]);
    const initiator = await net.registerInitiator("State Attorney General, Robocall Unit");
    const names = new Map<string, string>(Object.values(members).map((m) => [m.id, m.name]));
    const nameOf = (id: string | undefined) => (id ? (names.get(id) ?? id) : "?");
    const ids = Object.fromEntries(Object.entries(members).map(([r, m]) => [r, m.id])) as Record<Role, string>;

    const callTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000);
    const records = callRecords(callTime);
    const maps = trunkMaps(ids);
    const labelOf = new Map<string, string>();
    const onHandled = (role: Role) => (h: HopHandled) => {
      const label = (h.tracebackId && labelOf.get(h.tracebackId)) ?? "";
      if (h.outcome === "answered") say(label, `${PROVIDERS[role]}'s responder found the call in its records and answered (${Math.round(h.totalMs)} ms)`);
      else if (h.outcome === "needs_person") say(label, `${PROVIDERS[role]}'s responder will not guess: ${h.reason}. A person is asked to decide.`);
      else if (h.outcome === "failed") say(label, `${PROVIDERS[role]}'s responder failed: ${h.reason}`);
    };
    const responders = new Map<Role, Awaited<ReturnType<Network["runResponder"]>>>();
    for (const role of Object.keys(PROVIDERS) as Role[]) {
      const map = maps[role];
      if (map) responders.set(role, await net.runResponder(members[role], map, records[role], { onHandled: onHandled(role) }));
    }
    out(`Registered ${Object.keys(members).length} providers; ${responders.size} run the auto-responder, ${PROVIDERS.quiet} runs nothing.`);
    out(`The call: ${CALLED} was called at ${callTime.toISOString()}; each scenario's call has its own calling number.\n`);

    const run = async (s: Scenario): Promise<ScenarioResult> => {
      const started = performance.now();
      const { data, response } = await initiator.client.POST("/v1/tracebacks", {
        body: {
          callingNumber: s.calling,
          calledNumber: CALLED,
          callTime: callTime.toISOString(),
          terminatingProviderId: ids[s.path[0]!.role],
          ...(s.shortDeadline && { deadlinePolicy: "fixed" as const }),
        },
      });
      if (!data) throw new Error(`starting the traceback failed with HTTP ${response.status}`);
      const tbId = data.traceback.id;
      labelOf.set(tbId, s.key);
      say(s.key, `Traceback ${tbId} started: "${s.title}" (a call from ${s.calling}); expecting ${s.expected}.`);
      const seen = new Map<string, string>();
      let chain: Chain | undefined;
      let personDone = false;
      while (performance.now() - started < timeoutMs) {
        const got = await initiator.client.GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId: tbId } } });
        if (!got.data) throw new Error(`reading traceback ${tbId} failed with HTTP ${got.response.status}`);
        chain = got.data;
        for (const hop of chain.hops) {
          const state = hop.overdueAt && hop.status === "open" ? "overdue" : hop.status;
          if (seen.get(hop.id) === state) continue;
          if (!seen.has(hop.id))
            say(
              s.key,
              `hop ${hop.seq}: the hub asks ${nameOf(hop.providerId)} "who handed you this call?"${hop.deadline ? ` (due ${hop.deadline.dueAt})` : ""}`,
            );
          if (state === "overdue") say(s.key, `hop ${hop.seq}: ${nameOf(hop.providerId)} let the due time pass without answering.`);
          if (state === "answered" && hop.answer) say(s.key, `hop ${hop.seq}: ${nameOf(hop.providerId)} answered ${describe(hop.answer, nameOf)}`);
          seen.set(hop.id, state);
        }
        if (chain.traceback.status === "completed") break;
        if (s.byHand && !personDone) personDone = await answerByHand(s, chain, members, responders, say);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      const outcome = chain?.traceback.result?.outcome;
      const seconds = (performance.now() - started) / 1000;
      say(
        s.key,
        outcome
          ? `Traceback ended: ${outcome}${chain?.traceback.result?.reason ? ` (${withNames(chain.traceback.result.reason, nameOf)})` : ""}.`
          : `No outcome within ${timeoutMs / 1000} s.`,
      );
      if (chain) finalChains.push({ s, chain, seconds });
      return { key: s.key, title: s.title, expected: s.expected, outcome, ok: outcome === s.expected, seconds };
    };

    const finalChains: Array<{ s: Scenario; chain: Chain; seconds: number }> = [];
    // The silent provider's traceback waits for its deadline, so it runs alongside the others.
    const slow = SCENARIOS.filter((s) => s.shortDeadline);
    const slowRuns = slow.map(run);
    const results: ScenarioResult[] = [];
    for (const s of SCENARIOS.filter((x) => !x.shortDeadline)) results.push(await run(s));
    results.push(...(await Promise.all(slowRuns)));

    out("\nThe chains, as the initiator sees them:");
    for (const s of SCENARIOS) {
      const f = finalChains.find((c) => c.s === s);
      if (f) printChain(out, f.s, f.chain, f.seconds, nameOf);
    }
    const ok = results.length === SCENARIOS.length && results.every((r) => r.ok);
    out(`\n${results.filter((r) => r.ok).length} of ${SCENARIOS.length} tracebacks reached their expected outcome.${ok ? "" : " FAILED:"}`);
    for (const r of results.filter((x) => !x.ok)) out(`  ${r.key}: expected ${r.expected}, got ${r.outcome ?? "no outcome"}`);
    return { ok, results };
  } finally {
    await net.stop();
  }
}

/** The person at the provider looks at the flagged call and answers through the same API. */
async function answerByHand(
  s: Scenario,
  chain: Chain,
  members: Record<Role, Member>,
  responders: Map<Role, { needsPerson: ReadonlyMap<string, string> }>,
  say: (label: string, text: string) => void,
): Promise<boolean> {
  const plan = s.byHand!;
  const hop = chain.hops.find((h) => h.providerId === members[plan.role].id && h.status === "open");
  if (!hop || !responders.get(plan.role)?.needsPerson.has(hop.id)) return false;
  say(s.key, `A person at ${PROVIDERS[plan.role]} checks the old TDM trunk's paper log and answers by hand.`);
  const { response } = await members[plan.role].client.POST("/v1/hop-requests/{hopId}/answer", {
    params: { path: { hopId: hop.id } },
    body: {
      type: "upstream_identified",
      upstream: { providerId: members[plan.upstream].id },
      evidence: { ingressTrunk: plan.trunk, notes: "checked by the on-call engineer" },
    },
  });
  if (response.status !== 200) say(s.key, `The hand-written answer was refused: HTTP ${response.status}.`);
  return true;
}

/** Hub reasons name accounts by id; a reader knows them by name. */
const withNames = (text: string, nameOf: (id: string) => string) => text.replace(/acc_[0-9A-Za-z]+/g, (id) => nameOf(id));

function describe(answer: Answer, nameOf: (id: string) => string): string {
  switch (answer.type) {
    case "upstream_identified": {
      const up = "providerId" in answer.upstream ? nameOf(answer.upstream.providerId) : `${answer.upstream.name} (not registered)`;
      return `"${up} handed it to us"${answer.evidence.ingressTrunk ? ` on trunk ${answer.evidence.ingressTrunk}` : ""}.`;
    }
    case "originator_identified":
      return `"it is our customer ${answer.customer.name}${answer.customer.accountReference ? ` (${answer.customer.accountReference})` : ""}; action taken: ${answer.actionTaken}".`;
    case "foreign_point_of_entry":
      return `"it came straight from abroad: ${answer.foreignProvider.name} (${answer.foreignProvider.country})".`;
    case "no_record":
      return `"no such call between ${answer.windowSearched.from} and ${answer.windowSearched.to}".`;
    default:
      return `${answer.type}.`;
  }
}

function printChain(out: (line: string) => void, s: Scenario, chain: Chain, seconds: number, nameOf: (id: string) => string): void {
  const outcome = chain.traceback.result?.outcome ?? "(none)";
  out(
    `\n${s.title}: ${outcome} ${outcome === s.expected ? "(as expected)" : `(EXPECTED ${s.expected})`}, ${seconds.toFixed(2)} s in all, ${chain.hops.length} hop(s)`,
  );
  for (const hop of chain.hops as Hop[]) {
    const took = hop.answeredAt ? `${((Date.parse(hop.answeredAt) - Date.parse(hop.createdAt)) / 1000).toFixed(2)} s` : hop.escalatedAt ? "no answer" : "open";
    const what = hop.answer ? describe(hop.answer, nameOf) : hop.escalatedAt ? `silent past ${hop.deadline?.dueAt}, escalated ${hop.escalatedAt}` : hop.status;
    out(`  hop ${hop.seq}  ${nameOf(hop.providerId ?? "").padEnd(18)} ${took.padStart(9)}  ${what}`);
  }
}
