/**
 * Amendments are bounded in size however their characters are spelled, numbered apart when they
 * race, and a retry whose response was lost gets the same amendment again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_AMENDMENT_BYTES } from "../../functions/domain/amendments.js";
import { startFakeHub, type FakeHub, type Party } from "../fakes/hub.js";
import { answeredHop as answered } from "./answered-hop.js";

let t: FakeHub;
let terminating: Party;
let named: Party;

beforeAll(async () => {
  t = await startFakeHub();
  terminating = await t.registerProvider("Amending Terminating");
  named = await t.registerProvider("Amending Named");
});
afterAll(async () => {
  await t?.stop();
});

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const answeredHop = () => answered(t, terminating, named);

describe("amendments at their bounds", () => {
  it("refuses an amendment over the size bound with 422, however its characters are spelled", async () => {
    const { hopId } = await answeredHop();
    // Control characters take six bytes each as JSON: the kind of body that used to fill hop items.
    const escaped = { answer: { type: "not_our_call", explanation: "x", evidence: { identityHeader: "\u0001".repeat(8192) } }, reason: "\u0001".repeat(1000) };
    const wide = {
      answer: { type: "not_our_call", explanation: "\u20ac".repeat(2000), evidence: { identityHeader: "\u20ac".repeat(8192), notes: "\u20ac".repeat(2000) } },
      reason: "\u20ac".repeat(2000),
    };
    for (const amendment of [escaped, wide]) {
      expect(bytes(amendment)).toBeGreaterThan(MAX_AMENDMENT_BYTES);
      expect(bytes(amendment)).toBeLessThan(65_536);
      const res = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, amendment);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("amendment_too_large");
    }
    expect((await terminating.api.get(`/v1/hop-requests/${hopId}`)).body.amendments).toBeUndefined();
  });

  it("numbers concurrent amendments apart, and a retry whose response was lost gets the same amendment again", async () => {
    const { tracebackId, hopId } = await answeredHop();
    const [a, b] = await Promise.all([
      terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, { answer: { type: "refused", reason: "a" }, reason: "first" }),
      terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, { answer: { type: "refused", reason: "b" }, reason: "second" }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.number, b.body.number].sort()).toEqual([1, 2]);

    // The idempotency record is gone (a crash after the amendment was written): the retry finds
    // the amendment by its key and body and answers with it, receipt and all.
    const body = { answer: { type: "refused", reason: "c" }, reason: "third" };
    const first = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, body, { idempotencyKey: "amend-retry-1" });
    expect(first.body.number).toBe(3);
    t.deps.requests.forget(terminating.id, "amend-retry-1");
    const retry = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, body, { idempotencyKey: "amend-retry-1" });
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("hoptrace-receipt")).toBe(first.headers.get("hoptrace-receipt"));
    const other = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, { ...body, reason: "changed" }, { idempotencyKey: "amend-retry-1" });
    expect(other.status).toBe(422);
    expect((await t.deps.tracebacks.getHop(tracebackId, 1, true))!.value.amendments).toHaveLength(3);
  });
});
