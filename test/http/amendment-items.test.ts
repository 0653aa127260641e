/**
 * Amendments are items of their own in DynamoDB, bounded in number and size: however many
 * maximum-size amendments a provider sends, nothing grows past what an item can store, no write
 * ever fails with a 500, and the hop (and its traceback) go on working.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../functions/adapters/dynamo/keys.js";
import { MAX_AMENDMENT_BYTES, MAX_AMENDMENTS_PER_HOP } from "../../functions/domain/amendments.js";
import { EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { answeredHop as answered } from "./answered-hop.js";
import { send, signedPost } from "./raw.js";

let t: TestHub;
let terminating: Party;
let named: Party;

beforeAll(async () => {
  t = await startTestHub({ env: { LOG_LEVEL: "ERROR" } });
  terminating = await t.registerProvider("Amending Terminating");
  named = await t.registerProvider("Amending Named");
});
afterAll(async () => {
  await t?.stop();
});

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * An amendment just under the size bound, in characters that take the most room where they are
 * kept (three UTF-8 bytes each), with every free-text field of the schema used.
 */
function largestAmendment(i: number): { answer: Record<string, unknown>; reason: string } {
  const fill = (n: number) => `${i}`.padEnd(n, "\u20ac");
  const evidence: Record<string, string> = { ingressTrunk: fill(60), sipCallId: fill(150), notes: fill(600) };
  const amendment = { answer: { type: "not_our_call", explanation: fill(1500), evidence }, reason: fill(1500) };
  evidence.identityHeader = fill(Math.floor((MAX_AMENDMENT_BYTES - bytes(amendment) - 32) / 3));
  expect(bytes(amendment)).toBeLessThanOrEqual(MAX_AMENDMENT_BYTES);
  expect(bytes(amendment)).toBeGreaterThan(MAX_AMENDMENT_BYTES - 64);
  return amendment;
}

/** The body as sent: padded with whitespace up to the 64 KiB body cap, all of it kept as evidence. */
function padded(body: unknown): string {
  const text = JSON.stringify(body);
  return text + " ".repeat(65_536 - Buffer.byteLength(text));
}

async function itemBytes(key: { pk: string; sk: string }): Promise<number> {
  const out = await t.hub.runtime.db.send(new GetCommand({ TableName: t.hub.config.TABLE_NAME, Key: key, ConsistentRead: true }));
  return bytes(out.Item);
}

const answeredHop = () => answered(t, terminating, named);

describe("amendments at their bounds", () => {
  it("takes the most amendments of the largest size, keeps the hop item as small as it was, and refuses more with 409", async () => {
    const { tracebackId, hopId } = await answeredHop();
    const hopKey = keys.hop(tracebackId, 1);
    const before = await itemBytes(hopKey);
    const statuses: number[] = [];
    for (let i = 1; i <= MAX_AMENDMENTS_PER_HOP; i++) {
      const url = `${t.url}/v1/hop-requests/${hopId}/amendments`;
      const body = padded(largestAmendment(i));
      const res = await send(url, { method: "POST", headers: signedPost(url, terminating.key, body), body });
      statuses.push(res.status);
      expect(res.body.number).toBe(i);
      expect(res.headers.get("hoptrace-receipt")).toBeTruthy();
      // Each amendment is answered with itself alone, so responses do not grow with their number.
      expect(Buffer.byteLength(res.text)).toBeLessThan(MAX_AMENDMENT_BYTES + 1024);
    }
    expect(statuses).toEqual(Array(MAX_AMENDMENTS_PER_HOP).fill(201));
    const refused = await terminating.api.post(`/v1/hop-requests/${hopId}/amendments`, largestAmendment(99));
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body.code).toBe("too_many_amendments");

    // The hop item did not grow; each amendment item holds one amendment and its own evidence.
    expect(await itemBytes(hopKey)).toBe(before);
    for (let n = 1; n <= MAX_AMENDMENTS_PER_HOP; n++) expect(await itemBytes(keys.amendment(tracebackId, 1, n))).toBeLessThan(200_000);

    // The hop request and the chain show every amendment with its evidence, the original answer unchanged.
    const hop = await terminating.api.get(`/v1/hop-requests/${hopId}`);
    expect(hop.status).toBe(200);
    expect(hop.body.answer).toEqual({ type: "upstream_identified", upstream: { providerId: named.id }, evidence: EVIDENCE });
    expect(hop.body.amendments.map((a: { number: number }) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hop.body.amendments[9]).toMatchObject(largestAmendment(10));
    const chain = await t.consortium.api.get(`/v1/tracebacks/${tracebackId}`);
    expect(chain.status).toBe(200);
    expect(chain.body.hops[0].amendments).toEqual(hop.body.amendments);
    const stored = await t.hub.runtime.deps.tracebacks.getHop(tracebackId, 1, true);
    expect(stored!.value.evidence!.request.body).toContain(named.id);
    expect(stored!.value.amendmentEvidence!.map((e) => e.request.body)).toEqual(Array.from({ length: 10 }, (_, i) => padded(largestAmendment(i + 1))));

    // The hop stays writable: a rewrite keeps the amendments out of the hop item and loses none.
    const again = await t.hub.runtime.deps.tracebacks.getHop(tracebackId, 1, true);
    await t.hub.runtime.deps.tracebacks.replaceHop({ ...again!.value, remindersSent: 1 }, { version: again!.version, status: "answered" });
    expect(await itemBytes(hopKey)).toBeLessThan(before + 100);
    expect((await terminating.api.get(`/v1/hop-requests/${hopId}`)).body.amendments).toHaveLength(10);

    // And the traceback goes on: the next provider answers, the chain completes.
    const hop2 = chain.body.hops[1].id;
    const answer = await named.api.post(`/v1/hop-requests/${hop2}/answer`, {
      type: "originator_identified",
      customer: { name: "Robo LLC" },
      actionTaken: "terminated",
      evidence: EVIDENCE,
    });
    expect(answer.status).toBe(200);
    expect((await t.consortium.api.get(`/v1/tracebacks/${tracebackId}`)).body.traceback.status).toBe("completed");
  });
});
