/**
 * A process killed between any two calls to its ports. The ports of a "doomed" process throw
 * from call N on (nothing more reaches the stores or the queue), its queue is forgotten as the
 * embedded queue is on a restart, and a fresh process then finishes the work: the start-up
 * recovery, the client's retries, the worker and the reconciler. For every N, and whether the
 * clients act before or after the reconciler came by, every event the final state implies (a hop
 * created, reminded, cancelled; the traceback completed) is recorded and delivered exactly once,
 * under its own id, and the log holds what the chain shows.
 *
 * The same scenarios run on the in-memory ports, where every kill point is cheap enough to try,
 * and on dynalite and local-aws-sqs, where each try costs some hundred round trips: there a
 * suite may try only some of them (`killPoints`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import { decodeReceiptClaims } from "../../functions/crypto/receipt.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import type { Principal } from "../../functions/domain/account.js";
import type { HopAnswer, UpstreamRef } from "../../functions/domain/answer-schema.js";
import { ConflictError, NotFoundError } from "../../functions/domain/errors.js";
import { derivedEventId, hopIdOf } from "../../functions/domain/ids.js";
import { hopDecisionId, outcomeDecisionId, type Decision } from "../../functions/domain/log/decisions.js";
import { encodeEntry, requestEntry } from "../../functions/domain/log/entry.js";
import { deadlinePolicies } from "../../functions/platform/deadlines.js";
import { registerAccount } from "../../functions/usecases/accounts.js";
import type { CampaignStore } from "../../functions/usecases/campaign-ports.js";
import { handleDeliveryMessage, recoverDeliveries } from "../../functions/usecases/deliveries.js";
import { deliveryMessageSchema, type DeliveryMessage } from "../../functions/usecases/delivery-messages.js";
import { RecordingEventPublisher, recoverFanOuts } from "../../functions/usecases/event-outbox.js";
import { answerHopRequest, type AnswerContext } from "../../functions/usecases/hops.js";
import type { IntelStore } from "../../functions/usecases/intel-ports.js";
import { receiptSigner } from "../../functions/usecases/log-exchange.js";
import type { LogStore } from "../../functions/usecases/log-ports.js";
import type { Mailer } from "../../functions/usecases/people-ports.js";
import type { AccountStore, EvidenceStore, Logger, TracebackStore } from "../../functions/usecases/ports.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import type { RmdStore } from "../../functions/usecases/rmd-ports.js";
import { sweepDeadlines } from "../../functions/usecases/sweep.js";
import { closeTracebackBy, createTraceback } from "../../functions/usecases/tracebacks.js";
import type { DeliveryQueue, WebhookDeps, WebhookStore } from "../../functions/usecases/webhook-ports.js";
import type { KillPoints } from "./kill-points.js";
import { Doom, doomed, webhookSettingsFor } from "./doom.js";
import { ManualClock } from "./manual-clock.js";

/** The stores every process shares, as they share the table. */
export interface CrashStores {
  accounts: AccountStore;
  evidence: EvidenceStore;
  tracebacks: TracebackStore;
  webhooks: WebhookStore;
  log: LogStore;
  rmd: RmdStore;
  campaigns: CampaignStore;
  intel: IntelStore;
}

export interface CrashWorld {
  stores: CrashStores;
  mailer: Mailer;
  /**
   * A process's own queue, empty when it starts whatever the last one held, and its delivery
   * worker: `drain` hands each message to `handle` until none is left to receive.
   */
  queue(): Promise<{ queue: DeliveryQueue; drain(handle: (m: DeliveryMessage) => Promise<void>): Promise<void> }>;
  stop(): Promise<void>;
}

type Order = "reconciler first" | "steps first";

const ids = ulidGenerator();
const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 86_400, REMINDER_SECONDS_BEFORE_DUE: [3600] });
const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CONSORTIUM: Principal = { accountId: "acc_CONSORTIUM", kind: "consortium", keyId: "kid-consortium" };
const LEASE_SECONDS = 60;

