import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { verifyReceipt } from "../../functions/crypto/receipt.js";
import { parseHopId } from "../../functions/domain/ids.js";
import { CALL, EVIDENCE, newKey, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { send, signedPost } from "./raw.js";

let t: FakeHub;
let term: Party;
let mid: Party;
let origin: Party;
let other: Party;
let ag: Party;

beforeAll(async () => {
  t = await startFakeHub();
  [term, mid, origin, other] = await Promise.all([
    t.registerProvider("Answer Terminating"),
    t.registerProvider("Answer Middle"),
    t.registerProvider("Answer Origin"),
    t.registerProvider("Answer Other"),
  ]);
  ag = await t.registerInitiator("Answer AG");
});
afterAll(async () => {
  await t?.stop();
});

async function startTraceback(terminating: Party = term): Promise<{ tbId: string; hopId: string }> {
  const res = await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
  expect(res.status).toBe(201);
  return { tbId: res.body.traceback.id, hopId: res.body.hops[0].id };
}

const upstreamAnswer = (providerId: string) => ({ type: "upstream_identified", upstream: { providerId }, evidence: EVIDENCE });
const chainOf = async (tbId: string) => {
  const res = await ag.api.get(`/v1/tracebacks/${tbId}`);
  expect(res.status).toBe(200);
  return res.body;
};

describe("one primary answer per hop request", () => {
  it("two different answers racing for the same hop: one wins, the other is 409, one next hop", async () => {
    const starts = await Promise.all(Array.from({ length: 10 }, () => startTraceback()));
    for (const { tbId, hopId } of starts) {
      const [a, b] = await Promise.all([
        term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(mid.id)),
        term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(other.id)),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
      expect(loser.body.code).toBe("hop_already_answered");
      const named = winner === a ? mid : other;
      const notNamed = winner === a ? other : mid;
      expect(winner.body.answer.upstream.providerId).toBe(named.id);

      const chain = await chainOf(tbId);
      expect(chain.hops).toHaveLength(2);
      expect(chain.traceback.path).toEqual([term.id, named.id]);
      expect(chain.traceback.hopCount).toBe(2);
      expect(chain.hops[0].answer.upstream.providerId).toBe(named.id);
      expect(chain.hops[1].providerId).toBe(named.id);
      const notNamedInbox = await notNamed.api.get("/v1/hop-requests?status=all&limit=100");
      expect(notNamedInbox.body.items.filter((h: { tracebackId: string }) => h.tracebackId === tbId)).toHaveLength(0);
    }
  });

  it("a second, different answer after the first is 409 and changes nothing", async () => {
    const { tbId, hopId } = await startTraceback();
    const first = await term.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "no_record",
      windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" },
    });
    expect(first.status).toBe(200);
    const second = await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(mid.id));
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("hop_already_answered");
    const chain = await chainOf(tbId);
    expect(chain.hops).toHaveLength(1);
    expect(chain.hops[0].answer.type).toBe("no_record");
    expect(chain.traceback.result.outcome).toBe("no_record");
  });
});

