/**
 * Every accepted signed request is an entry of the transparency log, written in the request path
 * before the receipt leaves, and the receipt commits to it: from the receipt alone the entry and
 * its leaf hash are rebuilt, and they are the stored ones. One entry per request: refused
 * requests and idempotent replays add none.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import type { HopAnswer } from "../../functions/domain/answer-schema.js";
import { amendHopAnswer, type AnswerContext } from "../../functions/usecases/hops.js";
import type { ReceiptSigner } from "../../functions/usecases/ports.js";
import { decodeReceiptClaims, verifyReceipt } from "../../functions/crypto/receipt.js";
import { decodeEntry, encodeEntry, requestEntry, requestStatement, statementDigest } from "../../functions/domain/log/entry.js";
import { newAccountId } from "../../openapi/client/registration.js";
import { CALL, EVIDENCE, newKey, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { send, signedPost, type RawResponse } from "./raw.js";

let t: FakeHub;
let term: Party;
let upstream: Party;
let ag: Party;
let jwks: { keys: object[] };

beforeAll(async () => {
  t = await startFakeHub();
  [term, upstream] = await Promise.all([t.registerProvider("Log Terminating"), t.registerProvider("Log Upstream")]);
  ag = await t.registerInitiator("Log AG");
  jwks = (await (await t.fetch(`${t.url}/.well-known/jwks.json`, {})).json()) as { keys: object[] };
});
afterAll(async () => {
  await t?.stop();
});

const store = () => t.deps.transparencyLog.logStore;
/** The request entries about a subject (its statements also hold the hub's decisions). */
const requestsAbout = async (subject: string) => (await store().entriesOf(subject)).filter((e) => decodeEntry(e.entry).kind === "request");

/** Sends a signed POST exactly as built here, so the test knows every byte the hub received. */
async function post(
  party: Party,
  path: string,
  body: unknown,
  idempotencyKey = randomUUID(),
): Promise<{ res: RawResponse; sent: { method: string; targetUri: string; headers: Record<string, string>; body: string } }> {
  const url = `${t.url}${path}`;
  const text = JSON.stringify(body);
  const headers = signedPost(url, party.key, text, { idempotencyKey });
  const res = await send(url, { method: "POST", headers, body: text }, t.fetch);
  const sent = {
    method: "POST",
    targetUri: url,
    body: text,
    headers: {
      "signature-input": headers.get("signature-input")!,
      signature: headers.get("signature")!,
      "content-digest": headers.get("content-digest")!,
      "content-type": headers.get("content-type")!,
      "idempotency-key": idempotencyKey,
    },
  };
  return { res, sent };
}

/** The receipt's `log` claim names the stored entry of exactly the request sent, about `subject`. */
async function expectLogged(res: RawResponse, sent: Awaited<ReturnType<typeof post>>["sent"], subject: string, kept: "with_entry" | "elsewhere") {
  expect(res.status, res.text).toBeLessThan(300);
  const receipt = res.headers.get("hoptrace-receipt")!;
  const claims = await verifyReceipt(receipt, jwks);
  expect(claims.log).toMatchObject({ id: `${subject}/${claims.jti}`, subject, sha256: statementDigest(requestStatement(sent)) });
  const entry = requestEntry(claims.log!, receipt);
  const stored = (await store().getEntry(claims.log!.id))!;
  expect(Buffer.from(stored.entry).toString()).toBe(Buffer.from(encodeEntry(entry)).toString());
  expect(Buffer.from(stored.leafHash).equals(Buffer.from(leafHash(encodeEntry(entry))))).toBe(true);
  if (kept === "with_entry") {
    expect(stored.evidence).toMatchObject({ request: sent, receipt, key: { keyId: claims.req.keyid, accountId: claims.sub } });
  } else {
    expect(stored.evidence).toBeUndefined();
  }
  return { claims, stored };
}

