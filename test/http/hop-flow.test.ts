/**
 * The API over the in-memory ports, asked in process: signed requests with real signatures,
 * problem responses, a traceback followed hop by hop to its originator, who may see and answer
 * what, and paging.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { signRequest } from "../../openapi/client/signing.js";
import { verifyReceipt } from "../../functions/crypto/receipt.js";
import type { ManualClock } from "../support/manual-clock.js";
import { PROBLEM, send, signedPost } from "./raw.js";
import { CALL, EVIDENCE, newKey, startFakeHub, type FakeHub, type Party } from "../fakes/hub.js";

let h: FakeHub;
let term: Party;
let mid: Party;
let other: Party;
let ag: Party;
let otherAg: Party;

beforeAll(async () => {
  h = await startFakeHub();
  [term, mid, other] = await Promise.all([h.registerProvider("Flow Terminating"), h.registerProvider("Flow Middle"), h.registerProvider("Flow Other")]);
  [ag, otherAg] = await Promise.all([h.registerInitiator("Flow AG"), h.registerInitiator("Flow Other AG")]);
});

async function startTraceback(): Promise<{ tbId: string; hopId: string }> {
  const res = await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: term.id });
  expect(res.status).toBe(201);
  return { tbId: res.body.traceback.id, hopId: res.body.hops[0].id };
}

const clock = () => h.deps.clock as ManualClock;
const upstream = (providerId: string) => ({ type: "upstream_identified", upstream: { providerId }, evidence: EVIDENCE });
const originator = { type: "originator_identified", customer: { name: "Robo Dialer LLC" }, actionTaken: "suspended", evidence: EVIDENCE };

describe("a traceback followed hop by hop", () => {
  it("reaches its originator: each provider is asked in turn, answers once, and the initiator reads the whole chain", async () => {
    const { tbId, hopId } = await startTraceback();
    const inbox = await term.api.get("/v1/hop-requests?status=open&limit=100");
    expect(inbox.body.items.map((x: { id: string }) => x.id)).toContain(hopId);

    const first = await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(mid.id));
    expect(first.status).toBe(200);
    // The receipt verifies against the hub's published keys and covers this very response.
    const jwks = (await (await h.fetch(`${h.url}/.well-known/jwks.json`, {})).json()) as { keys: object[] };
    const claims = await verifyReceipt(first.headers.get("hoptrace-receipt")!, jwks);
    expect(claims.res).toEqual({ status: 200, content_digest: contentDigest(first.text) });
    expect((await term.api.get("/v1/hop-requests?status=open&limit=100")).body.items.map((x: { id: string }) => x.id)).not.toContain(hopId);

    const midOpen = await mid.api.get("/v1/hop-requests?status=open&limit=100");
    const next = midOpen.body.items.find((x: { tracebackId: string }) => x.tracebackId === tbId);
    expect(next).toMatchObject({ tracebackId: tbId, status: "open" });
    expect((await mid.api.post(`/v1/hop-requests/${next.id}/answer`, originator)).status).toBe(200);

    const chain = await ag.api.get(`/v1/tracebacks/${tbId}`);
    expect(chain.status).toBe(200);
    expect(chain.body.traceback).toMatchObject({ status: "completed", path: [term.id, mid.id], hopCount: 2, result: { outcome: "originator_found" } });
    expect(chain.body.hops.map((x: { status: string }) => x.status)).toEqual(["answered", "answered"]);

    // Every provider asked was told, through the events feed its endpoints are fed from.
    const events = [...h.deps.webhooks.events.values()].map((e) => e.event);
    expect(events.filter((e) => e.type === "hop_request.created").map((e) => e.recipientId)).toEqual([term.id, mid.id]);
    expect(events.filter((e) => e.type === "traceback.completed").map((e) => e.recipientId)).toContain(ag.id);
  });

  it("a repeat of the same answer under the same Idempotency-Key replays it; another answer is 409", async () => {
    const { tbId, hopId } = await startTraceback();
    const key = randomUUID();
    const a = await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(mid.id), { idempotencyKey: key });
    const b = await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(mid.id), { idempotencyKey: key });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    const c = await term.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(other.id));
    expect(c.status).toBe(409);
    expect(c.body.code).toBe("hop_already_answered");
    expect((await ag.api.get(`/v1/tracebacks/${tbId}`)).body.hops).toHaveLength(2);
  });
});

describe("who may see and answer what", () => {
  it("another provider gets 404 for a hop request not addressed to it, as for one that does not exist, and cannot answer it", async () => {
    const { tbId, hopId } = await startTraceback();
    const read = await other.api.get(`/v1/hop-requests/${hopId}`);
    const missing = await other.api.get(`/v1/hop-requests/${hopId.replace(/_1$/, "_9")}`);
    expect([read.status, missing.status]).toEqual([404, 404]);
    expect(read.body.code).toBe(missing.body.code);
    const answer = await other.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(mid.id));
    expect(answer.status).toBe(404);
    const stored = await h.deps.tracebacks.getHop(tbId, 1);
    expect(stored?.value.status).toBe("open");
  });

  it("an initiator cannot answer a hop request of its own traceback; neither another initiator nor a provider on the path reads the traceback", async () => {
    const { tbId, hopId } = await startTraceback();
    const answer = await ag.api.post(`/v1/hop-requests/${hopId}/answer`, upstream(mid.id));
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe("not_found");
    expect((await otherAg.api.get(`/v1/tracebacks/${tbId}`)).status).toBe(404);
    expect((await term.api.get(`/v1/tracebacks/${tbId}`)).status).toBe(404);
    expect((await h.consortium.api.get(`/v1/tracebacks/${tbId}`)).status).toBe(200);
  });
});

describe("signed requests", () => {
  const url = () => `${h.url}/v1/tracebacks`;

  it("a request whose body was changed after signing is refused with 401 and creates nothing", async () => {
    const before = h.deps.tracebacks.tracebacks.size;
    const body = JSON.stringify({ ...CALL, terminatingProviderId: term.id });
    const headers = signedPost(url(), ag.key, body, { now: h.now });
    const res = await send(url(), { method: "POST", headers, body: body.replace(term.id, other.id) }, h.fetch);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(h.deps.tracebacks.tracebacks.size).toBe(before);
  });

  it("the same signed request a second time is a replay (401); a key the hub does not know is 401", async () => {
    const headers = signRequest(ag.key, { method: "GET", url: url(), headers: new Headers() }, { now: h.now });
    expect((await send(url(), { method: "GET", headers }, h.fetch)).status).toBe(200);
    expect((await send(url(), { method: "GET", headers }, h.fetch)).status).toBe(401);
    const stranger = await newKey();
    const res = await send(
      url(),
      { method: "GET", headers: signRequest(stranger.key, { method: "GET", url: url(), headers: new Headers() }, { now: h.now }) },
      h.fetch,
    );
    expect(res.status).toBe(401);
  });

  it("a signature older than its lifetime is refused once the hub's clock has moved on", async () => {
    const headers = signRequest(ag.key, { method: "GET", url: url(), headers: new Headers() }, { now: h.now, lifetimeSeconds: 60 });
    clock().advance(10 * 60_000);
    expect((await send(url(), { method: "GET", headers }, h.fetch)).status).toBe(401);
  });
});

describe("problem responses", () => {
  it("a body that breaks the schema is 422 problem+json with a stable code and a pointer per field", async () => {
    const res = await ag.api.post("/v1/tracebacks", { callingNumber: CALL.callingNumber, terminatingProviderId: term.id });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(res.body).toMatchObject({ status: 422, code: "validation_failed", request_id: expect.stringMatching(/^req_/) });
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(["/calledNumber", "/callTime"]));
  });

  it("a route that does not exist is 404 not_found, and JSON that does not parse is 400, never a 500", async () => {
    const missing = await ag.api.get("/v1/nowhere");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
    const body = "{not json";
    const headers = signedPost(`${h.url}/v1/tracebacks`, ag.key, body, { now: h.now, headers: { "content-type": "application/json" } });
    const broken = await send(`${h.url}/v1/tracebacks`, { method: "POST", headers, body }, h.fetch);
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("malformed_request");
    expect(h.deps.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});

describe("paging", () => {
  it("lists every traceback of an initiator exactly once, newest first, across pages; another caller's cursor is refused", async () => {
    const pager = await h.registerInitiator("Flow Pager");
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await pager.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: term.id });
      made.push(res.body.traceback.id);
      clock().advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let firstCursor: string | undefined;
    do {
      const res = await pager.api.get(`/v1/tracebacks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      firstCursor ??= cursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    const foreign = await ag.api.get(`/v1/tracebacks?limit=3&cursor=${encodeURIComponent(firstCursor!)}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe("invalid_cursor");
    const garbage = await pager.api.get("/v1/tracebacks?limit=3&cursor=garbage");
    expect(garbage.status).toBe(400);
  });
});