describe("receipts and evidence", () => {
  it("the receipt verifies against the published JWKS and binds the request signature and the response body", async () => {
    const { tbId, hopId } = await startTraceback();
    const url = `${t.url}/v1/hop-requests/${hopId}/answer`;
    const body = JSON.stringify({
      type: "originator_identified",
      customer: { name: "Dialer LLC", accountReference: "CUST-9" },
      actionTaken: "terminated",
      evidence: EVIDENCE,
    });
    const idem = randomUUID();
    const termHeaders = signedPost(url, term.key, body, { idempotencyKey: idem });
    const res = await send(url, { method: "POST", headers: termHeaders, body }, t.fetch);
    expect(res.status).toBe(200);
    const receipt = res.headers.get("hoptrace-receipt")!;
    expect(receipt).toBeTruthy();
    expect(res.headers.get("content-digest")).toBe(contentDigest(res.text));

    const jwksRes = await t.fetch(`${t.url}/.well-known/jwks.json`, {});
    expect(jwksRes.status).toBe(200);
    const jwks = (await jwksRes.json()) as { keys: object[] };
    const claims = await verifyReceipt(receipt, jwks);
    expect(claims.res).toEqual({ status: 200, content_digest: contentDigest(res.text) });
    expect(claims.req).toEqual({
      method: "POST",
      target_uri: url,
      keyid: term.key.keyId,
      signature_input: termHeaders.get("signature-input"),
      signature: termHeaders.get("signature"),
      content_digest: contentDigest(body),
      idempotency_key: idem,
    });
    expect(claims.sub).toBe(term.id);
    expect(claims.iss).toBe(t.url);

    // A receipt does not verify against another key set, nor once altered.
    const stranger = await newKey();
    await expect(
      verifyReceipt(receipt, { keys: [{ ...stranger.publicJwk, kid: (jwks.keys[0] as { kid: string }).kid, alg: "EdDSA", use: "sig" }] }),
    ).rejects.toThrow();
    const [h, p, s] = receipt.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, res: { status: 200, content_digest: contentDigest("{}") } })).toString("base64url");
    await expect(verifyReceipt(`${h}.${forgedPayload}.${s}`, jwks)).rejects.toThrow();
    expect(p).not.toBe(forgedPayload);

    // The evidence kept with the answer: verbatim request, signature headers, key snapshot, receipt.
    const ref = parseHopId(hopId)!;
    const stored = await t.deps.tracebacks.getHop(ref.tracebackId, ref.seq, true);
    const evidence = stored!.value.evidence!;
    expect(evidence.request).toEqual({
      method: "POST",
      targetUri: url,
      body,
      headers: {
        "signature-input": termHeaders.get("signature-input"),
        signature: termHeaders.get("signature"),
        "content-digest": contentDigest(body),
        "content-type": "application/json",
        "idempotency-key": idem,
      },
    });
    const registered = (await t.deps.accounts.getKey(term.key.keyId))!;
    expect(evidence.key).toEqual({ keyId: term.key.keyId, accountId: term.id, publicJwk: await keyJwkOf(term), proof: registered.proof });
    expect(evidence.receipt).toBe(receipt);
    expect(evidence.response).toEqual({ status: 200, body: res.text });
    expect(stored!.value.answeredBy).toEqual({ accountId: term.id, keyId: term.key.keyId });
    // The evidence is not part of what anyone reads through the API.
    const chain = await chainOf(tbId);
    expect(chain.hops[0]).not.toHaveProperty("evidence");
    expect(JSON.stringify(chain)).not.toContain(termHeaders.get("signature")!);
  });
});

async function keyJwkOf(p: Party): Promise<Record<string, string>> {
  const res = await p.api.get(`/v1/accounts/${p.id}/keys`);
  const k = res.body.items.find((x: { keyId: string }) => x.keyId === p.key.keyId);
  return k.publicJwk;
}

