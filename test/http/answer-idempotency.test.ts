/** Answers replay from their own evidence instead of a separate idempotency record. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL, EVIDENCE, startFakeHub, type FakeHub } from "../fakes/hub.js";

describe("retrying an answer", () => {
  let t: FakeHub;
  beforeAll(async () => {
    t = await startFakeHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("replays byte for byte under the same key, refuses another body, and writes no idempotency record", async () => {
    const terminating = await t.registerProvider("Retrying Co");
    const upstream = await t.registerProvider("Upstream Co");
    const other = await t.registerProvider("Other Co");
    const hopId = (await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id })).body.hops[0].id;
    const answer = { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE };

    const concurrent = await Promise.all([0, 1, 2].map(() => terminating.api.post(`/v1/hop-requests/${hopId}/answer`, answer, { idempotencyKey: "answer-1" })));
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(concurrent.map((r) => r.text)).size).toBe(1);
    expect(new Set(concurrent.map((r) => r.headers.get("hoptrace-receipt"))).size).toBe(1);
    expect(concurrent.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(2);

    const changed = await terminating.api.post(
      `/v1/hop-requests/${hopId}/answer`,
      { ...answer, upstream: { providerId: other.id } },
      { idempotencyKey: "answer-1" },
    );
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe("idempotency_key_reused");
    const anotherKey = await terminating.api.post(`/v1/hop-requests/${hopId}/answer`, answer, { idempotencyKey: "answer-2" });
    expect(anotherKey.status).toBe(409);
    expect(anotherKey.body.code).toBe("hop_already_answered");

    const tbId = `tb_${hopId.split("_")[1]}`;
    const chain = await t.consortium.api.get(`/v1/tracebacks/${tbId}`);
    expect(chain.body.hops).toHaveLength(2);
    const { deps } = t;
    expect(await deps.requests.startIdempotent(terminating.id, "answer-1", "probe", Date.now(), 60, 30)).toMatchObject({ kind: "started" });
  });
});
