/** The responder against the embedded hub over real HTTP: webhooks in, signed answers out. */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memorySource, parseCdrs, type CallRecord } from "../../functions/responder/cdr.js";
import { parseResponderConfig, type TrunkMap } from "../../functions/responder/config.js";
import { startResponder, type HopHandled, type LogEntry, type Responder } from "../../functions/responder/responder.js";
import { CALL, startTestHub, type Party, type TestHub } from "../support/hub.js";

const AT = new Date("2024-06-03T16:00:00Z");

/** A port nothing listens on now, so two runs of a responder can be given the same one. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
const record = (ingressTrunk: string, over: Partial<CallRecord> = {}): CallRecord => ({
  startTime: new Date(AT.getTime() + 1500),
  calling: "+13055550123",
  called: "+12025550143",
  ingressTrunk,
  sipCallId: `${ingressTrunk.toLowerCase()}@switch.example`,
  ...over,
});

describe("the auto-responder on the embedded hub", () => {
  let t: TestHub;
  const responders: Responder[] = [];
  const handled: HopHandled[] = [];
  const logs: LogEntry[] = [];

  const runResponder = async (party: Party, trunks: TrunkMap, records: CallRecord[], register = true) => {
    const config = parseResponderConfig({
      hubUrl: t.url,
      keyFile: "unused.jwk.json",
      webhook: { port: 0, ...(register ? { register: {} } : { secrets: ["whsec_dW51c2Vk"] }) },
      matchWindowSeconds: 60,
      trunks,
      sweepIntervalSeconds: 0,
    });
    const r = await startResponder(config, { key: party.key, source: memorySource(records), log: (e) => logs.push(e), onHandled: (h) => handled.push(h) });
    responders.push(r);
    return r;
  };

  const waitForOutcome = async (initiator: Party, tracebackId: string, timeoutMs = 15_000) => {
    const start = Date.now();
    for (;;) {
      const chain = await initiator.api.get(`/v1/tracebacks/${tracebackId}`);
      if (chain.body.traceback.status === "completed") return chain.body;
      if (Date.now() - start > timeoutMs) throw new Error(`traceback ${tracebackId} still ${chain.body.traceback.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000 });
  });

  /** A responder that registers its own endpoint, on a given port, keeping its state in a file. */
  const registeringResponder = async (party: Party, trunks: TrunkMap, records: CallRecord[], port: number, stateFile: string) => {
    const config = parseResponderConfig({
      hubUrl: t.url,
      keyFile: "unused.jwk.json",
      webhook: { port, register: {} },
      stateFile,
      matchWindowSeconds: 60,
      trunks,
      sweepIntervalSeconds: 0,
    });
    const r = await startResponder(config, { key: party.key, source: memorySource(records), log: (e) => logs.push(e), onHandled: (h) => handled.push(h) });
    responders.push(r);
    return r;
  };
  const endpointsOf = async (party: Party) => {
    const page = await party.api.get("/v1/webhook-endpoints?limit=100");
    return (page.body.items as Array<{ id: string; url: string; status: string }>)
      .map((e) => ({ id: e.id, url: e.url, status: e.status }))
      .sort((a, b) => a.id.localeCompare(b.id));
  };
  /** A new traceback whose first hop names `party`, answered by its responder through a webhook. */
  const answeredThroughWebhook = async (party: Party) => {
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: party.id });
    const hopId = created.body.hops[0].id as string;
    for (let i = 0; i < 400 && !handled.some((h) => h.hopId === hopId && h.outcome === "answered"); i++) await new Promise((r) => setTimeout(r, 25));
    return handled.find((h) => h.hopId === hopId && h.outcome === "answered")?.via;
  };

  afterAll(async () => {
    await Promise.all(responders.map((r) => r.stop()));
    await t?.stop();
  });

  it("answers every hop of a chain automatically, terminating provider first, then each upstream named", async () => {
    const terminating = await t.registerProvider("Auto Terminating");
    const transit = await t.registerProvider("Auto Transit");
    const origin = await t.registerProvider("Auto Origin");
    const initiator = await t.registerInitiator("State AG");
    await runResponder(terminating, { "IN-FROM-TRANSIT": { upstream: { providerId: transit.id } } }, [record("IN-FROM-TRANSIT")]);
    await runResponder(transit, { "IN-FROM-ORIGIN": { upstream: { providerId: origin.id } } }, [
      record("IN-FROM-ORIGIN"),
      record("OTHER", { called: "+12025550199" }),
    ]);
    await runResponder(origin, { "CUST-77": { customer: { name: "Dialer LLC", accountReference: "77" }, actionTaken: "suspended" } }, [record("CUST-77")]);

    const created = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    expect(created.status).toBe(201);
    const chain = await waitForOutcome(initiator, created.body.traceback.id);

    expect(chain.traceback.result.outcome).toBe("originator_found");
    expect(chain.traceback.path).toEqual([terminating.id, transit.id, origin.id]);
    expect(chain.hops.map((h: { answer: { type: string } }) => h.answer.type)).toEqual(["upstream_identified", "upstream_identified", "originator_identified"]);
    expect(chain.hops[0].answer.evidence).toEqual({
      ingressTrunk: "IN-FROM-TRANSIT",
      callTimeSeen: "2024-06-03T16:00:01.500Z",
      sipCallId: "in-from-transit@switch.example",
    });
    expect(chain.hops[2].answer.customer).toEqual({ name: "Dialer LLC", accountReference: "77" });
    expect(chain.hops.map((h: { answeredBy: { accountId: string } }) => h.answeredBy.accountId)).toEqual([terminating.id, transit.id, origin.id]);
    // The responder notes a hop as handled once the hub's answer reaches it, which can be just
    // after the chain already reads complete.
    const mine = () => handled.filter((h) => h.tracebackId === created.body.traceback.id && h.outcome === "answered");
    for (let i = 0; i < 100 && mine().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mine().map((h) => h.via)).toEqual(["webhook", "webhook", "webhook"]);
  });

  it("does not answer twice when the same hop request is handled again", async () => {
    const terminating = await t.registerProvider("Twice Terminating");
    const upstream = await t.registerProvider("Twice Upstream");
    const r = await runResponder(terminating, { IN: { upstream: { providerId: upstream.id } } }, [record("IN")], false);
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const hopId = created.body.hops[0].id;
    const [a, b] = await Promise.all([r.handleHop(hopId), r.handleHop(hopId)]);
    expect(a).toBe(b);
    expect(a.outcome).toBe("answered");
    expect((await r.handleHop(hopId)).outcome).toBe("not_open");
    const chain = await t.consortium.api.get(`/v1/tracebacks/${created.body.traceback.id}`);
    expect(chain.body.hops).toHaveLength(2);
    expect(chain.body.hops[0].answer.upstream).toEqual({ providerId: upstream.id });
  });

  it.each([
    ["an international number the switch wrote with 011", "+44 20 7946 0958", "011442079460958"],
    ["a spoofed number no plan can assign", "1234567890", "+1 123 456 7890"],
    ["a withheld number, written differently", "Restricted", "anonymous"],
    ["a number that is not one", "V1AGRA DEALS", "v1agra  deals"],
  ])("finds the call in its CDRs for %s (hub %j, CDR %j)", async (_what, given, inCdr) => {
    const terminating = await t.registerProvider(`CDR Match ${given}`);
    const upstream = await t.registerProvider(`CDR Match Upstream ${given}`);
    const csv = ["start,ani,dnis,in", `2024-06-03T16:00:01Z,${inCdr},2025550143,IN-UP`, "2024-06-03T16:00:01Z,3055550123,2025550143,IN-OTHER"].join("\n");
    const { records, skipped } = await parseCdrs(csv, {
      format: "csv",
      columns: { startTime: "start", calling: "ani", called: "dnis", ingressTrunk: "in" },
      timeFormat: "iso",
    });
    expect(skipped).toEqual([]);
    const r = await runResponder(terminating, { "IN-UP": { upstream: { providerId: upstream.id } } }, records, false);
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, callingNumber: given, terminatingProviderId: terminating.id });
    expect(created.status).toBe(201);
    const handledHop = await r.handleHop(created.body.hops[0].id);
    expect(handledHop).toMatchObject({ outcome: "answered", answerType: "upstream_identified" });
    const chain = await t.consortium.api.get(`/v1/tracebacks/${created.body.traceback.id}`);
    expect(chain.body.hops[0].answer).toMatchObject({ upstream: { providerId: upstream.id }, evidence: { ingressTrunk: "IN-UP" } });
  });

  it("answers no_record with the window searched when the call is not in the records", async () => {
    const terminating = await t.registerProvider("Empty Records Co");
    await runResponder(terminating, {}, [record("IN", { calling: "+13055550199" })]);
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const chain = await waitForOutcome(t.consortium, created.body.traceback.id);
    expect(chain.traceback.result.outcome).toBe("no_record");
    expect(chain.hops[0].answer).toEqual({ type: "no_record", windowSearched: { from: "2024-06-03T15:59:00.000Z", to: "2024-06-03T16:01:00.000Z" } });
  });

  it("sets a call aside for a person when the records disagree, and leaves the hop open for that person", async () => {
    const terminating = await t.registerProvider("Ambiguous Co");
    const a = await t.registerProvider("Ambiguous Upstream A");
    const b = await t.registerProvider("Ambiguous Upstream B");
    const r = await runResponder(terminating, { A: { upstream: { providerId: a.id } }, B: { upstream: { providerId: b.id } } }, [record("A"), record("B")]);
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const hopId = created.body.hops[0].id;
    const start = Date.now();
    while (!r.needsPerson.has(hopId) && Date.now() - start < 10_000) await new Promise((res) => setTimeout(res, 25));
    expect(r.needsPerson.get(hopId)).toMatch(/different parties/);
    expect((await terminating.api.get(`/v1/hop-requests/${hopId}`)).body.status).toBe("open");
    expect(logs.some((l) => l.level === "warn" && l.hopId === hopId)).toBe(true);
    // The person decides, through the same API.
    const byHand = await terminating.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: b.id },
      evidence: { ingressTrunk: "B" },
    });
    expect(byHand.status).toBe(200);
    expect((await r.handleHop(hopId)).outcome).toBe("not_open");
    expect(r.needsPerson.has(hopId)).toBe(false);
  });

  it("answers what is open when webhooks were missed, through sweepOpen", async () => {
    const terminating = await t.registerProvider("Missed Webhooks Co");
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
    const r = await runResponder(terminating, { IN: { foreign: { name: "Overseas Ltd", country: "GB" } } }, [record("IN")], false);
    const swept = await r.sweepOpen();
    expect(swept.map((h) => [h.hopId, h.outcome, h.via])).toEqual([[created.body.hops[0].id, "answered", "sweep"]]);
    const chain = await t.consortium.api.get(`/v1/tracebacks/${created.body.traceback.id}`);
    expect(chain.body.traceback.result.outcome).toBe("point_of_entry_found");
    expect(await r.sweepOpen()).toEqual([]);
  });

  it("keeps one endpoint across restarts: the same one with the secret it kept, re-enabled when off, duplicates of earlier runs disabled", async () => {
    const p = await t.registerProvider("Restarting Responder Co");
    const upstream = await t.registerProvider("Restarting Upstream");
    const trunks: TrunkMap = { IN: { upstream: { providerId: upstream.id } } };
    const dir = await mkdtemp(join(tmpdir(), "responder-state-"));
    const stateFile = join(dir, "responder.state.json");
    try {
      const port = await freePort();
      const first = await registeringResponder(p, trunks, [record("IN")], port, stateFile);
      const url = first.url;
      expect(await endpointsOf(p)).toEqual([{ id: first.endpointId, url, status: "active" }]);
      expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
      const kept = JSON.parse(await readFile(stateFile, "utf8"));
      expect(kept).toEqual({ version: 1, endpoint: { id: first.endpointId, url, secret: expect.stringMatching(/^whsec_/) } });
      await first.stop();

      // A plain restart: the same endpoint and the secret from the state file, nothing new at the hub.
      const second = await registeringResponder(p, trunks, [record("IN")], port, stateFile);
      expect(second.endpointId).toBe(first.endpointId);
      expect(JSON.parse(await readFile(stateFile, "utf8"))).toEqual(kept);
      expect(await endpointsOf(p)).toEqual([{ id: first.endpointId, url, status: "active" }]);
      expect(await answeredThroughWebhook(p)).toBe("webhook");
      await second.stop();

      // Meanwhile the endpoint was switched off, another run registered a duplicate at the same URL,
      // and the state file was damaged: the oldest endpoint is taken back with a new secret.
      expect((await p.api.post(`/v1/webhook-endpoints/${first.endpointId}/disable`, {})).status).toBe(200);
      const duplicate = await p.api.post("/v1/webhook-endpoints", {
        url,
        eventTypes: ["hop_request.created", "hop_request.reminder", "hop_request.overdue"],
        includeHopRequest: true,
      });
      expect(duplicate.status).toBe(201);
      await writeFile(stateFile, "{ not json");
      const third = await registeringResponder(p, trunks, [record("IN")], port, stateFile);
      expect(third.endpointId).toBe(first.endpointId);
      expect(await endpointsOf(p)).toEqual(
        [
          { id: first.endpointId, url, status: "active" },
          { id: duplicate.body.endpoint.id, url, status: "disabled" },
        ].sort((a, b) => a.id!.localeCompare(b.id!)),
      );
      const rotated = JSON.parse(await readFile(stateFile, "utf8"));
      expect(rotated.endpoint.id).toBe(first.endpointId);
      expect(rotated.endpoint.secret).not.toBe(kept.endpoint.secret);
      expect(logs.some((l) => l.msg === "state file ignored; the endpoint's secret will be rotated")).toBe(true);
      expect(await answeredThroughWebhook(p)).toBe("webhook");
      await third.stop();

      // Moved to another port: a new endpoint there, and the one the last run used is switched off.
      const moved = await registeringResponder(p, trunks, [record("IN")], await freePort(), stateFile);
      expect(moved.endpointId).not.toBe(first.endpointId);
      const after = await endpointsOf(p);
      expect(after.filter((e) => e.status === "active")).toEqual([{ id: moved.endpointId, url: moved.url, status: "active" }]);
      expect(after.find((e) => e.id === first.endpointId)?.status).toBe("disabled");
      expect(await answeredThroughWebhook(p)).toBe("webhook");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers from the hop request its webhook carries: one request to the hub per hop, no read; an endpoint of an earlier version at its URL is replaced", async () => {
    const p = await t.registerProvider("One Request Responder Co");
    const upstream = await t.registerProvider("One Request Upstream");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hoptrace`;
    const earlier = await p.api.post("/v1/webhook-endpoints", { url, eventTypes: ["hop_request.created", "hop_request.reminder", "hop_request.overdue"] });
    expect(earlier.status).toBe(201);
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      const req = new Request(input, init);
      requests.push(`${req.method} ${new URL(req.url).pathname}`);
      return fetch(req);
    };
    const config = parseResponderConfig({
      hubUrl: t.url,
      keyFile: "unused.jwk.json",
      webhook: { port, register: {} },
      matchWindowSeconds: 60,
      trunks: { IN: { upstream: { providerId: upstream.id } } },
      sweepIntervalSeconds: 0,
    });
    const r = await startResponder(config, { key: p.key, source: memorySource([record("IN")]), fetch: counting, onHandled: (h) => handled.push(h) });
    responders.push(r);
    expect(r.endpointId).not.toBe(earlier.body.endpoint.id);
    const own = await p.api.get(`/v1/webhook-endpoints/${r.endpointId}`);
    expect(own.body).toMatchObject({ url, includeHopRequest: true, status: "active" });
    expect((await p.api.get(`/v1/webhook-endpoints/${earlier.body.endpoint.id}`)).body.status).toBe("disabled");

    requests.length = 0;
    const created = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
    const hopId = created.body.hops[0].id as string;
    for (let i = 0; i < 400 && !handled.some((h) => h.hopId === hopId); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(handled.find((h) => h.hopId === hopId)).toMatchObject({ via: "webhook", outcome: "answered", answerType: "upstream_identified" });
    expect(requests).toEqual([`POST /v1/hop-requests/${hopId}/answer`]);
    const hop = await p.api.get(`/v1/hop-requests/${hopId}`);
    expect(hop.body).toMatchObject({ status: "answered", answer: { upstream: { providerId: upstream.id } } });
  });

  it("answers from the CDR file the switch writes (semicolons, quotes, a byte order mark), and leaves no_record to a person while a row near the call is unreadable", async () => {
    const p = await t.registerProvider("CDR File Co");
    const upstream = await t.registerProvider("CDR File Upstream");
    const dir = await mkdtemp(join(tmpdir(), "responder-cdr-"));
    try {
      const path = join(dir, "calls.csv");
      await writeFile(path, '\uFEFF"Start";"A-Number";"B-Number";"Trunk In"\r\n2024-06-03 16:00:01;"+1 (305) 555-0123";2025550143;"IN;7"\r\n');
      const config = parseResponderConfig({
        hubUrl: t.url,
        keyFile: "unused.jwk.json",
        webhook: { port: 0, secrets: ["whsec_dW51c2Vk"] },
        cdr: { format: "csv", path, delimiter: ";", columns: { startTime: "Start", calling: "A-Number", called: "B-Number", ingressTrunk: "Trunk In" } },
        matchWindowSeconds: 60,
        trunks: { "IN;7": { upstream: { providerId: upstream.id } } },
        sweepIntervalSeconds: 0,
      });
      const r = await startResponder(config, { key: p.key, log: (e) => logs.push(e) });
      responders.push(r);
      const first = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: p.id });
      expect(await r.handleHop(first.body.hops[0].id)).toMatchObject({ outcome: "answered", answerType: "upstream_identified" });
      const chain = await t.consortium.api.get(`/v1/tracebacks/${first.body.traceback.id}`);
      expect(chain.body.hops[0].answer).toMatchObject({
        upstream: { providerId: upstream.id },
        evidence: { ingressTrunk: "IN;7", callTimeSeen: "2024-06-03T16:00:01.000Z" },
      });

      // Another call, whose only row near its time is broken: not "no record", a person's call.
      await writeFile(path, '2024-06-03 16:00:01;"+1 (305) 555-0124;2025550143;IN\r\n', { flag: "a" });
      const second = await t.consortium.api.post("/v1/tracebacks", { ...CALL, callingNumber: "+13055550124", terminatingProviderId: p.id });
      const handledHop = await r.handleHop(second.body.hops[0].id);
      expect(handledHop.outcome).toBe("needs_person");
      expect(handledHop.reason).toMatch(/unreadable row/);
      expect((await p.api.get(`/v1/hop-requests/${second.body.hops[0].id}`)).body.status).toBe("open");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses webhooks that fail the Standard Webhooks check, and acts on none of them", async () => {
    const p = await t.registerProvider("Forged Webhooks Co");
    const r = await runResponder(p, {}, [], false);
    const before = handled.length;
    const body = JSON.stringify({
      id: "evt_x",
      version: 2,
      type: "hop_request.created",
      createdAt: new Date().toISOString(),
      recipientId: p.id,
      data: { hopId: "hop_x_1", path: "/v1/hop-requests/hop_x_1" },
    });
    const now = String(Math.floor(Date.now() / 1000));
    const forged = await fetch(r.url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "webhook-id": "evt_x", "webhook-timestamp": now, "webhook-signature": "v1,AAAA" },
    });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(r.url, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(unsigned.status).toBe(401);
    expect((await fetch(r.url)).status).toBe(405);
    expect((await fetch(r.url.replace("/hoptrace", "/elsewhere"), { method: "POST", body })).status).toBe(404);
    expect(handled.length).toBe(before);
    expect(logs.filter((l) => l.msg === "webhook refused").map((l) => l.reason)).toEqual(expect.arrayContaining(["invalid_signature", "missing_header"]));
  });
});
