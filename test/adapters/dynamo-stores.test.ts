import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { queryPage } from "../../functions/adapters/dynamo/items.js";
import { keys, TABLE } from "../../functions/adapters/dynamo/keys.js";
import { DynamoTracebackStore } from "../../functions/adapters/dynamo/traceback-store.js";
import { DynamoEvidenceStore } from "../../functions/adapters/dynamo/evidence-store.js";
import { DynamoRmdStore } from "../../functions/adapters/dynamo/rmd-store.js";
import { DynamoCampaignStore } from "../../functions/adapters/dynamo/campaign-store.js";
import { DynamoIntelStore } from "../../functions/adapters/dynamo/intel-store.js";
import { ulidGenerator } from "../../functions/adapters/ids.js";
import { DynamoLogStore } from "../../functions/adapters/dynamo/log-store.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { hopPlaced } from "../../functions/domain/log/decisions.js";
import type { Account } from "../../functions/domain/account.js";
import { ConflictError, InvalidCursorError } from "../../functions/domain/errors.js";
import type { HubEvent } from "../../functions/domain/events.js";
import { ManualClock } from "../support/manual-clock.js";
import { startTraceback, type Traceback } from "../../functions/domain/traceback.js";
import { startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { deadlinePolicies } from "../../functions/platform/deadlines.js";
import { outboxMarker } from "../../functions/usecases/followup.js";
import type { AnswerEvidence, Logger, StoredHop } from "../../functions/usecases/ports.js";
import { reconcileOutbox } from "../../functions/usecases/reconcile.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ids = ulidGenerator();
const deadlines = deadlinePolicies({ FIXED_DEADLINE_SECONDS: 86_400 });
const CALL = { callingNumber: "+13055550123", callingNumberAsGiven: "+13055550123", calledNumber: "+12025550143" as const, callTime: "2024-06-03T12:00:00-04:00", callTimeUtc: "2024-06-03T16:00:00.000Z" };
const T0 = new Date("2024-06-03T16:05:00.000Z");

interface Stores {
  emulators: Emulators;
  db: DynamoDBDocumentClient;
  accounts: DynamoAccountStore;
  tracebacks: DynamoTracebackStore;
  evidence: DynamoEvidenceStore;
  stop(): Promise<void>;
}

async function openStores(): Promise<Stores> {
  const emulators = await startEmulators();
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  return {
    emulators,
    db,
    accounts: new DynamoAccountStore(db, emulators.tableName),
    tracebacks: new DynamoTracebackStore(db, emulators.tableName),
    evidence: new DynamoEvidenceStore(db, emulators.tableName),
    stop: async () => {
      db.destroy();
      await emulators.stop();
    },
  };
}

function newTraceback(initiatorId: string, terminatingProviderId: string, now = T0): { traceback: Traceback; firstHop: StoredHop } {
  return startTraceback(
    { id: ids.next("tb"), initiatorId, createdBy: initiatorId, call: CALL, deadlinePolicy: "fixed", terminatingProviderId },
    now,
    deadlines("fixed"),
  );
}

function account(kind: Account["kind"], extra: Partial<Account> = {}): Account {
  return { id: ids.next("acc"), kind, name: `${kind} ${Math.random()}`, spcCodes: [], createdAt: T0.toISOString(), createdBy: "acc_consortium", ...extra };
}

let s: Stores;
beforeAll(async () => {
  s = await openStores();
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
      await s.accounts.addKey({ keyId, accountId: acc.id, accountKind: "provider", publicJwk: { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) }, status: "active", createdAt: T0.toISOString(), createdBy: acc.id }, 10);
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

  it("refuses a cursor issued for another partition, and garbage", async () => {
    const a = ids.next("acc");
    const b = ids.next("acc");
    for (const provider of [a, a, b, b]) await s.tracebacks.putNewHop(newTraceback(ids.next("acc"), provider).firstHop);
    const first = await s.tracebacks.listHopsOf(a, { limit: 1 });
    expect(first.nextCursor).toBeTruthy();
    await expect(s.tracebacks.listHopsOf(b, { limit: 1, cursor: first.nextCursor! })).rejects.toThrow(InvalidCursorError);
    await expect(s.tracebacks.listOpenHopsOf(a, { limit: 1, cursor: first.nextCursor! })).rejects.toThrow(InvalidCursorError);
    await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: "%%%" })).rejects.toThrow(InvalidCursorError);
    const withNumber = Buffer.from(JSON.stringify({ gsi1pk: `HOPS#${a}`, gsi1sk: 5 })).toString("base64url");
    await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: withNumber })).rejects.toThrow(InvalidCursorError);
    // The right cursor for the right listing works.
    const second = await s.tracebacks.listHopsOf(a, { limit: 1, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
  });

  it("accepts only the exact key shape of the index queried, never passing a bad start key to DynamoDB", async () => {
    const a = ids.next("acc");
    for (let i = 0; i < 2; i++) await s.tracebacks.putNewHop(newTraceback(ids.next("acc"), a).firstHop);
    const first = await s.tracebacks.listHopsOf(a, { limit: 1 });
    const issued = JSON.parse(Buffer.from(first.nextCursor!, "base64url").toString()) as Record<string, string>;
    expect(Object.keys(issued).sort()).toEqual(["gsi1pk", "gsi1sk", "pk", "sk"]);
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString("base64url");
    const { pk: _pk, ...noTableKey } = issued;
    const bad = [
      { gsi1pk: `HOPS#${a}`, gsi1sk: "x" },
      noTableKey,
      { ...issued, extra: "x" },
      { ...issued, gsi1sk: "" },
      { ...issued, pk: "" },
      { ...issued, sk: 7 },
      { ...issued, gsi1pk: `HOPS#${a}`, gsi1sk: { S: "x" } },
    ];
    for (const key of bad) await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: encode(key) })).rejects.toThrow(InvalidCursorError);
    await expect(s.tracebacks.listHopsOf(a, { limit: 1, cursor: encode(issued) })).resolves.toMatchObject({ items: [expect.anything()] });

    // A listing over a sort key range refuses a start key outside it (DynamoDB would fail the Query).
    const ranged = (gsi1sk: string) =>
      queryPage(s.db, s.emulators.tableName, TABLE.indexes.byOwner, `HOPS#${a}`, { limit: 1, cursor: encode({ ...issued, gsi1sk }) }, { sortKeyBetween: ["2024", "2025"] });
    await expect(ranged("zzz")).rejects.toThrow(InvalidCursorError);
    await expect(ranged(issued.gsi1sk!)).resolves.toBeDefined();
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
    await expect(s.tracebacks.replaceHop({ ...v1.value, status: "answered" }, { version: v1.version, status: "open" })).rejects.toMatchObject({ code: "hop_changed" });
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
    await s.tracebacks.replaceHop({ ...firstHop, status: "answered", answer: { type: "refused", reason: "x" }, answeredAt: T0.toISOString() }, { version: 1, status: "open" });
    expect((await s.tracebacks.listOpenHopsOf(provider, { limit: 10 })).items).toHaveLength(0);
    expect((await s.tracebacks.listHopsOf(provider, { limit: 10 })).items.map((h) => h.id)).toEqual([firstHop.id]);
  });
});

