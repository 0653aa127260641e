import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccountId } from "../../openapi/client/registration.js";
import { CALL, newKey, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { PROBLEM } from "./raw.js";

let t: FakeHub;
let alpha: Party;
let beta: Party;
let ag: Party;
let fcc: Party;
let agTraceback: string;
let alphaHop: string;

beforeAll(async () => {
  t = await startFakeHub({ env: { LOG_LEVEL: "ERROR" } });
  alpha = await t.registerProvider("Alpha Telecom");
  beta = await t.registerProvider("Beta Transit");
  ag = await t.registerInitiator("State AG");
  fcc = await t.registerInitiator("FCC EB");
  const created = await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id });
  expect(created.status).toBe(201);
  agTraceback = created.body.traceback.id;
  alphaHop = created.body.hops[0].id;
});
afterAll(async () => {
  await t?.stop();
});

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.body.code).toBe(code);
}

describe("hop requests belong to the provider they are addressed to", () => {
  it("the addressee reads its hop request", async () => {
    const res = await alpha.api.get(`/v1/hop-requests/${alphaHop}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alphaHop);
  });

  it("another provider reading it gets 404, the same as for a hop that does not exist", async () => {
    const res = await beta.api.get(`/v1/hop-requests/${alphaHop}`);
    expectProblem(res, 404, "not_found");
    const missing = await beta.api.get(`/v1/hop-requests/${alphaHop.replace(/_1$/, "_7")}`);
    expectProblem(missing, 404, "not_found");
  });

  it("another provider answering it gets 404 and the hop stays open", async () => {
    const res = await beta.api.post(`/v1/hop-requests/${alphaHop}/answer`, { type: "refused", reason: "not mine" });
    expectProblem(res, 404, "not_found");
    const still = await alpha.api.get(`/v1/hop-requests/${alphaHop}`);
    expect(still.body.status).toBe("open");
    expect((await beta.api.get("/v1/hop-requests")).body.items).toHaveLength(0);
  });

  it("an initiator cannot answer a hop request, even of its own traceback", async () => {
    const res = await ag.api.post(`/v1/hop-requests/${alphaHop}/answer`, { type: "refused", reason: "x" });
    expectProblem(res, 404, "not_found");
    expect((await alpha.api.get(`/v1/hop-requests/${alphaHop}`)).body.status).toBe("open");
  });

  it("the consortium may read any hop request but not answer it", async () => {
    expect((await t.consortium.api.get(`/v1/hop-requests/${alphaHop}`)).status).toBe(200);
    const res = await t.consortium.api.post(`/v1/hop-requests/${alphaHop}/answer`, { type: "refused", reason: "x" });
    expectProblem(res, 404, "not_found");
  });

  it("initiators have no hop request inbox", async () => {
    expectProblem(await ag.api.get("/v1/hop-requests"), 403, "forbidden");
  });
});

describe("tracebacks belong to their initiator", () => {
  it("a provider cannot list, read or start tracebacks", async () => {
    expectProblem(await alpha.api.get("/v1/tracebacks"), 403, "forbidden");
    expectProblem(await alpha.api.get(`/v1/tracebacks/${agTraceback}`), 404, "not_found");
    expectProblem(await alpha.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: beta.id }), 403, "forbidden");
  });

  it("another initiator gets 404 reading or closing it, and sees only its own in the list", async () => {
    expectProblem(await fcc.api.get(`/v1/tracebacks/${agTraceback}`), 404, "not_found");
    expectProblem(await fcc.api.post(`/v1/tracebacks/${agTraceback}/close`, { reason: "not yours" }), 404, "not_found");
    const own = await fcc.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: beta.id });
    expect(own.status).toBe(201);
    const fccList = await fcc.api.get("/v1/tracebacks");
    expect(fccList.body.items.map((x: { id: string }) => x.id)).toEqual([own.body.traceback.id]);
    // Asking for another initiator's list by query parameter changes nothing for an initiator.
    const sneaky = await fcc.api.get(`/v1/tracebacks?initiatorId=${ag.id}`);
    expect(sneaky.body.items.map((x: { id: string }) => x.id)).toEqual([own.body.traceback.id]);
    const agList = await ag.api.get("/v1/tracebacks");
    expect(agList.body.items.map((x: { id: string }) => x.id)).toEqual([agTraceback]);
    expect((await ag.api.get(`/v1/tracebacks/${agTraceback}`)).body.traceback.status).toBe("open");
  });

  it("an initiator cannot start a traceback in another initiator's name", async () => {
    expectProblem(await fcc.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id, initiatorId: ag.id }), 403, "forbidden");
  });

  it("the consortium reads every traceback and may start one for an initiator", async () => {
    expect((await t.consortium.api.get(`/v1/tracebacks/${agTraceback}`)).status).toBe(200);
    const onBehalf = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id, initiatorId: fcc.id });
    expect(onBehalf.status).toBe(201);
    expect(onBehalf.body.traceback.initiatorId).toBe(fcc.id);
    expect((await fcc.api.get(`/v1/tracebacks/${onBehalf.body.traceback.id}`)).status).toBe(200);
  });
});

describe("the chain shows the members it names", () => {
  it("a member a stored traceback or hop carries beyond them stays out of the chain", async () => {
    const created = await ag.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id });
    const tracebackId: string = created.body.traceback.id;
    // What the store holds for the hub alone, beyond the members the views name.
    const store = t.deps.tracebacks;
    const addPrivate = (item: object | undefined) => Object.assign(item ?? {}, { hubOnly: "kept-inside" });
    addPrivate(store.tracebacks.get(tracebackId)?.value);
    addPrivate([...store.hops.values()].find((h) => h.value.id === created.body.hops[0].id)?.value);
    expect(JSON.stringify((await store.getChain(tracebackId))!)).toContain("kept-inside");

    for (const reader of [ag, t.consortium]) {
      const chain = await reader.api.get(`/v1/tracebacks/${tracebackId}`);
      expect(chain.status).toBe(200);
      expect(chain.body.traceback).toMatchObject({ id: tracebackId, initiatorId: ag.id, call: created.body.traceback.call });
      expect(chain.body.hops[0]).toMatchObject({ id: created.body.hops[0].id, providerId: alpha.id, status: "open" });
      expect(chain.text).not.toContain("hubOnly");
      expect(chain.text).not.toContain("kept-inside");
    }
  });
});

describe("only the consortium registers accounts", () => {
  it.each(["provider", "initiator"] as const)("a %s cannot register providers or initiators", async (who) => {
    const caller = who === "provider" ? alpha : ag;
    const k = await newKey();
    const id = newAccountId();
    const provider = {
      id,
      name: "Rogue",
      frn: who === "provider" ? "0055544433" : "0055544434",
      contact: { name: "x", email: "x@rogue.example" },
      keys: [k.registration(id)],
    };
    expectProblem(await caller.api.post("/v1/providers", provider), 403, "forbidden");
    expectProblem(await caller.api.post("/v1/initiators", { name: "Rogue AG", contact: { name: "x", email: "x@rogue.example" } }), 403, "forbidden");
    // Nothing was written: the key is unknown and the FRN is still free.
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
    const legit = await t.consortium.api.post("/v1/providers", { ...provider, keys: [] });
    expect(legit.status).toBe(201);
  });
});

describe("signing keys", () => {
  it("a provider rotates its own key: adds a new one, then revokes the old one with it", async () => {
    const p = await t.registerProvider("Rotating Co");
    const next = await newKey();
    const added = await p.api.post(`/v1/accounts/${p.id}/keys`, next.registration(p.id, "2026"));
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ keyId: next.key.keyId, accountId: p.id, accountKind: "provider", status: "active", label: "2026", createdBy: p.id });
    const nextApi = t.apiFor(next.key);
    const listed = await nextApi.get(`/v1/accounts/${p.id}/keys`);
    expect(listed.body.items.map((k: { keyId: string }) => k.keyId).sort()).toEqual([p.key.keyId, next.key.keyId].sort());

    const revoked = await nextApi.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ keyId: p.key.keyId, status: "revoked", revokedBy: p.id });
    expect((await p.api.get("/v1/hop-requests")).status).toBe(401);
    expect((await nextApi.get("/v1/hop-requests")).status).toBe(200);
  });

  it("a key cannot revoke itself", async () => {
    const p = await t.registerProvider("Self Revoker");
    expectProblem(await p.api.post(`/v1/accounts/${p.id}/keys/${p.key.keyId}/revoke`, {}), 409, "cannot_revoke_own_key");
    expect((await p.api.get("/v1/hop-requests")).status).toBe(200);
  });

  it("a provider cannot list, add or revoke another account's keys (404)", async () => {
    const k = await newKey();
    expectProblem(await beta.api.get(`/v1/accounts/${alpha.id}/keys`), 404, "not_found");
    expectProblem(await beta.api.post(`/v1/accounts/${alpha.id}/keys`, k.registration(alpha.id)), 404, "not_found");
    expectProblem(await beta.api.post(`/v1/accounts/${alpha.id}/keys/${alpha.key.keyId}/revoke`, {}), 404, "not_found");
    // The foreign key was not added, the victim's key still works.
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
    expect((await alpha.api.get("/v1/hop-requests")).status).toBe(200);
    expectProblem(await ag.api.post(`/v1/accounts/${alpha.id}/keys/${alpha.key.keyId}/revoke`, {}), 404, "not_found");
  });

  it("a provider cannot revoke another account's key through its own account path", async () => {
    const res = await beta.api.post(`/v1/accounts/${beta.id}/keys/${alpha.key.keyId}/revoke`, {});
    expect(res.status).toBe(404);
    expect((await alpha.api.get("/v1/hop-requests")).status).toBe(200);
  });
});
