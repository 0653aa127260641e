/**
 * The DynamoDB campaign store on the emulator: what a placement writes, and how few requests the
 * assignment of a traceback makes when many end at once with the same customer.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoCampaignStore } from "../../../functions/adapters/dynamo/campaign-store.js";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { ulidGenerator } from "../../../functions/adapters/ids.js";
import type { CallProfile } from "../../../functions/domain/campaigns/incremental.js";
import { normaliseCustomer } from "../../../functions/domain/intel/customer.js";
import type { Traceback } from "../../../functions/domain/traceback.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";
import type { Membership } from "../../../functions/usecases/campaign-ports.js";
import { assignToCampaign, type CampaignDeps } from "../../../functions/usecases/campaigns.js";
import { ManualClock } from "../../support/manual-clock.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let emulators: Emulators;
let db: DynamoDBDocumentClient;
let store: DynamoCampaignStore;
let sent: Record<string, number> = {};

type Stack = { add(mw: unknown, opts: { step: "initialize"; name: string }): void };

beforeAll(async () => {
  emulators = await startEmulators();
  db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  (db.middlewareStack as unknown as Stack).add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName: string }) => async (args: unknown) => {
      sent[context.commandName] = (sent[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  store = new DynamoCampaignStore(db, emulators.tableName);
});
afterAll(async () => {
  db?.destroy();
  await emulators?.stop();
});
beforeEach(() => {
  sent = {};
});

const total = () => Object.values(sent).reduce((s, n) => s + n, 0);
const profile = (id: string): CallProfile => ({ id, callTime: "2025-09-01T13:00:00Z", values: [] });
const member = (campaignId: string, tracebackId: string): Membership => ({
  campaignId,
  tracebackId,
  callTime: "2025-09-01T13:00:00Z",
  signals: [{ signal: "originator_customer", value: "x" }],
  assignedBy: "clustering",
  assignedAt: "2025-09-01T14:00:00Z",
});
const campaign = (id: string) => ({ id, decided: false, createdAt: "2025-09-01T14:00:00Z", calls: 0, decisions: [] });

describe("placing calls in a campaign", () => {
  it("writes the member items in one batch, claims each call once, counts once, and drops the item of a call another campaign took", async () => {
    for (const id of ["tb_pa", "tb_pb", "tb_pc"]) await store.putCall(profile(id), []);
    await store.createCampaign(campaign("cmp_px"));
    await store.createCampaign(campaign("cmp_py"));
    expect(await store.place("cmp_py", [member("cmp_py", "tb_pc")])).toEqual(["tb_pc"]);

    sent = {};
    const placed = await store.place(
      "cmp_px",
      ["tb_pa", "tb_pb", "tb_pc"].map((id) => member("cmp_px", id)),
    );
    expect(placed).toEqual(["tb_pa", "tb_pb"]);
    // Members in one batch, a claim per call, the lost one's item deleted in one batch, one count.
    expect(sent).toEqual({ BatchWriteItemCommand: 2, UpdateItemCommand: 4 });

    // A repeat places nothing and counts nothing.
    expect(await store.place("cmp_px", [member("cmp_px", "tb_pa")])).toEqual([]);
    expect((await store.getCampaign("cmp_px"))?.calls).toBe(2);
    expect((await store.getCampaign("cmp_py"))?.calls).toBe(1);
    expect((await store.members("cmp_px", 10)).map((m) => m.tracebackId).sort()).toEqual(["tb_pa", "tb_pb"]);
    expect((await store.getCall("tb_pc"))?.campaignId).toBe("cmp_py");
  });
});

describe("assigning tracebacks", () => {
  const N = 20;
  const tracebackOf = (n: number, ended: boolean): Traceback =>
    ({
      id: `tb_as${String(n).padStart(3, "0")}`,
      call: {
        callingNumber: `+1305${String(2_000_000 + n).padStart(7, "0")}`,
        calledNumber: "+12025550143",
        callTime: "2024-06-03T16:00:00Z",
        callTimeUtc: "2024-06-03T16:00:00Z",
      },
      ...(ended && {
        intel: {
          recordedAt: "2024-06-03T16:00:00Z",
          findings: [],
          originator: { providerId: "acc_origin", hopSeq: 5, customer: normaliseCustomer({ name: "Bench Dialer LLC" }) },
        },
      }),
    }) as unknown as Traceback;

  it("files them as they start, places those that end with one customer in one campaign, each counted once, in few requests", async () => {
    const clock = new ManualClock(new Date("2025-09-01T00:00:00Z"));
    const deps = { campaigns: store, clock, ids: ulidGenerator(() => clock.now().getTime()) } as unknown as CampaignDeps;
    const all = Array.from({ length: N }, (_, n) => n);
    await Promise.all(all.map((n) => assignToCampaign(deps, tracebackOf(n, false))));
    const atStart = total();
    sent = {};
    // They end together, as the tracebacks of a bench under load do: assignments overlap.
    await Promise.all(all.map((n) => assignToCampaign(deps, tracebackOf(n, true))));
    const atEnd = total();
    sent = {};
    // An end seen again (a repeat of the follow-up) reads the call and stops.
    await assignToCampaign(deps, tracebackOf(0, true));
    expect(sent).toEqual({ GetItemCommand: 1 });

    const calls = await store.getCalls(all.map((n) => tracebackOf(n, false).id));
    const campaigns = new Map((await store.getCampaigns([...new Set(calls.map((c) => c.campaignId!))])).map((c) => [c.id, c]));
    expect(calls.every((c) => c.campaignId)).toBe(true);
    // However they raced, every call is counted once, on the campaign it is in.
    expect([...campaigns.values()].reduce((s, c) => s + c.calls, 0)).toBe(N);
    const roots = new Set([...campaigns.values()].map((c) => c.mergedInto ?? c.id));
    expect(roots.size).toBe(1);

    const perTraceback = (atStart + atEnd) / N;
    console.log(`campaign assignment: ${perTraceback.toFixed(1)} DynamoDB requests per traceback (${(atStart / N).toFixed(1)} at start)`);
    // 72 when each call placed was a put, a claim and a count of its own, and the broad keys were always read.
    expect(perTraceback).toBeLessThanOrEqual(36);
  });
});
