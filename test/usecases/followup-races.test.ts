/**
 * The follow-up of an answer under races and crashes, on the in-memory ports: two answers at once,
 * a follow-up run twice, and a process dying before or after any one write of the follow-up. In
 * every case the chain ends as if nothing had gone wrong: one next hop, one notice of it.
 */
import { describe, expect, it } from "vitest";
import type { ManualClock } from "../support/manual-clock.js";
import type { HubEvent } from "../../functions/domain/events.js";
import { recoverFanOuts } from "../../functions/usecases/event-outbox.js";
import { followUpHop, outboxMarker } from "../../functions/usecases/followup.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import { CALL, EVIDENCE, startFakeHub, type FakeHub, type Party } from "../fakes/hub.js";

const GRACE_SECONDS = 10;
const upstream = (providerId: string) => ({ type: "upstream_identified", upstream: { providerId }, evidence: EVIDENCE });

interface World {
  h: FakeHub;
  term: Party;
  mid: Party;
  other: Party;
  ag: Party;
}

async function world(): Promise<World> {
  const h = await startFakeHub();
  const [term, mid, other] = await Promise.all([h.registerProvider("Race Terminating"), h.registerProvider("Race Middle"), h.registerProvider("Race Other")]);
  return { h, term, mid, other, ag: await h.registerInitiator("Race AG") };
}

async function startTraceback(w: World): Promise<{ tbId: string; hopId: string }> {
  const res = await w.ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: w.term.id });
  expect(res.status).toBe(201);
  return { tbId: res.body.traceback.id, hopId: res.body.hops[0].id };
}

const clockOf = (h: FakeHub) => h.deps.clock as ManualClock;
const feed = (h: FakeHub): HubEvent[] => [...h.deps.webhooks.events.values()].map((e) => e.event);
const createdFor = (h: FakeHub, hopId: string) => feed(h).filter((e) => e.type === "hop_request.created" && e.data.hopId === hopId);

/** The chain after hop 1 named `next`: two hops, the traceback moved once, nothing left in the outbox, one notice. */
async function expectMovedOnceTo(h: FakeHub, tbId: string, next: Party, tracebackVersion: number) {
  const chain = (await h.deps.tracebacks.getChain(tbId))!;
  expect(chain.hops.map((x) => x.value.seq)).toEqual([1, 2]);
  expect(chain.hops[1]!.value).toMatchObject({ providerId: next.id, status: "open" });
  expect(chain.traceback.value).toMatchObject({ hopCount: 2, status: "open" });
  expect(chain.traceback.version).toBe(tracebackVersion);
  expect(await h.deps.tracebacks.pendingOutbox("~", 100)).toEqual([]);
  expect(createdFor(h, chain.hops[1]!.value.id)).toHaveLength(1);
  expect(createdFor(h, chain.hops[1]!.value.id)[0]!.recipientId).toBe(next.id);
}

describe("two answers racing for one hop", () => {
  it("one wins, the other is 409 hop_already_answered, and only the winner's upstream is asked", async () => {
    const w = await world();
    for (let round = 0; round < 5; round++) {
      const { tbId, hopId } = await startTraceback(w);
      const version = (await w.h.deps.tracebacks.getTraceback(tbId))!.version;
      const [a, b] = await Promise.all([
        w.term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(w.mid.id)),
        w.term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(w.other.id)),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.code).toBe("hop_already_answered");
      await expectMovedOnceTo(w.h, tbId, a.status === 200 ? w.mid : w.other, version + 1);
    }
  });
});

