/**
 * The filtered traceback list on dynalite: every filter and combination returns exactly the
 * matching tracebacks, newest first, page by page across the shards; transitions move a
 * traceback between facets; pointers a crash left behind are skipped and removed.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { InvalidCursorError } from "../../../functions/domain/errors.js";
import { keys, TABLE } from "../../../functions/adapters/dynamo/keys.js";
import { listingSortKey, TracebackListing } from "../../../functions/adapters/dynamo/traceback-listing.js";
import { DynamoTracebackStore } from "../../../functions/adapters/dynamo/traceback-store.js";
import { ulidGenerator } from "../../../functions/adapters/ids.js";
import type { Outcome } from "../../../functions/domain/answer.js";
import { facetsOf, matchesFilter, type TracebackFilter, type TracebackScope } from "../../../functions/domain/traceback-filter.js";
import type { Traceback, TracebackStatus } from "../../../functions/domain/traceback.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import type { Page } from "../../../functions/usecases/ports.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ids = ulidGenerator();
const T0 = Date.parse("2024-06-01T00:00:00.000Z");
const INITIATORS = ["acc_I1", "acc_I2"];
const PROVIDERS = ["acc_PA", "acc_PB", "acc_PC", "acc_PD"];
const CALLING = ["+13055550123", "+13055550124", "anonymous"];
const CALLED = ["+12025550143", "+12025550144"];
const CAMPAIGNS = [undefined, "utility-2024", "irs-2024"];
const STATUSES: TracebackStatus[] = ["open", "waiting_on_provider", "completed"];
const OUTCOMES: Outcome[] = ["originator_found", "no_record", "non_responsive_provider"];

let emulators: Emulators;
let db: DynamoDBDocumentClient;
let store: DynamoTracebackStore;
const all: Traceback[] = [];

/** A deterministic spread of tracebacks over every facet, created an hour apart (some in the same millisecond). */
function traceback(i: number): Traceback {
  const status = STATUSES[i % 3]!;
  const calling = CALLING[i % CALLING.length]!;
  const campaign = CAMPAIGNS[i % CAMPAIGNS.length];
  return {
    id: ids.next("tb"),
    initiatorId: INITIATORS[i % 2]!,
    status,
    call: {
      callingNumber: calling,
      callingNumberAsGiven: calling,
      calledNumber: CALLED[(i >> 1) % 2] as `+${string}`,
      callTime: "2024-06-01T00:00:00Z",
      callTimeUtc: "2024-06-01T00:00:00.000Z",
    },
    ...(campaign !== undefined && { campaign }),
    identityHeaders: [],
    deadlinePolicy: "fixed",
    createdAt: new Date(T0 + Math.floor(i / 2) * 3_600_000).toISOString(),
    createdBy: INITIATORS[i % 2]!,
    hopCount: 1 + (i % 3),
    path: PROVIDERS.slice(i % 4, (i % 4) + 1 + (i % 3)),
    ...(status === "completed" && { result: { outcome: OUTCOMES[i % OUTCOMES.length]!, decidedAt: "2024-06-02T00:00:00.000Z", decidedBy: "hub" } }),
    ...(status !== "completed" && i % 4 < 2 && { overdue: { hopSeq: 1, since: "2024-06-02T00:00:00.000Z" } }),
  };
}