describe("answer evidence", () => {
  const evidence = (n: number): AnswerEvidence => ({
    request: { method: "POST", targetUri: `https://hub.example/v1/hop-requests/h/answer`, headers: { "idempotency-key": `key-${n}` }, body: `{"n":${n}}` },
    key: { keyId: "kid-1", accountId: "acc_TERM", publicJwk: { kty: "OKP", crv: "Ed25519", x: "x".repeat(43) } },
    response: { status: 200, body: `{"answered":${n}}` },
    receipt: `receipt-${n}-${ids.next("req")}`,
  });
  const answered = (hop: StoredHop, e: AnswerEvidence): StoredHop => ({ ...hop, status: "answered", answer: { type: "refused", reason: "x" }, answeredAt: T0.toISOString(), evidence: e });

  it("is an item of its own: the hop item only names it, and the hop and the chain read it back", async () => {
    const { traceback, firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
    await s.tracebacks.putNewHop(firstHop);
    const e = evidence(1);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, e);
    await s.tracebacks.replaceHop(answered(firstHop, e), { version: 1, status: "open" }, outboxMarker(T0, firstHop.id));
    const item = (await s.db.send(new GetCommand({ TableName: s.emulators.tableName, Key: keys.hop(firstHop.tracebackId, 1) }))).Item!;
    expect(item.evidence).toBeUndefined();
    expect(typeof item.evidenceId).toBe("string");
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(e);
    expect((await s.tracebacks.getChain(traceback.id))!.hops[0]!.value.evidence).toEqual(e);
  });

  it("of two racing answers is the winner's: each put its own, the hop names the one whose write won", async () => {
    const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.putNewHop(firstHop);
    const [a, b] = [evidence(2), evidence(3)];
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, a);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, b);
    await s.tracebacks.replaceHop(answered(firstHop, a), { version: 1, status: "open" });
    await expect(s.tracebacks.replaceHop(answered(firstHop, b), { version: 1, status: "open" })).rejects.toMatchObject({ code: "hop_changed" });
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(a);
  });

  it("put by a process that died before the hop's write leaves the hop open and without evidence", async () => {
    const { firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.putNewHop(firstHop);
    await s.tracebacks.putAnswerEvidence(firstHop.tracebackId, 1, evidence(4));
    const stored = (await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!;
    expect(stored.value.status).toBe("open");
    expect(stored.value.evidence).toBeUndefined();
  });

  it("kept on the hop item by an earlier version reads as before", async () => {
    const { traceback, firstHop } = newTraceback(ids.next("acc"), "acc_TERM");
    await s.tracebacks.createTraceback(traceback, outboxMarker(T0, traceback.id));
    const e = evidence(5);
    const { evidence: _e, ...hop } = answered(firstHop, e);
    await s.db.send(new PutCommand({ TableName: s.emulators.tableName, Item: { ...keys.hop(firstHop.tracebackId, 1), entity: "hop", gsi1pk: keys.hopsOf("acc_TERM"), gsi1sk: `${hop.createdAt}#${hop.id}`, ...hop, evidence: e, version: 2 } }));
    expect((await s.tracebacks.getHop(firstHop.tracebackId, 1, true))!.value.evidence).toEqual(e);
    expect((await s.tracebacks.getChain(traceback.id))!.hops[0]!.value.evidence).toEqual(e);
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

describe("the reconciler finishes an interrupted follow-up", () => {
  // A table of its own, so that only the items these tests leave behind are in its outbox.
  let r: Stores;
  beforeAll(async () => {
    r = await openStores();
  });
  afterAll(async () => {
    await r?.stop();
  });

  let hubKey: Awaited<ReturnType<typeof generateSigningKey>>;
  beforeAll(async () => {
    hubKey = await generateSigningKey();
  });
  const logStore = () => new DynamoLogStore(r.db, r.emulators.tableName, "reconciler");

  function depsAt(clock: ManualClock, published: HubEvent[], errors: string[]) {
    const log: Logger = { info: () => undefined, warn: () => undefined, error: (m, f) => void errors.push(`${m} ${JSON.stringify(f)}`) };
    return {
      transparencyLog: { logStore: logStore(), clock, hubKey, logOrigin: "127.0.0.1/log" },
      accounts: r.accounts,
      tracebacks: r.tracebacks,
      evidence: r.evidence,
      rmd: new DynamoRmdStore(r.db, r.emulators.tableName),
      campaigns: new DynamoCampaignStore(r.db, r.emulators.tableName),
      intel: new DynamoIntelStore(r.db, r.emulators.tableName),
      ids: ulidGenerator(() => clock.now().getTime()),
      events: { publish: async (events: HubEvent[]) => void published.push(...events) },
      deadlines,
      log,
      clock,
    };
  }

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

  it("an answered hop whose follow-up never ran gets its next hop, once", async () => {
    const GRACE = 10;
    const { traceback, firstHop } = newTraceback("acc_INIT", "acc_TERM");
    // What answerHopRequest wrote before answers kept their decision (the upstream as resolved,
    // no decision), and then the process died before the follow-up.
    const answeredAt = new Date("2024-06-03T16:10:00.000Z");
    await answeredThenDied(traceback, firstHop, answeredAt, "acc_MID", { resolvedUpstream: { registered: "acc_MID" } });
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
    expect(next).toMatchObject({ seq: 2, providerId: "acc_MID", status: "open", namedBy: { accountId: "acc_TERM", hopId: firstHop.id }, createdAt: answeredAt.toISOString() });
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
