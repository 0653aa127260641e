import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTraceback } from "../../functions/usecases/tracebacks.js";
import { systemClock } from "../../functions/domain/clock.js";
import { CALL, EVIDENCE, startFakeHub, type FakeHub, type Party } from "../fakes/hub.js";
import { PROBLEM } from "./raw.js";

let t: FakeHub;
let provider: Party;
let upstream: Party;
let initiator: Party;
let other: Party;

beforeAll(async () => {
  // The attempts below are dated by the wall clock, as a client's are.
  t = await startFakeHub({ clock: systemClock });
  provider = await t.registerProvider("Idem Terminating");
  upstream = await t.registerProvider("Idem Upstream");
  initiator = await t.registerInitiator("Idem AG");
  other = await t.registerInitiator("Idem FCC");
});
afterAll(async () => {
  await t?.stop();
});

const body = (campaign: string) => ({ ...CALL, terminatingProviderId: provider.id, campaign });

async function allTracebacks(party: Party): Promise<Array<{ id: string; campaign?: string }>> {
  const items: Array<{ id: string; campaign?: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await party.api.get(`/v1/tracebacks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe("Idempotency-Key", () => {
  it("a POST without one is refused with 400 and nothing is created", async () => {
    const before = (await allTracebacks(initiator)).length;
    const res = await initiator.api.post("/v1/tracebacks", body("no-key"), { idempotencyKey: null });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe(PROBLEM);
    expect(res.body.code).toBe("idempotency_key_required");
    expect((await allTracebacks(initiator)).length).toBe(before);
  });

  it("a key outside the allowed syntax is refused", async () => {
    const res = await initiator.api.post("/v1/tracebacks", body("bad-key"), { idempotencyKey: "has space" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_idempotency_key");
    const long = await initiator.api.post("/v1/tracebacks", body("bad-key"), { idempotencyKey: "k".repeat(256) });
    expect(long.status).toBe(400);
  });

  it("the same key and body replay the stored response byte for byte, with the same receipt", async () => {
    const key = randomUUID();
    const first = await initiator.api.post("/v1/tracebacks", body("replay"), { idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await initiator.api.post("/v1/tracebacks", body("replay"), { idempotencyKey: key });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("hoptrace-receipt")).toBe(first.headers.get("hoptrace-receipt"));
    expect(second.headers.get("content-digest")).toBe(first.headers.get("content-digest"));
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const mine = (await allTracebacks(initiator)).filter((x) => x.campaign === "replay");
    expect(mine).toHaveLength(1);
  });

  it("the same key with another body is 422 and creates nothing", async () => {
    const key = randomUUID();
    expect((await initiator.api.post("/v1/tracebacks", body("reuse-a"), { idempotencyKey: key })).status).toBe(201);
    const res = await initiator.api.post("/v1/tracebacks", body("reuse-b"), { idempotencyKey: key });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe(PROBLEM);
    expect(res.body.code).toBe("idempotency_key_reused");
    expect((await allTracebacks(initiator)).filter((x) => x.campaign === "reuse-b")).toHaveLength(0);
  });

  it("the same key and body on another route is a reuse, not a replay", async () => {
    const key = randomUUID();
    const tb = await initiator.api.post("/v1/tracebacks", body("route-a"), { idempotencyKey: key });
    expect(tb.status).toBe(201);
    const res = await initiator.api.post(`/v1/tracebacks/${tb.body.traceback.id}/close`, body("route-a"), { idempotencyKey: key });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("idempotency_key_reused");
  });

  it("concurrent identical requests under one key create one traceback", async () => {
    for (let round = 0; round < 6; round++) {
      const key = randomUUID();
      const campaign = `race-${round}`;
      const results = await Promise.all([0, 1, 2].map(() => initiator.api.post("/v1/tracebacks", body(campaign), { idempotencyKey: key })));
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      // Every 201 is the same response; everything else is "still in flight".
      for (const r of created) expect(r.text).toBe(created[0]!.text);
      for (const r of results.filter((r) => r.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.body.code).toBe("request_in_flight");
        expect(r.headers.get("retry-after")).toBe("1");
      }
      expect((await allTracebacks(initiator)).filter((x) => x.campaign === campaign)).toHaveLength(1);
      // After the race the key replays the one stored response.
      const after = await initiator.api.post("/v1/tracebacks", body(campaign), { idempotencyKey: key });
      expect(after.text).toBe(created[0]!.text);
      expect(after.headers.get("idempotent-replayed")).toBe("true");
    }
  });

  it("a retry after an attempt that died having written the traceback finds that traceback, not a second one", async () => {
    const key = randomUUID();
    const campaign = "died-after-writing";
    const { deps } = t;
    const lease = deps.settings.idempotencyLeaseSeconds;
    // The first attempt claimed the key, wrote the traceback, and died before storing its response.
    const firstTriedAt = Date.now() - (lease + 5) * 1000;
    const fingerprint = createHash("sha256")
      .update("POST /v1/tracebacks\n")
      .update(JSON.stringify(body(campaign)))
      .digest("base64url");
    expect(await deps.requests.startIdempotent(initiator.id, key, fingerprint, firstTriedAt, 3600, lease)).toEqual({ kind: "started", firstTriedAt });
    const principal = { accountId: initiator.id, kind: "initiator" as const, keyId: initiator.key.keyId };
    const written = await createTraceback(deps, principal, body(campaign), "us-24h", { key, firstTriedAt });

    // Its lease has run out: the client's retry takes the key over and runs again.
    const retry = await initiator.api.post("/v1/tracebacks", body(campaign), { idempotencyKey: key });
    expect(retry.status).toBe(201);
    expect(retry.body.traceback.id).toBe(written.traceback.id);
    expect(retry.body.hops[0].id).toBe(written.hops[0]!.id);
    expect((await allTracebacks(initiator)).filter((x) => x.campaign === campaign)).toHaveLength(1);
    const again = await initiator.api.post("/v1/tracebacks", body(campaign), { idempotencyKey: key });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(retry.text);
  });

  it("keys are per account: two initiators may use the same key", async () => {
    const key = `shared-${randomUUID()}`;
    const a = await initiator.api.post("/v1/tracebacks", body("shared"), { idempotencyKey: key });
    const b = await other.api.post("/v1/tracebacks", body("shared"), { idempotencyKey: key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(b.body.traceback.id).not.toBe(a.body.traceback.id);
    expect(b.body.traceback.initiatorId).toBe(other.id);
    expect((await allTracebacks(other)).map((x) => x.id)).toContain(b.body.traceback.id);
  });

  it("a replayed answer returns the same receipt; a new key with the same answer is a conflict", async () => {
    const tb = await initiator.api.post("/v1/tracebacks", body("answer-replay"));
    const hopId = tb.body.hops[0].id;
    const answer = { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE };
    const key = randomUUID();
    const first = await provider.api.post(`/v1/hop-requests/${hopId}/answer`, answer, { idempotencyKey: key });
    expect(first.status).toBe(200);
    const again = await provider.api.post(`/v1/hop-requests/${hopId}/answer`, answer, { idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("hoptrace-receipt")).toBe(first.headers.get("hoptrace-receipt"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const fresh = await provider.api.post(`/v1/hop-requests/${hopId}/answer`, answer);
    expect(fresh.status).toBe(409);
    expect(fresh.body.code).toBe("hop_already_answered");
    const chain = await initiator.api.get(`/v1/tracebacks/${tb.body.traceback.id}`);
    expect(chain.body.hops).toHaveLength(2);
  });

  it("GET requests need no key", async () => {
    expect((await initiator.api.get("/v1/tracebacks")).status).toBe(200);
  });
});