describe("a follow-up run more than once", () => {
  it("by the reconciler after the inline run, twice at once, and by hand with the old marker: the chain moves once", async () => {
    const w = await world();
    const { tbId, hopId } = await startTraceback(w);
    const version = (await w.h.deps.tracebacks.getTraceback(tbId))!.version;
    const answeredAt = clockOf(w.h).now();
    expect((await w.term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(w.mid.id))).status).toBe(200);
    await expectMovedOnceTo(w.h, tbId, w.mid, version + 1);

    clockOf(w.h).advance((GRACE_SECONDS + 1) * 1000);
    await Promise.all([reconcileOutbox(w.h.deps, GRACE_SECONDS), reconcileOutbox(w.h.deps, GRACE_SECONDS)]);
    await followUpHop(w.h.deps, tbId, 1, outboxMarker(answeredAt, hopId));
    await followUpHop(w.h.deps, tbId, 1, outboxMarker(answeredAt, hopId));
    await expectMovedOnceTo(w.h, tbId, w.mid, version + 1);
    expect(w.h.deps.log.lines.filter((l) => l.level !== "info")).toEqual([]);
  });
});

/** The writes a follow-up makes, each of which a crash can come just before or just after. */
const WRITES = [
  ["tracebacks", "putNewHop"],
  ["tracebacks", "replaceTraceback"],
  ["tracebacks", "clearOutbox"],
  ["webhooks", "recordEvent"],
  ["queue", "send"],
] as const;

describe("a process dying in the follow-up of an answer", () => {
  for (const [port, method] of WRITES) {
    for (const when of ["before", "after"] as const) {
      it(`${when} ${port}.${method}: the answer stands, and the reconciler finishes the chain exactly once`, async () => {
        const w = await world();
        const { tbId, hopId } = await startTraceback(w);
        const version = (await w.h.deps.tracebacks.getTraceback(tbId))!.version;
        const dies = crashOnce(w.h.deps[port] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>, method, when);
        const hop = (await w.h.deps.tracebacks.getHop(tbId, 1))!;
        // What the answer writes, and then its follow-up, which the crash cuts short.
        const at = clockOf(w.h).now();
        const marker = outboxMarker(at, hopId);
        await w.h.deps.tracebacks.replaceHop(
          {
            ...hop.value,
            status: "answered",
            answer: upstream(w.mid.id) as never,
            answeredAt: at.toISOString(),
            answeredBy: { accountId: w.term.id, keyId: w.term.key.keyId },
            late: false,
            resolvedUpstream: { registered: w.mid.id },
          },
          { version: hop.version, status: "open" },
          marker,
        );
        const inline = await followUpHop(w.h.deps, tbId, 1, marker).then(
          () => "finished",
          (err: unknown) => String(err),
        );
        // A lost queue hand-over is no failure of the follow-up: the event waits for its reconciler.
        if (!(port === "queue")) expect(inline).toContain("crashed");
        expect(dies.crashed).toBe(true);

        clockOf(w.h).advance((GRACE_SECONDS + 1) * 1000);
        const result = await reconcileOutbox(w.h.deps, GRACE_SECONDS);
        expect(result.failed).toBe(0);
        expect(await reconcileOutbox(w.h.deps, GRACE_SECONDS)).toEqual({ found: 0, finished: 0, failed: 0 });
        await expectMovedOnceTo(w.h, tbId, w.mid, version + 1);
        // The notice reaches the delivery queue, inline or, once its hand-over was lost, from the feed.
        await recoverFanOuts(w.h.deps, GRACE_SECONDS);
        const next = createdFor(w.h, (await w.h.deps.tracebacks.getHop(tbId, 2))!.value.id)[0]!;
        const queued = w.h.deps.queue.take().flatMap((q) => (q.message.kind === "event" ? [q.message.event.id] : []));
        expect(queued).toContain(next.id);
      });
    }
  }
});

/** Makes the next call of `method` die just before or just after it does its work. */
function crashOnce(target: Record<string, (...args: unknown[]) => Promise<unknown>>, method: string, when: "before" | "after"): { crashed: boolean } {
  const original = target[method]!.bind(target);
  const state = { crashed: false };
  target[method] = async (...args: unknown[]) => {
    if (state.crashed) return original(...args);
    state.crashed = true;
    if (when === "after") await original(...args);
    throw new Error(`crashed ${when} ${method}`);
  };
  return state;
}