describe("what an answer does to the traceback", () => {
  it("an unregistered upstream named by name and FRN waits; registering that FRN opens the hop to the new provider", async () => {
    const { tbId, hopId } = await startTraceback();
    const frn = "0077766655";
    const a = await term.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "upstream_identified",
      upstream: { name: "Late Joiner VoIP", frn, contact: { email: "noc@late.example" } },
      evidence: EVIDENCE,
    });
    expect(a.status).toBe(200);
    let chain = await chainOf(tbId);
    expect(chain.traceback.status).toBe("waiting_on_provider");
    expect(chain.traceback.path).toEqual([term.id]);
    expect(chain.hops).toHaveLength(2);
    expect(chain.hops[1]).toMatchObject({ seq: 2, status: "awaiting_registration", pendingProvider: { name: "Late Joiner VoIP", frn } });
    expect(chain.hops[1].providerId).toBeUndefined();

    const late = await t.registerProvider("Late Joiner VoIP", { frn });
    chain = await chainOf(tbId);
    expect(chain.traceback.status).toBe("open");
    expect(chain.traceback.path).toEqual([term.id, late.id]);
    expect(chain.hops[1]).toMatchObject({ status: "open", providerId: late.id });
    expect(chain.hops[1].deadline.dueAt).toBeTruthy();
    const inbox = await late.api.get("/v1/hop-requests");
    expect(inbox.body.items.map((h: { id: string }) => h.id)).toEqual([chain.hops[1].id]);
    expect(inbox.body.items[0].namedBy).toEqual({ accountId: term.id, hopId });

    const done = await late.api.post(`/v1/hop-requests/${chain.hops[1].id}/answer`, {
      type: "originator_identified",
      customer: { name: "Dialer" },
      actionTaken: "warned",
      evidence: EVIDENCE,
    });
    expect(done.status).toBe(200);
    expect((await chainOf(tbId)).traceback.result.outcome).toBe("originator_found");
  });

  it("closing a traceback that waits for a registration cancels the waiting hop; a later registration changes nothing", async () => {
    const { tbId, hopId } = await startTraceback();
    const frn = "0033322211";
    expect(
      (await term.api.post(`/v1/hop-requests/${hopId}/answer`, { type: "upstream_identified", upstream: { name: "Never Mind Tel", frn }, evidence: EVIDENCE }))
        .status,
    ).toBe(200);
    const closed = await ag.api.post(`/v1/tracebacks/${tbId}/close`, { reason: "resolved elsewhere" });
    expect(closed.status).toBe(200);
    let chain = await chainOf(tbId);
    expect(chain.hops[1].status).toBe("cancelled");
    const joiner = await t.registerProvider("Never Mind Tel", { frn });
    chain = await chainOf(tbId);
    expect(chain.traceback.result.outcome).toBe("closed");
    expect(chain.traceback.path).toEqual([term.id]);
    expect(chain.hops[1].status).toBe("cancelled");
    expect(chain.hops[1].providerId).toBeUndefined();
    expect((await joiner.api.get("/v1/hop-requests")).body.items).toHaveLength(0);
  });

  it("naming by FRN a provider that is registered goes straight to it", async () => {
    const withFrn = await t.registerProvider("Registered By FRN", { frn: "0012121212" });
    const { tbId, hopId } = await startTraceback();
    const a = await term.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "upstream_identified",
      upstream: { name: "whatever they call it", frn: "0012121212" },
      evidence: EVIDENCE,
    });
    expect(a.status).toBe(200);
    const chain = await chainOf(tbId);
    expect(chain.traceback.status).toBe("open");
    expect(chain.hops[1]).toMatchObject({ status: "open", providerId: withFrn.id });
  });

  it("naming a provider already on the path ends the traceback as loop_detected", async () => {
    const { tbId, hopId } = await startTraceback();
    expect((await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(mid.id))).status).toBe(200);
    const hop2 = hopId.replace(/_1$/, "_2");
    const back = await mid.api.post(`/v1/hop-requests/${hop2}/answer`, upstreamAnswer(term.id));
    expect(back.status).toBe(200);
    const chain = await chainOf(tbId);
    expect(chain.traceback.status).toBe("completed");
    expect(chain.traceback.result).toMatchObject({ outcome: "loop_detected", hopSeq: 2, decidedBy: mid.id });
    // Decided once, when the answer came, and kept on its hop: the outcome is that decision. It
    // names who is on the path, so neither the provider's view nor the chain's shows it.
    const stored = (await t.deps.tracebacks.getHop(tbId, 2, true))!.value;
    expect(stored.decision).toEqual({ kind: "complete", result: chain.traceback.result });
    expect(back.body.decision).toBeUndefined();
    expect(chain.hops[1].decision).toBeUndefined();
    expect(chain.hops).toHaveLength(2);
    expect(chain.traceback.path).toEqual([term.id, mid.id]);
    expect((await term.api.get("/v1/hop-requests")).body.items.filter((h: { tracebackId: string }) => h.tracebackId === tbId)).toHaveLength(0);
  });

  it("naming oneself ends the traceback as loop_detected", async () => {
    const { tbId, hopId } = await startTraceback();
    expect((await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(term.id))).status).toBe(200);
    const chain = await chainOf(tbId);
    expect(chain.traceback.result.outcome).toBe("loop_detected");
    expect(chain.hops).toHaveLength(1);
  });

  it.each([
    [{ type: "foreign_point_of_entry", foreignProvider: { name: "Offshore Tel", country: "GB" }, evidence: EVIDENCE }, "point_of_entry_found"],
    [{ type: "no_record", windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" } }, "no_record"],
    [{ type: "not_our_call", explanation: "our customer's number, spoofed" }, "no_record"],
    [{ type: "insufficient_information", explanation: "no call time" }, "no_record"],
    [{ type: "refused", reason: "we do not take part" }, "non_responsive_provider"],
  ])("%j ends the traceback as %s", async (answer, outcome) => {
    const { tbId, hopId } = await startTraceback();
    const res = await term.api.post(`/v1/hop-requests/${hopId}/answer`, answer);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: hopId, status: "answered", answer });
    const chain = await chainOf(tbId);
    expect(chain.traceback.status).toBe("completed");
    expect(chain.traceback.result).toMatchObject({ outcome, hopSeq: 1, decidedBy: term.id });
    expect(chain.hops).toHaveLength(1);
  });

  it("closing by the initiator cancels the open hop; the provider sees it cancelled and can no longer answer", async () => {
    const { tbId, hopId } = await startTraceback();
    expect((await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(mid.id))).status).toBe(200);
    const hop2 = hopId.replace(/_1$/, "_2");
    expect((await mid.api.get(`/v1/hop-requests/${hop2}`)).body.status).toBe("open");

    const closed = await ag.api.post(`/v1/tracebacks/${tbId}/close`, { reason: "duplicate of another traceback" });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe("completed");
    expect(closed.body.result).toMatchObject({ outcome: "closed", reason: "duplicate of another traceback", hopSeq: 2, decidedBy: ag.id });
    expect(closed.headers.get("hoptrace-receipt")).toMatch(/^ey/);

    const seen = await mid.api.get(`/v1/hop-requests/${hop2}`);
    expect(seen.body.status).toBe("cancelled");
    expect((await mid.api.get("/v1/hop-requests")).body.items.filter((h: { id: string }) => h.id === hop2)).toHaveLength(0);
    const answer = await mid.api.post(`/v1/hop-requests/${hop2}/answer`, upstreamAnswer(origin.id));
    expect(answer.status).toBe(409);
    const chain = await chainOf(tbId);
    expect(chain.hops).toHaveLength(2);
    expect(chain.hops[1].status).toBe("cancelled");
    expect(chain.traceback.result.outcome).toBe("closed");

    const again = await ag.api.post(`/v1/tracebacks/${tbId}/close`, { reason: "again" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("traceback_completed");
  });

  it("a completed chain read later shows every hop with its timings", async () => {
    const { tbId, hopId } = await startTraceback();
    await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstreamAnswer(mid.id));
    const hop2 = hopId.replace(/_1$/, "_2");
    await mid.api.post(`/v1/hop-requests/${hop2}/answer`, upstreamAnswer(origin.id));
    const hop3 = hopId.replace(/_1$/, "_3");
    await origin.api.post(`/v1/hop-requests/${hop3}/answer`, {
      type: "originator_identified",
      customer: { name: "Dialer LLC" },
      actionTaken: "suspended",
      evidence: EVIDENCE,
    });

    // Another traceback's activity in between does not disturb this one.
    await startTraceback();
    const chain = await chainOf(tbId);
    expect(chain.traceback).toMatchObject({
      status: "completed",
      hopCount: 3,
      path: [term.id, mid.id, origin.id],
      result: { outcome: "originator_found", hopSeq: 3 },
    });
    expect(chain.hops.map((h: { id: string }) => h.id)).toEqual([hopId, hop2, hop3]);
    for (const [i, h] of chain.hops.entries()) {
      expect(h.seq).toBe(i + 1);
      expect(h.status).toBe("answered");
      expect(typeof h.answerSeconds).toBe("number");
      expect(h.answerSeconds).toBeGreaterThanOrEqual(0);
      expect(Date.parse(h.answeredAt)).toBeGreaterThanOrEqual(Date.parse(h.createdAt));
      expect(Date.parse(h.deadline.dueAt)).toBeGreaterThan(Date.parse(h.createdAt));
      expect(h.answeredBy.accountId).toBe([term.id, mid.id, origin.id][i]);
      expect(h.late).toBe(false);
      expect(h).not.toHaveProperty("evidence");
    }
    expect(chain.hops[1].namedBy).toEqual({ accountId: term.id, hopId });
    expect(chain.hops[2].namedBy).toEqual({ accountId: mid.id, hopId: hop2 });
  });
});