interface State {
  tracebackId?: string;
  frn?: string;
}

interface Sent {
  url: string;
  webhookId: string;
  type: string;
  hopId?: string;
}

interface Process {
  deps: WebhookDeps;
  /** The delivery worker on the process's queue until it is empty. */
  drain(): Promise<void>;
}

export function crashRecoverySuite(open: () => Promise<CrashWorld>, killPoints: KillPoints): void {
  describe("a kill between any two port calls loses no notification", () => {
    let world: CrashWorld;
    let hubKey: WebhookDeps["hubKey"] & { publicJwk: { x: string } };
    const clock = new ManualClock(new Date("2024-06-03T16:05:00.000Z"));
    const sent: Sent[] = [];
    let frns = 0;

    beforeAll(async () => {
      world = await open();
      const k = await generateSigningKey();
      hubKey = { kid: k.kid, privateKey: k.privateKey, publicJwk: k.publicJwk };
    });
    afterAll(async () => {
      await world?.stop();
    });

    /** A process: its own (empty) queue, and ports that die with `doom` when one is given. */
    async function processWith(doom?: Doom): Promise<Process> {
      const port = <T extends object>(p: T): T => (doom ? doomed(p, doom) : p);
      const s = world.stores;
      const own = await world.queue();
      const webhooks = port(s.webhooks);
      const queue = port(own.queue);
      const transparencyLog = { logStore: port(s.log), clock, hubKey, logOrigin: "hub.example/log" };
      const deps: WebhookDeps = {
        transparencyLog,
        receipts: port(receiptSigner({ transparencyLog, clock, hubKey, issuer: "https://hub.example" })),
        accounts: port(s.accounts),
        evidence: port(s.evidence),
        tracebacks: port(s.tracebacks),
        rmd: port(s.rmd),
        campaigns: port(s.campaigns),
        intel: port(s.intel),
        fetchCertificate: async () => {
          throw new Error("no certificates in this test");
        },
        events: new RecordingEventPublisher(webhooks, queue, clock, log),
        deadlines,
        clock,
        ids,
        log,
        webhooks,
        queue,
        send: async (req) => {
          doom?.tick();
          const payload = JSON.parse(req.body);
          sent.push({ url: req.url, webhookId: req.headers["webhook-id"]!, type: payload.type, hopId: payload.data.hopId });
          return { outcome: "delivered", status: 204, latencyMs: 1 };
        },
        guard: async () => ({ ok: true }),
        // Providers here take hop requests by webhook; a notice no endpoint takes goes to a mailbox nobody reads.
        mailer: world.mailer,
        hubKey,
        random: () => 0.5,
        webhookSettings: webhookSettingsFor(LEASE_SECONDS),
      };
      return { deps, drain: () => own.drain((m) => handleDeliveryMessage(deps, deliveryMessageSchema.parse(m))) };
    }

    async function provider(name: string): Promise<string> {
      const id = ids.next("acc");
      const s = world.stores;
      await s.accounts.createAccount({ id, kind: "provider", name, spcCodes: [], createdAt: clock.now().toISOString(), createdBy: CONSORTIUM.accountId });
      await s.webhooks.putEndpoint({
        id: ids.next("ep"),
        accountId: id,
        url: `https://hooks.example/${id}`,
        eventTypes: ["hop_request.created", "traceback.completed"],
        status: "active",
        secrets: [{ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: clock.now().toISOString() }],
        createdAt: clock.now().toISOString(),
        consecutiveFailures: 0,
      });
      return id;
    }

    /** A provider's answer as the route hands it over; a retry sends the same request again. */
    const principalOf = (providerId: string): Principal => ({ accountId: providerId, kind: "provider", keyId: `kid-${providerId}` });

    /** An attempt of a provider's answer: a request of its own, sealed and logged as the route does it; a retry has the same body and Idempotency-Key. */
    function answerContext(providerId: string, hopId: string, answer: HopAnswer): AnswerContext {
      const signed = {
        request: {
          method: "POST",
          targetUri: `https://hub.example/v1/hop-requests/${hopId}/answer`,
          headers: { "signature-input": "sig1=()", signature: "sig1=::", "idempotency-key": `answer-${hopId}` },
          body: JSON.stringify(answer),
        },
        key: { keyId: principalOf(providerId).keyId, publicJwk: { kty: "OKP" as const, crv: "Ed25519" as const, x: "unused" }, accountId: providerId },
      };
      return { ...signed, requestId: ids.next("req") };
    }

    function answerOf(providerId: string, hopId: string, answer: HopAnswer): (deps: WebhookDeps) => Promise<"accepted" | "not_yet"> {
      return async (deps) => {
        try {
          await answerHopRequest(deps, principalOf(providerId), hopId, answer, answerContext(providerId, hopId, answer));
          return "accepted";
        } catch (err) {
          // The hop is not there yet: the follow-up that writes it has not been finished.
          if (err instanceof NotFoundError) return "not_yet";
          throw err;
        }
      };
    }

    const reconcile = async (deps: WebhookDeps) => {
      await recoverFanOuts(deps, 0);
      await reconcileOutbox(deps, 0);
    };

    /**
     * What a client and the hub's own timers do, step by step, each step safe to repeat: the
     * doomed process runs them until it dies, the next one runs them all again (a client retries
     * what got no answer; what was done is found done).
     */
    interface Scenario {
      /** Providers with a webhook endpoint; the steps may register more (without one). */
      providers: number;
      steps(deps: WebhookDeps, providers: string[], state: State, drain: () => Promise<void>): Promise<void>;
      /** The hops as every run leaves them, killed or not: seq, status, reminders sent. */
      final: Array<[number, string, number]>;
    }

    const start = (deps: WebhookDeps, terminatingProviderId: string) =>
      createTraceback(
        deps,
        CONSORTIUM,
        { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T12:00:00-04:00", terminatingProviderId },
        "fixed",
      );

    /** Answers a hop, waiting for the reconciler if the hop is not written yet. */
    async function answered(deps: WebhookDeps, answer: (deps: WebhookDeps) => Promise<"accepted" | "not_yet">): Promise<void> {
      if ((await answer(deps)) === "not_yet") {
        await reconcile(deps);
        expect(await answer(deps)).toBe("accepted");
      }
    }

    /** The traceback started at `terminating`, whose hop 1 it answers naming `upstream`. */
    async function startNaming(deps: WebhookDeps, terminating: string, upstream: UpstreamRef, state: State, drain: () => Promise<void>): Promise<string> {
      const tracebackId = (state.tracebackId ??= (await start(deps, terminating)).traceback.id);
      await drain();
      await answered(deps, answerOf(terminating, hopIdOf(tracebackId, 1), { type: "upstream_identified", upstream, evidence: { ingressTrunk: "T1" } }));
      return tracebackId;
    }

    /** Hop 1 names a registered upstream, whose hop 2 names the originator. */
    const chainOfTwo: Scenario = {
      providers: 2,
      steps: async (deps, [p1, p2], state, drain) => {
        const tracebackId = await startNaming(deps, p1!, { providerId: p2! }, state, drain);
        await drain();
        await answered(
          deps,
          answerOf(p2!, hopIdOf(tracebackId, 2), {
            type: "originator_identified",
            customer: { name: "Dialer LLC" },
            actionTaken: "suspended",
            evidence: { ingressTrunk: "T9" },
          }),
        );
        await drain();
      },
      final: [
        [1, "answered", 0],
        [2, "answered", 0],
      ],
    };

    const close = (deps: WebhookDeps, tracebackId: string) =>
      closeTracebackBy(deps, CONSORTIUM, tracebackId, "enough evidence").catch((err) => {
        if (!(err instanceof ConflictError && err.code === "traceback_completed")) throw err;
      });

    /** Hop 1 names a registered upstream and the consortium closes the traceback at once. */
    const answerThenClose: Scenario = {
      providers: 2,
      steps: async (deps, [p1, p2], state, drain) => {
        // The consortium closes right after the 200 to the answer.
        await close(deps, await startNaming(deps, p1!, { providerId: p2! }, state, drain));
        await drain();
      },
      final: [
        [1, "answered", 0],
        [2, "cancelled", 0],
      ],
    };

    /**
     * Hop 1 names an upstream not registered yet; it registers (which opens hop 2), is reminded
     * by the sweeper, and the consortium closes the traceback (which cancels hop 2).
     */
    const registrationReminderClose: Scenario = {
      providers: 1,
      steps: async (deps, [p1], state, drain) => {
        const frn = (state.frn ??= String(2_000_000_000 + frns++));
        const tracebackId = await startNaming(deps, p1!, { name: "Newcomer Co", frn }, state, drain);
        await drain();
        const holder = await deps.accounts.accountIdByFrn(frn);
        if (!holder || !(await deps.accounts.getAccount(holder))) {
          // A claim left by a registration that died is free again after a minute.
          clock.advance(61_000);
          await registerAccount(deps, CONSORTIUM, "provider", { name: "Newcomer Co", frn, contact: { name: "NOC", email: "noc@newcomer.example" } });
        }
        // Registered, the provider is asked: by the registration itself or, after a kill, the reconciler.
        const asked = async () => !["awaiting_registration", undefined].includes((await deps.tracebacks.getHop(tracebackId, 2, true))?.value.status);
        if (!(await asked())) await reconcile(deps);
        expect(await asked()).toBe(true);
        await drain();
        const hop2 = (await deps.tracebacks.getHop(tracebackId, 2, true))?.value;
        const remindAt = hop2?.status === "open" && !hop2.remindersSent ? hop2.deadline?.reminders?.[0] : undefined;
        if (remindAt) {
          clock.set(new Date(Math.max(clock.now().getTime(), Date.parse(remindAt) + 1000)));
          await sweepDeadlines(deps);
        }
        await drain();
        await close(deps, tracebackId);
        await drain();
      },
      final: [
        [1, "answered", 0],
        [2, "cancelled", 1],
      ],
    };

    /**
     * One life and death: the scenario's steps until the process dies after `after` port calls,
     * then a fresh process finishes. Returns the doom: whether it struck before the end, and the
     * calls the doomed process made (or tried to).
     */
    async function killedAfter(after: number, scenario: Scenario, order: Order): Promise<Doom> {
      const providers = [];
      for (let i = 0; i < scenario.providers; i++) providers.push(await provider(`Provider ${i + 1}`));
      const state: State = {};
      const doom = new Doom(after);
      const doomedProcess = await processWith(doom);
      try {
        await scenario.steps(doomedProcess.deps, providers, state, doomedProcess.drain);
      } catch (err) {
        if (!doom.fired) throw err;
      }

      // The next process, a moment later: its queue starts empty, whatever the last one held.
      clock.advance(1000);
      const next = await processWith();
      if (order === "reconciler first") await reconcile(next.deps);
      await scenario.steps(next.deps, providers, state, next.drain);
      await reconcile(next.deps);
      await next.drain();
      // Claims the dead process held come back once their lease has run out.
      clock.advance(2 * LEASE_SECONDS * 1000 + 1000);
      await recoverDeliveries(next.deps);
      await next.drain();

      const chain = (await world.stores.tracebacks.getChain(state.tracebackId!))!;
      expect(chain.hops.map((h) => [h.value.seq, h.value.status, h.value.remindersSent ?? 0])).toEqual(scenario.final);
      await expectEachEventOnce(state.tracebackId!, providers);
      await expectLogged(state.tracebackId!);
      return doom;
    }

    /**
     * The log holds every answer the chain shows (the entry its receipt commits to), the placement
     * of every hop, the opening of every hop asked after it was placed, and the outcome: each
     * once, as the state has it, and nothing about a hop the chain does not have.
     */
    async function expectLogged(tracebackId: string): Promise<void> {
      const s = world.stores;
      const chain = (await s.tracebacks.getChain(tracebackId))!;
      const tb = chain.traceback.value;
      const entries = await s.log.entriesOf(tracebackId);
      const byId = new Map(entries.map((e) => [e.statementId, e]));
      for (const { value: hop } of chain.hops) {
        // An answer never stands without the evidence of the request that made it.
        if (hop.status === "answered") expect(hop.evidence && JSON.parse(hop.evidence.request.body), `hop ${hop.seq} answer's evidence`).toEqual(hop.answer);
        if (hop.evidence) {
          const claim = decodeReceiptClaims(hop.evidence.receipt)!.log!;
          expect(Buffer.from(byId.get(claim.id)!.entry).toString()).toBe(Buffer.from(encodeEntry(requestEntry(claim, hop.evidence.receipt))).toString());
        }
        const placed = byId.get(hopDecisionId(tracebackId, hop.id, "hop_placed"))?.evidence?.decision as Decision | undefined;
        expect(placed, `hop ${hop.seq} placed`).toMatchObject({ hopId: hop.id, seq: hop.seq, namedBy: hop.namedBy, createdAt: hop.createdAt });
        const askedLater = (placed as { status: string }).status !== "open" || (hop.remindersSent ?? 0) > 0;
        const opened = byId.get(hopDecisionId(tracebackId, hop.id, "hop_opened"))?.evidence?.decision;
        if (askedLater && hop.providerId) expect(opened, `hop ${hop.seq} opened`).toMatchObject({ providerId: hop.providerId });
      }
      expect(byId.get(outcomeDecisionId(tracebackId, "outcome", tb.result!))?.evidence?.decision).toEqual({ type: "outcome", tracebackId, ...tb.result });
      const hops = new Set(chain.hops.map((h) => h.value.id));
      for (const e of entries) {
        const about = (e.evidence?.decision as { hopId?: string } | undefined)?.hopId;
        if (about) expect(hops.has(about), `${e.statementId} is about a hop of the chain`).toBe(true);
      }
    }

    /**
     * Every event the final state implies (each hop ever opened was created, each reminder sent,
     * each cancellation, the completion) is in its recipient's feed exactly once and nothing else
     * is; endpoints got exactly those, under their own ids; and no marker is left behind.
     */
    async function expectEachEventOnce(tracebackId: string, withEndpoint: string[]): Promise<void> {
      const s = world.stores;
      const chain = (await s.tracebacks.getChain(tracebackId))!;
      const tb = chain.traceback.value;
      expect(tb.status).toBe("completed");
      const expected = new Map<string, string[]>();
      const expect_ = (recipient: string, id: string) => expected.set(recipient, [...(expected.get(recipient) ?? []), id]);
      for (const { value: hop } of chain.hops) {
        if (!hop.providerId) continue;
        if (hop.deadline) expect_(hop.providerId, derivedEventId(hop.id, "created"));
        for (let i = 1; i <= (hop.remindersSent ?? 0); i++) expect_(hop.providerId, derivedEventId(hop.id, `reminder-${i}`));
        if (hop.status === "cancelled") expect_(hop.providerId, derivedEventId(hop.id, "cancelled"));
      }
      expect_(tb.initiatorId, derivedEventId(tb.id, "completed"));
      for (const [recipient, ids] of expected) {
        const feed = (await s.webhooks.listEvents(recipient, { limit: 1000 })).items.filter((e) => e.data.tracebackId === tracebackId);
        expect(feed.map((e) => e.id).sort()).toEqual([...ids].sort());
        if (!withEndpoint.includes(recipient)) continue;
        const pushed = sent.filter((x) => x.url.endsWith(recipient) && feed.some((e) => e.id === x.webhookId));
        expect(new Set(pushed.map((x) => x.webhookId))).toEqual(new Set(ids.filter((id) => id.endsWith(".created") || id.endsWith(".completed"))));
      }
      const accountMarks = await s.accounts.pendingActivations("9999", 1000);
      const marks = [chain.traceback.outbox, ...chain.hops.map((h) => h.outbox), ...accountMarks.map((a) => a.marker)].filter(Boolean);
      expect(marks).toEqual([]);
      const pending = await s.webhooks.eventsAwaitingFanOut("9999", 1000);
      expect(pending.filter((e) => e.data.tracebackId === tracebackId)).toEqual([]);
    }

    const cases = [
      ["a chain of two answers", chainOfTwo, "reconciler first"],
      ["a chain of two answers", chainOfTwo, "steps first"],
      ["an answer, then the traceback closed", answerThenClose, "steps first"],
      ["registration, reminder and closing", registrationReminderClose, "steps first"],
    ] as const;
    for (const [nth, [name, scenario, order]] of cases.entries()) {
      const run = (after: number) =>
        killedAfter(after, scenario, order).catch((err) => Promise.reject(new Error(`killed after ${after} calls: ${err}`, { cause: err })));
      if (killPoints === "every") {
        it(`${name}: whichever call the kill comes before (${order})`, async () => {
          let after = 0;
          let doom = await run(after);
          while (doom.fired) doom = await run(++after);
          // The run no kill reached takes this many calls; every one of them was a place to die.
          expect(doom.calls).toBe(after);
          expect(after).toBeGreaterThan(30);
        }, 120_000);
      } else {
        it(`${name}: a kill before some of its calls (${order})`, async () => {
          const total = (await run(Number.POSITIVE_INFINITY)).calls;
          expect(total).toBeGreaterThan(30);
          for (const after of killPoints.pick(total, { nth, of: cases.length })) {
            expect(after).toBeLessThan(total);
            expect((await run(after)).fired).toBe(true);
          }
        }, 120_000);
      }
    }

    // Last: it leaves a hop open, which the scenarios' sweeps would find, adding calls to their runs.
    it("a kill between an answer's evidence and its hop's write leaves the hop open; the retry answers, and a retry of that gets its response again", async () => {
      const [p1, p2] = [await provider("Provider 1"), await provider("Provider 2")];
      const first = await processWith();
      const tracebackId = (await start(first.deps, p1!)).traceback.id;
      const hopId = hopIdOf(tracebackId, 1);
      const answer: HopAnswer = { type: "upstream_identified", upstream: { providerId: p2! }, evidence: { ingressTrunk: "T1" } };
      // The process dies as it writes the hop: the evidence is kept, the hop's write never happens.
      const tracebacks = new Proxy(first.deps.tracebacks, {
        get: (target, prop, receiver) =>
          prop === "replaceHop"
            ? async () => {
                throw new Error("process killed");
              }
            : Reflect.get(target, prop, receiver),
      });
      const dying = { ...first.deps, tracebacks };
      await expect(answerHopRequest(dying, principalOf(p1!), hopId, answer, answerContext(p1!, hopId, answer))).rejects.toThrow("process killed");
      const left = (await world.stores.tracebacks.getHop(tracebackId, 1, true))!.value;
      expect([left.status, left.evidence]).toEqual(["open", undefined]);

      clock.advance(1000);
      const next = await processWith();
      const accepted = await answerHopRequest(next.deps, principalOf(p1!), hopId, answer, answerContext(p1!, hopId, answer));
      const again = await answerHopRequest(next.deps, principalOf(p1!), hopId, answer, answerContext(p1!, hopId, answer));
      expect(again).toEqual({ ...accepted, replayed: true });
      const hop = (await world.stores.tracebacks.getHop(tracebackId, 1, true))!.value;
      expect(hop.status).toBe("answered");
      expect(hop.evidence?.receipt).toBe(accepted.receipt);
      expect(hop.evidence?.response.body).toBe(accepted.body);
      const claim = decodeReceiptClaims(accepted.receipt)!.log!;
      expect((await world.stores.log.entriesOf(tracebackId)).map((e) => e.statementId)).toContain(claim.id);
    });
  });
}
