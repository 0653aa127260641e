/**
 * What every implementation of the storage ports must do, whatever holds the data: paging with
 * cursors, single-item conditional writes, unique claims, outbox markers, and a follow-up the
 * reconciler can finish. Run against the DynamoDB adapters on the emulator and against the
 * in-memory stores of the fast suite, so neither can drift from the other unseen.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import type { Account, SigningKeyRecord } from "../../functions/domain/account.js";
import { ManualClock } from "./manual-clock.js";
import { ConflictError, InvalidCursorError } from "../../functions/domain/errors.js";
import type { HubEvent } from "../../functions/domain/events.js";
import { hopPlaced } from "../../functions/domain/log/decisions.js";
import { startTraceback, type Traceback } from "../../functions/domain/traceback.js";
import { deadlinePolicies } from "../../functions/platform/deadlines.js";
import type { CampaignStore } from "../../functions/usecases/campaign-ports.js";
import { outboxMarker } from "../../functions/usecases/followup.js";
import type { IntelStore } from "../../functions/usecases/intel-ports.js";
import type { LogStore } from "../../functions/usecases/log-ports.js";
import type { AccountStore, EvidenceStore, Logger, StoredHop, TracebackStore } from "../../functions/usecases/ports.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";
import type { RmdStore } from "../../functions/usecases/rmd-ports.js";
import type { WebhookStore } from "../../functions/usecases/webhook-ports.js";
import type { Delivery } from "../../functions/domain/webhooks/delivery.js";
import { STORED_CALL as CALL } from "./stored-call.js";

export interface ContractStores {
  accounts: AccountStore;
  tracebacks: TracebackStore;
  evidence: EvidenceStore;
  rmd: RmdStore;
  campaigns: CampaignStore;
  intel: IntelStore;
  webhooks: WebhookStore;
  /** A transparency log of this name, apart from any other. */
  logStore(name: string): LogStore;
  stop(): Promise<void>;
}

export const ids = ulidGenerator();
const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 86_400 });
const T0 = new Date("2024-06-03T16:05:00.000Z");

export function newTraceback(initiatorId: string, terminatingProviderId: string, now = T0): { traceback: Traceback; firstHop: StoredHop } {
  return startTraceback(
    { id: ids.next("tb"), initiatorId, createdBy: initiatorId, call: CALL, deadlinePolicy: "fixed", terminatingProviderId },
    now,
    deadlines("fixed"),
  );
}

function account(kind: Account["kind"], extra: Partial<Account> = {}): Account {
  return { id: ids.next("acc"), kind, name: `${kind} ${Math.random()}`, spcCodes: [], createdAt: T0.toISOString(), createdBy: "acc_consortium", ...extra };
}

/** An active key of a provider account, registered by the account itself. */
function activeKey(acc: Account, keyId: string): SigningKeyRecord {
  return {
    keyId,
    accountId: acc.id,
    accountKind: "provider",
    publicJwk: { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) },
    status: "active",
    createdAt: T0.toISOString(),
    createdBy: acc.id,
  };
}