async function everyPage(scope: TracebackScope, filter: TracebackFilter, limit: number): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page: Page<Traceback> = await store.listTracebacks(scope, filter, { limit, ...(cursor && { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items.map((tb) => tb.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 200);
  return { ids: seen, pages };
}

const expected = (scope: TracebackScope, filter: TracebackFilter) =>
  all
    .filter((tb) => matchesFilter(tb, filter, scope))
    .sort((a, b) => (listingSortKey(a) < listingSortKey(b) ? 1 : -1))
    .map((tb) => tb.id);

beforeAll(async () => {
  emulators = await startEmulators();
  db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  store = new DynamoTracebackStore(db, emulators.tableName);
  for (let i = 0; i < 60; i++) {
    const tb = traceback(i);
    all.push(tb);
    await store.createTraceback(tb, `2024-06-01T00:00:00.000Z#${tb.id}`);
  }
}, 60_000);
afterAll(async () => {
  db?.destroy();
  await emulators?.stop();
});

describe("the filtered traceback list", () => {
  const h = (n: number) => new Date(T0 + n * 3_600_000).toISOString();
  const cases: Array<[string, TracebackScope, TracebackFilter]> = [
    ["everything", {}, {}],
    ["one initiator's", { initiatorId: "acc_I1" }, {}],
    ["by status", {}, { status: "waiting_on_provider" }],
    ["by outcome", {}, { outcome: "no_record" }],
    ["by calling number", {}, { callingNumber: "+13055550124" }],
    ["by a calling number that is not a number", {}, { callingNumber: "anonymous" }],
    ["by called number", {}, { calledNumber: "+12025550144" }],
    ["by provider on the path", {}, { providerId: "acc_PB" }],
    ["by campaign", {}, { campaign: "irs-2024" }],
    ["overdue only", {}, { overdue: true }],
    ["overdue and open: a sharded partition with other filters", {}, { overdue: true, status: "open" }],
    ["an outcome across the shards within dates", {}, { outcome: "non_responsive_provider", createdFrom: h(3), createdTo: h(26) }],
    ["in a date range", {}, { createdFrom: h(5), createdTo: h(17) }],
    ["from a date on", {}, { createdFrom: h(20) }],
    ["up to a date", {}, { createdTo: h(3) }],
    ["status and provider", {}, { status: "completed", providerId: "acc_PC" }],
    ["an initiator's by status", { initiatorId: "acc_I2" }, { status: "open" }],
    ["an initiator's by campaign within dates", { initiatorId: "acc_I1" }, { campaign: "utility-2024", createdFrom: h(2), createdTo: h(25) }],
    ["outcome, called number and dates", {}, { outcome: "originator_found", calledNumber: "+12025550143", createdFrom: h(1) }],
    ["nothing matches", {}, { campaign: "none-such" }],
  ];

  it.each(cases)("%s: exactly the matching tracebacks, newest first, across pages", async (_name, scope, filter) => {
    const want = expected(scope, filter);
    for (const limit of [1, 4, 100]) {
      const got = await everyPage(scope, filter, limit);
      expect(got.ids).toEqual(want);
    }
  });

  it("spreads the list of all tracebacks over the shards and every status over its shards", async () => {
    const shards = await Promise.all(
      keys.allTracebackShards().map((pk) =>
        db.send(
          new QueryCommand({
            TableName: emulators.tableName,
            IndexName: TABLE.indexes.openWork.name,
            KeyConditionExpression: "gsi2pk = :p",
            ExpressionAttributeValues: { ":p": pk },
            Select: "COUNT",
          }),
        ),
      ),
    );
    const counts = shards.map((r) => r.Count ?? 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
  });

  it("hand-checked: the provider and campaign filters", async () => {
    const byB = all.filter((tb) => tb.path.includes("acc_PB")).length;
    expect((await everyPage({}, { providerId: "acc_PB" }, 100)).ids).toHaveLength(byB);
    expect(byB).toBeGreaterThan(0);
    const irs = (await everyPage({}, { campaign: "irs-2024" }, 100)).ids;
    expect(irs).toHaveLength(20);
  });

  it("refuses a cursor it did not issue, or one outside the dates asked for", async () => {
    const first = await store.listTracebacks({}, {}, { limit: 2 });
    await expect(store.listTracebacks({}, {}, { limit: 2, cursor: "%%%" })).rejects.toThrow(InvalidCursorError);
    await expect(store.listTracebacks({}, {}, { limit: 2, cursor: Buffer.from(JSON.stringify({ before: 5 })).toString("base64url") })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(store.listTracebacks({}, { createdTo: "2024-06-01T01:00:00.000Z" }, { limit: 2, cursor: first.nextCursor! })).rejects.toThrow(
      InvalidCursorError,
    );
    expect((await store.listTracebacks({}, {}, { limit: 2, cursor: first.nextCursor! })).items).toHaveLength(2);
  });
});

describe("a traceback moving on", () => {
  it("leaves the facets it no longer has and is filed under the new ones", async () => {
    const tb = { ...traceback(100), status: "open" as const, path: ["acc_PA"], createdAt: "2024-07-01T00:00:00.000Z" };
    const { result: _r, overdue: _o, ...fresh } = tb;
    await store.createTraceback(fresh, `x#${fresh.id}`);
    const moved: Traceback = {
      ...fresh,
      status: "completed",
      path: ["acc_PA", "acc_PD"],
      result: { outcome: "loop_detected", decidedAt: "2024-07-02T00:00:00.000Z", decidedBy: "hub" },
    };
    expect(await store.replaceTraceback(moved, { value: fresh, version: 1 })).toBe(true);
    const listed = async (filter: TracebackFilter) =>
      (await store.listTracebacks({}, { ...filter, createdFrom: "2024-07-01T00:00:00.000Z" }, { limit: 10 })).items.map((t) => t.id);
    expect(await listed({ status: "completed" })).toEqual([fresh.id]);
    expect(await listed({ status: "open" })).toEqual([]);
    expect(await listed({ outcome: "loop_detected" })).toEqual([fresh.id]);
    expect(await listed({ providerId: "acc_PD" })).toEqual([fresh.id]);
    // The pointer of the status it left is gone, not merely skipped.
    const pointer = await db.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: keys.tracebackFacet("status#open", fresh.id, true), sk: listingSortKey(fresh) } }),
    );
    expect(pointer.Item).toBeUndefined();
    // A write from a stale read changes nothing; whatever it filed first is skipped and removed.
    expect(await store.replaceTraceback({ ...moved, status: "waiting_on_provider" }, { value: fresh, version: 1 })).toBe(false);
    expect(await listed({ status: "waiting_on_provider" })).toEqual([]);
    const stale = await db.send(
      new GetCommand({
        TableName: emulators.tableName,
        Key: { pk: keys.tracebackFacet("status#waiting_on_provider", fresh.id, true), sk: listingSortKey(fresh) },
      }),
    );
    expect(stale.Item).toBeUndefined();
  });

  it("skips and removes the pointers of a traceback never written (a crash between the two writes)", async () => {
    const listing = new TracebackListing(db, emulators.tableName);
    const ghost = { ...traceback(101), createdAt: "2024-08-01T00:00:00.000Z", campaign: "ghost" };
    await listing.file(ghost, facetsOf(ghost), 1);
    expect((await store.listTracebacks({}, { campaign: "ghost" }, { limit: 10 })).items).toEqual([]);
    const pointer = await db.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: keys.tracebackFacet("campaign#ghost", ghost.id, false), sk: listingSortKey(ghost) } }),
    );
    expect(pointer.Item).toBeUndefined();
  });

  it("lists once a traceback a retry tried to create again at another time, and drops the retry's pointers", async () => {
    const tb = { ...traceback(103), campaign: "retried", createdAt: "2024-10-01T00:00:00.000Z" };
    expect(await store.createTraceback(tb, `x#${tb.id}`)).toBe("created");
    const retry = { ...tb, createdAt: "2024-10-01T00:00:05.000Z" };
    expect(await store.createTraceback(retry, `y#${tb.id}`)).toBe("exists");
    const listed = await store.listTracebacks({}, { campaign: "retried" }, { limit: 10 });
    expect(listed.items.map((t) => t.id)).toEqual([tb.id]);
    expect(listed.items[0]!.createdAt).toBe(tb.createdAt);
    const stale = await db.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: keys.tracebackFacet("campaign#retried", tb.id, false), sk: listingSortKey(retry) } }),
    );
    expect(stale.Item).toBeUndefined();
  });

  it("files the tracebacks stored before the filtered listing, once", async () => {
    const old = { ...traceback(104), campaign: "from-before", createdAt: "2023-01-01T00:00:00.000Z" };
    await db.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: {
          ...keys.traceback(old.id),
          entity: "traceback",
          gsi1pk: keys.tracebacksOf(old.initiatorId),
          gsi1sk: old.id,
          gsi2pk: "TRACEBACKS#ALL",
          gsi2sk: old.id,
          ...old,
          version: 3,
        },
      }),
    );
    expect((await store.listTracebacks({}, { campaign: "from-before" }, { limit: 10 })).items).toEqual([]);
    expect(await store.refileUnlisted(100)).toBe(1);
    expect(await store.refileUnlisted(100)).toBe(0);
    expect((await store.listTracebacks({}, { campaign: "from-before" }, { limit: 10 })).items.map((t) => t.id)).toEqual([old.id]);
    const { ids: everything } = await everyPage({}, { createdTo: "2023-01-02T00:00:00.000Z" }, 10);
    expect(everything).toEqual([old.id]);
    expect((await store.getTraceback(old.id, true))?.version).toBe(3);
  });

  it("keeps a pointer a newer version filed when an older removal comes late", async () => {
    const listing = new TracebackListing(db, emulators.tableName);
    const tb = { ...traceback(102), status: "open" as const, createdAt: "2024-09-01T00:00:00.000Z" };
    const statusOpen = facetsOf(tb).filter((f) => f.kind === "status");
    await listing.file(tb, statusOpen, 3);
    await listing.unfile(tb, statusOpen, 2);
    const pointer = await db.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: keys.tracebackFacet("status#open", tb.id, true), sk: listingSortKey(tb) } }),
    );
    expect(pointer.Item?.filedVersion).toBe(3);
  });
});