describe("every accepted request is logged before its receipt leaves", () => {
  it("registrations, keys, tracebacks, answers, amendments, closings, endpoints and trust anchors", async () => {
    const accountId = newAccountId();
    const k = await newKey();
    const reg = await post(t.consortium, "/v1/providers", {
      id: accountId,
      name: "Logged Carrier",
      frn: "0099887766",
      contact: { name: "NOC", email: "noc@logged.example" },
      keys: [k.registration(accountId)],
    });
    await expectLogged(reg.res, reg.sent, accountId, "with_entry");

    const second = await newKey();
    const added = await post(t.consortium, `/v1/accounts/${term.id}/keys`, second.registration(term.id));
    await expectLogged(added.res, added.sent, term.id, "with_entry");
    const revoked = await post(t.consortium, `/v1/accounts/${term.id}/keys/${second.key.keyId}/revoke`, {});
    await expectLogged(revoked.res, revoked.sent, term.id, "with_entry");

    const created = await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: term.id });
    const tbId = created.res.body.traceback.id as string;
    const hopId = created.res.body.hops[0].id as string;
    await expectLogged(created.res, created.sent, tbId, "with_entry");

    const answered = await post(term, `/v1/hop-requests/${hopId}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: upstream.id },
      evidence: EVIDENCE,
    });
    const { claims } = await expectLogged(answered.res, answered.sent, tbId, "elsewhere");
    // The entry's time is the answer's own.
    expect(claims.log!.time).toBe(answered.res.body.answeredAt);

    const amended = await post(term, `/v1/hop-requests/${hopId}/amendments`, {
      answer: { type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: { ingressTrunk: "TRUNK-8" } },
      reason: "wrong trunk",
    });
    const amendment = await expectLogged(amended.res, amended.sent, tbId, "elsewhere");
    expect(amendment.claims.log!.time).toBe(amended.res.body.amendedAt);

    const closed = await post(ag, `/v1/tracebacks/${tbId}/close`, { reason: "enough" });
    await expectLogged(closed.res, closed.sent, tbId, "with_entry");

    const endpoint = await post(term, "/v1/webhook-endpoints", { url: "http://127.0.0.1:9/hook", eventTypes: ["hop_request.created"] });
    const logged = await expectLogged(endpoint.res, endpoint.sent, term.id, "with_entry");
    // The response carried the endpoint's secret; only its digest is in the receipt, never in the log.
    expect(JSON.stringify(logged.stored.evidence)).not.toContain(endpoint.res.body.secret);

    const pem = readFileSync(new URL("../fixtures/shaken/root.pem", import.meta.url), "utf8");
    const anchor = await post(t.consortium, "/v1/trust-anchors", { pem, label: "TEST ONLY root" });
    await expectLogged(anchor.res, anchor.sent, t.consortium.id, "with_entry");

    // A traceback's statements are read back together, as an evidence bundle reads them.
    const ofTraceback = await requestsAbout(tbId);
    expect(ofTraceback.map((e) => e.statementId).sort()).toEqual(
      [created, answered, amended, closed]
        .map(({ res }) => `${tbId}/${JSON.parse(Buffer.from(res.headers.get("hoptrace-receipt")!.split(".")[1]!, "base64url").toString()).jti}`)
        .sort(),
    );
  });
});

describe("the people's requests are logged like every other", () => {
  it("an invitation and its revocation under the invited account; an enrolment under the account joined, with the key's proof and person", async () => {
    const invited = await post(t.consortium, "/v1/invitations", { accountId: term.id, email: "dana@log-term.example", name: "Dana Reyes", role: "staff" });
    await expectLogged(invited.res, invited.sent, term.id, "with_entry");
    const other = await post(t.consortium, "/v1/invitations", { accountId: term.id, email: "lee@log-term.example", name: "Lee Park", role: "staff" });
    const revoked = await post(t.consortium, `/v1/invitations/${other.res.body.invitation.id}/revoke`, {});
    await expectLogged(revoked.res, revoked.sent, term.id, "with_entry");
    // The token is the invited person's credential: only the response's digest is in the receipt.
    expect(JSON.stringify(await requestsAbout(term.id))).not.toContain(invited.res.body.token);

    const person = await newKey();
    const enrolled = await post(
      { id: term.id, key: person.key, api: undefined as never },
      `/v1/enrolments/${invited.res.body.token}`,
      person.registration(term.id),
    );
    const { stored, claims } = await expectLogged(enrolled.res, enrolled.sent, term.id, "with_entry");
    expect(claims.sub).toBe(term.id);
    expect(stored.evidence).toMatchObject({
      key: { keyId: person.key.keyId, accountId: term.id, proof: person.registration(term.id).proof, person: { name: "Dana Reyes", role: "staff" } },
    });
  });
});

describe("intake and the consortium's decisions on campaigns are logged like every other", () => {
  it("a batch of captured calls under its caller; a campaign's confirmation and renaming under the campaign", async () => {
    const calls = [1, 2].map((n) => ({
      ...CALL,
      callTime: `2024-06-0${n}T16:00:00Z`,
      callKey: `log-feed/${randomUUID()}`,
      transcript: "your car warranty is about to expire",
    }));
    const batch = await post(ag, "/v1/tracebacks:batch", { terminatingProviderId: term.id, calls });
    expect(batch.res.body).toMatchObject({ created: 2, rejected: 0, failed: 0 });
    await expectLogged(batch.res, batch.sent, ag.id, "with_entry");

    const campaignId = await campaignOf(batch.res.body.results[0].tracebackId);
    expect(campaignId).toBeDefined();
    const confirmed = await post(t.consortium, `/v1/campaigns/${campaignId}/confirm`, {});
    await expectLogged(confirmed.res, confirmed.sent, campaignId!, "with_entry");
    const renamed = await post(t.consortium, `/v1/campaigns/${campaignId}/rename`, { name: "Warranty calls" });
    await expectLogged(renamed.res, renamed.sent, campaignId!, "with_entry");
    // A refused decision is not logged.
    expect((await post(t.consortium, "/v1/campaigns/cmp_nowhere/confirm", {})).res.status).toBe(404);
    expect(await requestsAbout("cmp_nowhere")).toHaveLength(0);
  });
});

/** The campaign the clustering placed a traceback in. */
async function campaignOf(tracebackId: string): Promise<string | undefined> {
  const items = (await t.consortium.api.get("/v1/campaigns?limit=100")).body.items as Array<{ id: string }>;
  for (const c of items) {
    const view = (await t.consortium.api.get(`/v1/campaigns/${c.id}`)).body as { members: Array<{ tracebackId: string }> };
    if (view.members.some((m) => m.tracebackId === tracebackId)) return c.id;
  }
  return undefined;
}

describe("one entry per request", () => {
  it("an idempotent replay returns the same receipt and appends nothing", async () => {
    const key = randomUUID();
    const first = await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: term.id }, key);
    const tbId = first.res.body.traceback.id as string;
    const again = await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: term.id }, key);
    expect(again.res.headers.get("idempotent-replayed")).toBe("true");
    expect(again.res.headers.get("hoptrace-receipt")).toBe(first.res.headers.get("hoptrace-receipt"));
    expect(await requestsAbout(tbId)).toHaveLength(1);

    const hopId = first.res.body.hops[0].id as string;
    const answer = { type: "no_record", windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" } };
    const answerKey = randomUUID();
    const a = await post(term, `/v1/hop-requests/${hopId}/answer`, answer, answerKey);
    const b = await post(term, `/v1/hop-requests/${hopId}/answer`, answer, answerKey);
    expect(a.res.status).toBe(200);
    expect(b.res.headers.get("idempotent-replayed")).toBe("true");
    expect(b.res.headers.get("hoptrace-receipt")).toBe(a.res.headers.get("hoptrace-receipt"));
    expect(await requestsAbout(tbId)).toHaveLength(2);
  });

  it("a refused request is not logged", async () => {
    const created = await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: term.id });
    const tbId = created.res.body.traceback.id as string;
    const hopId = created.res.body.hops[0].id as string;
    const ofInitiator = (await requestsAbout(ag.id)).length;
    expect((await post(upstream, `/v1/hop-requests/${hopId}/answer`, { type: "refused", reason: "no" })).res.status).toBe(404);
    expect((await post(ag, `/v1/tracebacks/${tbId}/reopen`, {})).res.status).toBe(409);
    expect((await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: "acc_nobody" })).res.status).toBe(422);
    expect(await requestsAbout(tbId)).toHaveLength(1);
    expect(await requestsAbout(ag.id)).toHaveLength(ofInitiator);
  });

  it("an amendment stored by a request that died before logging it is logged by the request's retry, once", async () => {
    const created = await post(ag, "/v1/tracebacks", { ...CALL, terminatingProviderId: term.id });
    const tbId = created.res.body.traceback.id as string;
    const hopId = created.res.body.hops[0].id as string;
    expect(
      (
        await post(term, `/v1/hop-requests/${hopId}/answer`, {
          type: "no_record",
          windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" },
        })
      ).res.status,
    ).toBe(200);

    // The amendment request as the route hands it over, in a process that dies right after storing it.
    const deps = t.deps;
    const answer: HopAnswer = { type: "not_our_call", explanation: "the trunk belongs to another carrier" };
    const signed = {
      request: {
        method: "POST",
        targetUri: `${t.url}/v1/hop-requests/${hopId}/amendments`,
        headers: { "signature-input": "sig1=()", signature: "sig1=::", "idempotency-key": "amend-once" },
        body: JSON.stringify({ answer, reason: "wrong trunk" }),
      },
      key: { keyId: term.key.keyId, accountId: term.id, publicJwk: (await deps.accounts.getKey(term.key.keyId))!.publicJwk },
    };
    let dies = true;
    const receipts: ReceiptSigner = {
      seal: async (exchange) => {
        const sealed = await deps.receipts.seal(exchange);
        return { ...sealed, log: async (opts) => (dies ? Promise.reject(new Error("the process died here")) : sealed.log(opts)) };
      },
    };
    const dying = { ...deps, receipts };
    const ctx: AnswerContext = { ...signed, requestId: deps.ids.next("req") };
    const principal = { accountId: term.id, kind: "provider" as const, keyId: term.key.keyId };
    await expect(amendHopAnswer(dying, principal, hopId, answer, "wrong trunk", ctx)).rejects.toThrow("the process died here");
    const evidence = (await deps.tracebacks.getHop(tbId, 1, true))!.value.amendmentEvidence![0]!;
    const claim = decodeReceiptClaims(evidence.receipt)!.log!;
    expect(await store().getEntry(claim.id)).toBeUndefined();

    dies = false;
    for (let retry = 0; retry < 2; retry++) {
      const again = await amendHopAnswer(dying, principal, hopId, answer, "wrong trunk", ctx);
      expect(again).toMatchObject({ replayed: true, receipt: evidence.receipt });
    }
    const logged = (await store().getEntry(claim.id))!;
    expect(Buffer.from(logged.entry).toString()).toBe(Buffer.from(encodeEntry(requestEntry(claim, evidence.receipt))).toString());
    expect((await requestsAbout(tbId)).filter((e) => e.statementId === claim.id)).toHaveLength(1);
  });
});