export function storeContract(open: () => Promise<ContractStores>): void {
  let s: ContractStores;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("cursor pagination", () => {
    it("returns every traceback of an initiator exactly once, newest first, across pages", async () => {
      const initiator = ids.next("acc");
      const created: string[] = [];
      for (let i = 0; i < 23; i++) {
        const { traceback } = newTraceback(initiator, "acc_TERM");
        await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
        created.push(traceback.id);
      }
      // Noise in other partitions must not leak in.
      const { traceback: foreign } = newTraceback(ids.next("acc"), "acc_TERM");
      await s.tracebacks.createTraceback(foreign, outboxMarker(T0, foreign.id));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.tracebacks.listTracebacks({ initiatorId: initiator }, {}, { limit: 5, ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((tb) => tb.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).toHaveLength(23);
      expect(new Set(seen).size).toBe(23);
      expect(seen).toEqual([...created].reverse());
      expect(pages).toBeGreaterThanOrEqual(5);
    });

    it("returns every key of an account exactly once, in ascending order, across pages", async () => {
      const acc = account("provider");
      await s.accounts.createAccount(acc);
      const keyIds: string[] = [];
      for (let i = 0; i < 7; i++) {
        const keyId = `key-${String(i).padStart(2, "0")}-${acc.id}`;
        keyIds.push(keyId);
        await s.accounts.addKey(activeKey(acc, keyId), 10);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.accounts.listKeys(acc.id, { limit: 3, ...(cursor && { cursor }) });
        seen.push(...page.items.map((k) => k.keyId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(keyIds);
    });

    it("a full page carries a cursor even when nothing follows it; the page after it is empty, and a short page carries none", async () => {
      const acc = account("provider");
      await s.accounts.createAccount(acc);
      const full = await s.accounts.listAccounts("provider", { limit: 1 });
      expect(full.items).toHaveLength(1);
      expect(full.nextCursor).toBeTruthy();
      const keyId = `key-only-${acc.id}`;
      await s.accounts.addKey(activeKey(acc, keyId), 10);
      const only = await s.accounts.listKeys(acc.id, { limit: 1 });
      expect(only.items.map((k) => k.keyId)).toEqual([keyId]);
      expect(only.nextCursor).toBeTruthy();
      const after = await s.accounts.listKeys(acc.id, { limit: 1, cursor: only.nextCursor! });
      expect(after.items).toEqual([]);
      expect(after.nextCursor).toBeUndefined();
      const short = await s.accounts.listKeys(acc.id, { limit: 2 });
      expect(short.items).toHaveLength(1);
      expect(short.nextCursor).toBeUndefined();
    });

    it("refuses a cursor issued for another partition, and garbage", async () => {
      const a = ids.next("acc");
      const b = ids.next("acc");
      for (const provider of [a, a, b, b]) await s.tracebacks.putNewHop(newTraceback(ids.next("acc"), provider).firstHop);
      const first = await s.tracebacks.listHopsOf(a, { limit: 1 });
      expect(first.nextCursor).toBeTruthy();
      await expect(s.tracebacks.listHopsOf(b, { limit: 1, cursor: first.nextCursor! })).rejects.toThrow(InvalidCursorError);
      await expect(s.tracebacks.listOpenHopsOf(a, { limit: 1, cursor: first.nextCursor! })).rejects.toThrow(InvalidCursorError);
      await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: "%%%" })).rejects.toThrow(InvalidCursorError);
      // The right cursor for the right listing works.
      const second = await s.tracebacks.listHopsOf(a, { limit: 1, cursor: first.nextCursor! });
      expect(second.items).toHaveLength(1);
      expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    });
  });

  describe("hops", () => {
    it("putNewHop writes once: created, then exists, and the first item is kept", async () => {
      const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
      expect(await s.tracebacks.putNewHop(firstHop)).toBe("created");
      expect(await s.tracebacks.putNewHop({ ...firstHop, providerId: "acc_OTHER" })).toBe("exists");
      const stored = await s.tracebacks.getHop(firstHop.tracebackId, 1, true);
      expect(stored?.value.providerId).toBe("acc_TERM");
      expect(stored?.version).toBe(1);
    });

    it("replaceHop with a stale version or status throws ConflictError and changes nothing", async () => {
      const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
      await s.tracebacks.putNewHop(firstHop);
      const v1 = (await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!;
      await s.tracebacks.replaceHop({ ...v1.value, late: false }, { version: v1.version, status: "open" });
      const v2 = (await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!;
      expect(v2.version).toBe(2);

      const stale = s.tracebacks.replaceHop({ ...v1.value, status: "answered" }, { version: v1.version, status: "open" });
      await expect(stale).rejects.toThrow(ConflictError);
      await expect(s.tracebacks.replaceHop({ ...v1.value, status: "answered" }, { version: v1.version, status: "open" })).rejects.toMatchObject({
        code: "hop_changed",
      });
      await expect(s.tracebacks.replaceHop({ ...v2.value, status: "answered" }, { version: v2.version, status: "cancelled" })).rejects.toThrow(ConflictError);
      const after = (await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!;
      expect(after.version).toBe(2);
      expect(after.value.status).toBe("open");
    });

    it("an open hop is listed for its provider; once answered it leaves the open list but stays in the full list", async () => {
      const provider = ids.next("acc");
      const { firstHop } = newTraceback(ids.next("acc"), provider);
      await s.tracebacks.putNewHop(firstHop);
      expect((await s.tracebacks.listOpenHopsOf(provider, { limit: 10 })).items.map((h) => h.id)).toEqual([firstHop.id]);
      await s.tracebacks.replaceHop(
        { ...firstHop, status: "answered", answer: { type: "refused", reason: "x" }, answeredAt: T0.toISOString() },
        { version: 1, status: "open" },
      );
      expect((await s.tracebacks.listOpenHopsOf(provider, { limit: 10 })).items).toHaveLength(0);
      expect((await s.tracebacks.listHopsOf(provider, { limit: 10 })).items.map((h) => h.id)).toEqual([firstHop.id]);
    });
    it("a hop waiting for an unregistered upstream is found by its FRN, or by its RMD number in any case", async () => {
      const rmd = `RMD${ids.next("acc").slice(-8)}`;
      const frn = String(Date.now() % 1e10).padStart(10, "0");
      const waiting = (pendingProvider: StoredHop["pendingProvider"]) => {
        const { providerId: _asked, ...hop } = newTraceback(ids.next("acc"), "acc_TERM").firstHop;
        return { ...hop, status: "awaiting_registration" as const, pendingProvider };
      };
      const byRmd = waiting({ name: "Shadow", rmdNumber: rmd });
      const byFrn = waiting({ name: "Shadow", frn, rmdNumber: rmd });
      await s.tracebacks.putNewHop(byRmd);
      await s.tracebacks.putNewHop(byFrn);
      expect((await s.tracebacks.hopsAwaitingRegistration("RMD", rmd.toLowerCase())).map((h) => h.id)).toEqual([byRmd.id]);
      expect((await s.tracebacks.hopsAwaitingRegistration("FRN", frn)).map((h) => h.id)).toEqual([byFrn.id]);
    });
  });

  describe("FRN and SPC claims", () => {
    it("a second account with the same FRN is refused; the first is untouched and the second not written", async () => {
      const frn = "0044455566";
      const first = account("provider", { frn, spcCodes: ["567J"] });
      await s.accounts.createAccount(first);
      const second = account("provider", { frn });
      const err = await s.accounts.createAccount(second).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).code).toBe("already_registered");
      expect(await s.accounts.getAccount(first.id)).toEqual(first);
      expect(await s.accounts.accountIdByFrn(frn)).toBe(first.id);
      expect(await s.accounts.getAccount(second.id)).toBeUndefined();
    });

    it("an SPC taken by another account (in any case) is refused, and the FRN claimed on the way is released", async () => {
      const holder = account("provider", { spcCodes: ["818H"] });
      await s.accounts.createAccount(holder);
      const freshFrn = "0066677788";
      const loser = account("provider", { frn: freshFrn, spcCodes: ["818h"] });
      await expect(s.accounts.createAccount(loser)).rejects.toMatchObject({ code: "already_registered" });
      expect(await s.accounts.getAccount(loser.id)).toBeUndefined();
      expect(await s.accounts.accountIdBySpc("818H")).toBe(holder.id);
      expect(await s.accounts.accountIdByFrn(freshFrn)).toBeUndefined();
      // The FRN is really free again: another account can take it now.
      const next = account("provider", { frn: freshFrn });
      await s.accounts.createAccount(next);
      expect(await s.accounts.accountIdByFrn(freshFrn)).toBe(next.id);
    });

    it("two accounts racing for one FRN: exactly one wins", async () => {
      const frn = "0088899900";
      const racers = [account("provider", { frn }), account("provider", { frn }), account("provider", { frn })];
      const results = await Promise.allSettled(racers.map((a) => s.accounts.createAccount(a)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const winner = racers[results.findIndex((r) => r.status === "fulfilled")]!;
      expect(await s.accounts.accountIdByFrn(frn)).toBe(winner.id);
      for (const [i, r] of results.entries()) {
        if (r.status === "rejected") {
          expect(r.reason).toMatchObject({ code: "already_registered" });
          expect(await s.accounts.getAccount(racers[i]!.id)).toBeUndefined();
        }
      }
    });
  });

  describe("outbox", () => {
    it("pendingOutbox finds markers older than the cut-off; clearOutbox clears only the current marker", async () => {
      const { traceback } = newTraceback(ids.next("acc"), "acc_TERM");
      const m1 = outboxMarker(new Date("2001-01-01T00:00:00.000Z"), traceback.id);
      await s.tracebacks.createTraceback(traceback, m1);
      const key = { tracebackId: traceback.id };
      const mine = async (before: string) => (await s.tracebacks.pendingOutbox(before, 1000)).filter((p) => p.ref.tracebackId === traceback.id);

      expect(await mine("2000-12-31T23:59:59.999Z")).toEqual([]);
      expect(await mine("2001-01-01T00:00:01.000Z")).toEqual([{ ref: key, marker: m1 }]);
      expect((await s.tracebacks.getTraceback(traceback.id, true))?.outbox).toBe(m1);

      // A newer transition replaces the marker; clearing the old one leaves the new one in place.
      const m2 = outboxMarker(new Date("2001-01-01T00:00:05.000Z"), traceback.id);
      expect(await s.tracebacks.replaceTraceback({ ...traceback, notes: "changed" }, { value: traceback, version: 1 }, m2)).toBe(true);
      await s.tracebacks.clearOutbox(key, m1);
      expect(await mine("2001-01-02T00:00:00.000Z")).toEqual([{ ref: key, marker: m2 }]);
      await s.tracebacks.clearOutbox(key, m2);
      expect(await mine("2001-01-02T00:00:00.000Z")).toEqual([]);
      const stored = await s.tracebacks.getTraceback(traceback.id, true);
      expect(stored?.outbox).toBeUndefined();
      expect(stored?.value.notes).toBe("changed");
      // Clearing again is harmless.
      await s.tracebacks.clearOutbox(key, m2);
    });

    it("replaceTraceback refuses a stale version", async () => {
      const { traceback } = newTraceback(ids.next("acc"), "acc_TERM");
      await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
      expect(await s.tracebacks.replaceTraceback({ ...traceback, notes: "a" }, { value: traceback, version: 1 })).toBe(true);
      expect(await s.tracebacks.replaceTraceback({ ...traceback, notes: "b" }, { value: traceback, version: 1 })).toBe(false);
      expect((await s.tracebacks.getTraceback(traceback.id, true))?.value.notes).toBe("a");
    });
  });

  describe("events and deliveries", () => {
    const event = (recipientId: string, createdAt: string): HubEvent =>
      ({ id: ids.next("evt"), type: "hop_request.created", createdAt, recipientId, data: { hopId: "hop_x_1" } }) as HubEvent;
    const sending = (e: HubEvent, endpointId: string, leaseUntil: string): Delivery => ({
      eventId: e.id,
      endpointId,
      accountId: e.recipientId,
      eventType: e.type,
      attempts: [],
      createdAt: e.createdAt,
      updatedAt: e.createdAt,
      status: "sending",
      attemptCount: 1,
      leaseUntil,
    });

    it("records an event once, lists a recipient's feed oldest first across pages, and keeps its fan-out marker until cleared", async () => {
      const recipient = ids.next("acc");
      const events = ["2001-02-01T00:00:01.000Z", "2001-02-01T00:00:02.000Z", "2001-02-01T00:00:03.000Z"].map((at) => event(recipient, at));
      for (const e of events) expect(await s.webhooks.recordEvent(e, "2001-02-01T00:00:00.000Z")).toBe("created");
      expect(await s.webhooks.recordEvent(events[0]!, "2001-02-01T00:00:09.000Z")).toBe("exists");
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.webhooks.listEvents(recipient, { limit: 2, ...(cursor && { cursor }) });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(events.map((e) => e.id));
      const mine = async () =>
        (await s.webhooks.eventsAwaitingFanOut("2001-02-01T00:00:05.000Z", 1000)).filter((e) => e.recipientId === recipient).map((e) => e.id);
      expect((await mine()).sort()).toEqual(events.map((e) => e.id).sort());
      await s.webhooks.markFannedOut(events[1]!);
      expect((await mine()).sort()).toEqual([events[0]!.id, events[2]!.id].sort());
      expect(await s.webhooks.getEvent(events[1]!.id)).toEqual(events[1]);
    });

    it("creates a delivery once, and replaces it only as it was read, down to the lease of its claim", async () => {
      const e = event(ids.next("acc"), "2001-03-01T00:00:00.000Z");
      const d = sending(e, ids.next("ep"), "2001-03-01T00:01:00.000Z");
      expect(await s.webhooks.createDelivery(d)).toBe(true);
      expect(await s.webhooks.createDelivery({ ...d, attemptCount: 9 })).toBe(false);
      const takenOver = { ...d, leaseUntil: "2001-03-01T00:05:00.000Z" };
      expect(await s.webhooks.replaceDelivery(takenOver, { status: "sending", attemptCount: 2 })).toBe(false);
      expect(await s.webhooks.replaceDelivery(takenOver, { status: "retrying", attemptCount: 1 })).toBe(false);
      expect(await s.webhooks.replaceDelivery(takenOver, { status: "sending", attemptCount: 1, leaseUntil: d.leaseUntil! })).toBe(true);
      // A second taker of the old claim finds the new one.
      expect(
        await s.webhooks.replaceDelivery({ ...d, leaseUntil: "2001-03-01T00:06:00.000Z" }, { status: "sending", attemptCount: 1, leaseUntil: d.leaseUntil! }),
      ).toBe(false);
      expect(await s.webhooks.getDelivery(e.id, d.endpointId)).toEqual(takenOver);
      const due = async (before: string) => (await s.webhooks.dueDeliveries(before, 1000)).filter((x) => x.eventId === e.id).map((x) => x.leaseUntil);
      expect(await due("2001-03-01T00:04:00.000Z")).toEqual([]);
      expect(await due("2001-03-01T00:06:00.000Z")).toEqual([takenOver.leaseUntil]);
    });
  });

  describe("the reconciler finishes an interrupted follow-up", () => {
    // Stores of their own, so that only the items these tests leave behind are in their outbox.
    let r: ContractStores;
    let hubKey: Awaited<ReturnType<typeof generateSigningKey>>;
    beforeAll(async () => {
      r = await open();
      hubKey = await generateSigningKey();
    });
    afterAll(async () => {
      await r?.stop();
    });
    const logStore = () => r.logStore("reconciler");

    function depsAt(clock: ManualClock, published: HubEvent[], errors: string[]) {
      const log: Logger = { info: () => undefined, warn: () => undefined, error: (m, f) => void errors.push(`${m} ${JSON.stringify(f)}`) };
      return {
        transparencyLog: { logStore: logStore(), clock, hubKey, logOrigin: "127.0.0.1/log" },
        accounts: r.accounts,
        tracebacks: r.tracebacks,
        evidence: r.evidence,
        rmd: r.rmd,
        campaigns: r.campaigns,
        intel: r.intel,
        ids: ulidGenerator(() => clock.now().getTime()),
        events: { publish: async (events: HubEvent[]) => void published.push(...events) },
        deadlines,
        log,
        clock,
      };
    }

    it("an answered hop whose follow-up never ran gets its next hop, once", async () => {
      const GRACE = 10;
      const { traceback, firstHop } = newTraceback("acc_INIT", "acc_TERM");
      await r.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
      await r.tracebacks.putNewHop(firstHop);
      await r.tracebacks.clearOutbox({ tracebackId: traceback.id }, outboxMarker(T0, traceback.id));

      // What answerHopRequest writes, and then the process dies before the follow-up.
      const answeredAt = new Date("2024-06-03T16:10:00.000Z");
      const marker = outboxMarker(answeredAt, firstHop.id);
      const stored = (await r.tracebacks.getHop(traceback.id, 1, true))!;
      await r.tracebacks.replaceHop(
        {
          ...stored.value,
          status: "answered",
          answer: { type: "upstream_identified", upstream: { providerId: "acc_MID" }, evidence: { ingressTrunk: "T7" } },
          answeredAt: answeredAt.toISOString(),
          answeredBy: { accountId: "acc_TERM", keyId: "kid-term" },
          late: false,
          resolvedUpstream: { registered: "acc_MID" },
        },
        { version: stored.version, status: "open" },
        marker,
      );
      expect(await r.tracebacks.getHop(traceback.id, 2, true)).toBeUndefined();
      const tbBefore = (await r.tracebacks.getTraceback(traceback.id, true))!;
      expect(tbBefore.value.hopCount).toBe(1);

      const published: HubEvent[] = [];
      const errors: string[] = [];
      const clock = new ManualClock(new Date(answeredAt.getTime() + 5_000));

      // Within the grace period the inline follow-up may still be running: hands off.
      expect(await reconcileOutbox(depsAt(clock, published, errors), GRACE)).toEqual({ found: 0, finished: 0, failed: 0 });
      expect(await r.tracebacks.getHop(traceback.id, 2, true)).toBeUndefined();

      clock.set(new Date(answeredAt.getTime() + (GRACE + 1) * 1000));
      // Two reconcilers at once (or a reconciler racing a late inline follow-up) still make one next hop.
      const [a, b] = await Promise.all([reconcileOutbox(depsAt(clock, published, errors), GRACE), reconcileOutbox(depsAt(clock, published, errors), GRACE)]);
      expect(errors).toEqual([]);
      expect(a.failed + b.failed).toBe(0);
      expect(a.found + b.found).toBeGreaterThanOrEqual(1);

      const again = await reconcileOutbox(depsAt(clock, published, errors), GRACE);
      expect(again).toEqual({ found: 0, finished: 0, failed: 0 });

      const chain = (await r.tracebacks.getChain(traceback.id))!;
      expect(chain.hops.map((h) => h.value.id)).toEqual([firstHop.id, firstHop.id.replace(/_1$/, "_2")]);
      const next = chain.hops[1]!.value;
      expect(next).toMatchObject({
        seq: 2,
        providerId: "acc_MID",
        status: "open",
        namedBy: { accountId: "acc_TERM", hopId: firstHop.id },
        createdAt: answeredAt.toISOString(),
      });
      expect(chain.traceback.value).toMatchObject({ status: "open", hopCount: 2, path: ["acc_TERM", "acc_MID"] });
      // The traceback moved exactly once.
      expect(chain.traceback.version).toBe(tbBefore.version + 1);
      expect(chain.hops[0]!.outbox).toBeUndefined();
      const created = published.filter((e) => e.type === "hop_request.created" && e.data.hopId === next.id);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((e) => e.id)).size).toBe(1);
      expect(created[0]!.recipientId).toBe("acc_MID");

      // Running the follow-up once more by hand (a stale marker) changes nothing either.
      await reconcileOutbox(depsAt(clock, published, errors), GRACE);
      const later = (await r.tracebacks.getChain(traceback.id))!;
      expect(later.hops).toHaveLength(2);
      expect(later.traceback.version).toBe(chain.traceback.version);
      // The hub's decision is in the log once, as the hop it placed.
      const decisions = (await logStore().entriesOf(traceback.id)).map((e) => e.evidence?.decision);
      expect(decisions).toEqual([hopPlaced(next)]);
    });

    /** A traceback whose hop 1 its provider answered naming `upstream`, the process dying before the answer's follow-up. */
    async function answeredThenDied(traceback: Traceback, firstHop: StoredHop, answeredAt: Date, upstream: string, kept: Partial<StoredHop>): Promise<void> {
      await r.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
      await r.tracebacks.putNewHop(firstHop);
      await r.tracebacks.clearOutbox({ tracebackId: traceback.id }, outboxMarker(T0, traceback.id));
      const stored = (await r.tracebacks.getHop(traceback.id, 1, true))!;
      const answered: StoredHop = {
        ...stored.value,
        status: "answered",
        answer: { type: "upstream_identified", upstream: { providerId: upstream }, evidence: { ingressTrunk: "T7" } },
        answeredAt: answeredAt.toISOString(),
        answeredBy: { accountId: firstHop.providerId!, keyId: "kid-term" },
        late: false,
        ...kept,
      };
      await r.tracebacks.replaceHop(answered, { version: stored.version, status: "open" }, outboxMarker(answeredAt, firstHop.id));
    }

    it("an answered hop's follow-up applies the decision the hop keeps, and decides nothing again", async () => {
      const { traceback, firstHop } = newTraceback("acc_INIT3", "acc_TERM3", new Date("2024-06-03T18:00:00.000Z"));
      const answeredAt = new Date("2024-06-03T18:10:00.000Z");
      // Deciding from the answer would ask acc_MID3; the decision kept says the chain ended here, and it stands.
      const result = { outcome: "no_record" as const, reason: "no_record", hopSeq: 1, decidedAt: answeredAt.toISOString(), decidedBy: "acc_TERM3" };
      await answeredThenDied(traceback, firstHop, answeredAt, "acc_MID3", { decision: { kind: "complete", result } });
      const published: HubEvent[] = [];
      const errors: string[] = [];
      const clock = new ManualClock(new Date(answeredAt.getTime() + 60_000));
      for (let run = 0; run < 2; run++) await reconcileOutbox(depsAt(clock, published, errors), 10);
      expect(errors).toEqual([]);
      const chain = (await r.tracebacks.getChain(traceback.id))!;
      expect(chain.hops).toHaveLength(1);
      expect(chain.traceback.value).toMatchObject({ status: "completed", hopCount: 1, path: ["acc_TERM3"], result });
      expect(published.filter((e) => e.type === "traceback.completed")).toHaveLength(1);
    });

    it("a traceback whose first hop was never written gets it from the reconciler", async () => {
      const { traceback, firstHop } = newTraceback("acc_INIT2", "acc_TERM2", new Date("2024-06-03T17:00:00.000Z"));
      await r.tracebacks.createTraceback(traceback, outboxMarker(new Date("2024-06-03T17:00:00.000Z"), traceback.id));
      const published: HubEvent[] = [];
      const errors: string[] = [];
      const clock = new ManualClock(new Date("2024-06-03T17:01:00.000Z"));
      const result = await reconcileOutbox(depsAt(clock, published, errors), 10);
      expect(errors).toEqual([]);
      expect(result.failed).toBe(0);
      expect(result.finished).toBeGreaterThanOrEqual(1);
      const hop = await r.tracebacks.getHop(traceback.id, 1, true);
      expect(hop?.value).toEqual(firstHop);
      expect((await r.tracebacks.getTraceback(traceback.id, true))?.outbox).toBeUndefined();
      expect(published.filter((e) => e.data.hopId === firstHop.id && e.type === "hop_request.created")).toHaveLength(1);
      expect(await reconcileOutbox(depsAt(clock, published, errors), 10)).toEqual({ found: 0, finished: 0, failed: 0 });
    });
  });
}
