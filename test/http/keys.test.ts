/**
 * Signing keys through the API: weak keys are refused, a key is registered only with its holder's
 * proof for the account it joins, an account holds at most 10 active keys, and a key never moves
 * to another account.
 */
import { createPublicKey } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { numberToBytesLE } from "@noble/curves/utils.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { SIGNATURE_TAG, messageFromHeaders, signatureBase } from "../../functions/crypto/httpsig.js";
import { verifyKeyProof } from "../../functions/crypto/key-proof.js";
import { jwkThumbprint } from "../../functions/crypto/keys.js";
import { keyProof, newAccountId } from "../../openapi/client/registration.js";
import { newKey, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { IDENTITY_X, weakKeys } from "../support/weak-keys.js";
import { PROBLEM, send, type RawResponse } from "./raw.js";

let t: FakeHub;
let provider: Party;

beforeAll(async () => {
  t = await startFakeHub({ mode: "local" });
  provider = await t.registerProvider("Key Carrier");
});
afterAll(async () => {
  await t?.stop();
});

const contact = { name: "NOC", email: "noc@keys.example" };
/** Well-formed but made by no key: weak keys are refused before their proof is even read. */
const SOME_PROOF = "A".repeat(86);
let frn = 7_700_000;
const nextFrn = () => String(frn++).padStart(10, "0");

function expectProblem(res: RawResponse | { status: number; headers: Headers; body: any }, status: number, code: string, pointer?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.body).toMatchObject({ status, code, type: `urn:hoptrace:problem:${code}` });
  if (pointer !== undefined) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
}

async function activeKeyIds(accountId: string): Promise<string[]> {
  const res = await t.consortium.api.get(`/v1/accounts/${accountId}/keys?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.filter((k: { status: string }) => k.status === "active").map((k: { keyId: string }) => k.keyId);
}

async function providerRegistered(name: string): Promise<boolean> {
  const res = await t.consortium.api.get("/v1/providers?limit=100");
  return res.body.items.some((a: { name: string }) => a.name === name);
}

describe("weak keys are refused at registration with 422 weak_key", () => {
  it("on POST /v1/accounts/{id}/keys: the 8 small-order points, non-canonical encodings and mixed-order points", async () => {
    const strong = await newKey();
    const weak = weakKeys(strong.publicJwk.x);
    expect(weak.length).toBeGreaterThan(25);
    for (const { name, x } of weak) {
      const res = await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: { kty: "OKP", crv: "Ed25519", x }, proof: SOME_PROOF });
      expectProblem(res, 422, "weak_key", "/publicJwk/x");
      expect(res.body.detail, name).toMatch(/small order|non-canonical|prime-order subgroup/);
    }
    expect(await activeKeyIds(provider.id)).toEqual([provider.key.keyId]);
  });

  it("in the key list of POST /v1/providers and POST /v1/initiators, writing nothing", async () => {
    const strong = await newKey();
    for (const { x } of weakKeys(strong.publicJwk.x).slice(0, 12)) {
      const id = newAccountId();
      const keys = [strong.registration(id), { publicJwk: { kty: "OKP", crv: "Ed25519", x }, proof: SOME_PROOF }];
      expectProblem(
        await t.consortium.api.post("/v1/providers", { id, name: "Weak Carrier", frn: "0077007700", contact, keys }),
        422,
        "weak_key",
        "/keys/1/publicJwk/x",
      );
      expectProblem(await t.consortium.api.post("/v1/initiators", { id, name: "Weak AG", contact, keys }), 422, "weak_key", "/keys/1/publicJwk/x");
    }
    expect(await providerRegistered("Weak Carrier")).toBe(false);
    // The strong key and the FRN are still free.
    const id = newAccountId();
    expect(
      (await t.consortium.api.post("/v1/providers", { id, name: "Weak Carrier", frn: "0077007700", contact, keys: [strong.registration(id)] })).status,
    ).toBe(201);
  });
});

describe("a forgery with the identity key", () => {
  /** R = B and S = 1: with the identity as public key, [S]B = R + [k]A holds for every message. */
  function forgedHeaders(keyid: string, method: string, url: string, fields: Record<string, string> = {}): Headers {
    const created = Math.floor(Date.now() / 1000);
    const components = ["@method", "@target-uri", ...Object.keys(fields)];
    const base = signatureBase(
      components,
      { created, expires: created + 60, keyid, alg: "ed25519", tag: SIGNATURE_TAG },
      messageFromHeaders({ method, targetUri: url, headers: fields }),
    );
    const signatureParams = base.slice(base.lastIndexOf('"@signature-params": ') + '"@signature-params": '.length);
    const signature = Buffer.concat([ed25519.Point.BASE.toBytes(), numberToBytesLE(1n, 32)]).toString("base64");
    return new Headers({ ...fields, "signature-input": `sig1=${signatureParams}`, signature: `sig1=:${signature}:` });
  }

  it("cannot register the key, and a key stored before keys were checked signs nothing", async () => {
    const identity = { kty: "OKP" as const, crv: "Ed25519" as const, x: IDENTITY_X };
    expectProblem(await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: identity, proof: SOME_PROOF }), 422, "weak_key", "/publicJwk/x");
    const id = newAccountId();
    expectProblem(
      await t.consortium.api.post("/v1/providers", {
        id,
        name: "Identity Carrier",
        frn: nextFrn(),
        contact,
        keys: [{ publicJwk: identity, proof: SOME_PROOF }],
      }),
      422,
      "weak_key",
      "/keys/0/publicJwk/x",
    );

    // As if written by a release without these checks: straight into the store.
    const keyId = await jwkThumbprint(identity);
    await t.deps.accounts.addKey(
      {
        keyId,
        accountId: provider.id,
        accountKind: "provider",
        publicJwk: identity,
        status: "active",
        createdAt: new Date().toISOString(),
        createdBy: "acc_consortium",
      },
      10,
    );
    const url = `${t.url}/v1/hop-requests`;
    const forged = await send(url, { method: "GET", headers: forgedHeaders(keyId, "GET", url) }, t.fetch);
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: "unauthenticated", reason: "weak_key" });

    // A streamed upload looks the key up on its own path, and refuses it the same way.
    const upload = `${t.url}/v1/rmd/imports`;
    const csv = "a,b\n";
    const fields = { "content-type": "text/csv", "content-digest": contentDigest(csv), "idempotency-key": "weak-upload-1" };
    const uploaded = await send(upload, { method: "POST", headers: forgedHeaders(keyId, "POST", upload, fields), body: csv }, t.fetch);
    expect(uploaded.status).toBe(401);
    expect(uploaded.body).toMatchObject({ code: "unauthenticated", reason: "weak_key" });
  });
});

describe("proof of possession", () => {
  it("a key without a proof is refused", async () => {
    const k = await newKey();
    expectProblem(await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: k.publicJwk }), 422, "validation_failed", "/proof");
    const id = newAccountId();
    expectProblem(
      await t.consortium.api.post("/v1/providers", { id, name: "Proofless", frn: nextFrn(), contact, keys: [{ publicJwk: k.publicJwk }] }),
      422,
      "validation_failed",
      "/keys/0/proof",
    );
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
  });

  it("a proof made for another account is refused", async () => {
    const k = await newKey();
    const res = await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: k.publicJwk, proof: keyProof(k.key, newAccountId()) });
    expectProblem(res, 422, "invalid_key_proof", "/proof");
    expect(res.body.detail).toContain(JSON.stringify(`hoptrace-key-proof-v1\n${provider.id}\n${k.key.keyId}`));
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
  });

  it("a proof made by another key, or over another key, is refused", async () => {
    const [k, other] = await Promise.all([newKey(), newKey()]);
    // Signed by the other key over a statement naming this key.
    const byOther = keyProof({ privateKey: other.key.privateKey, keyId: k.key.keyId }, provider.id);
    expectProblem(await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: k.publicJwk, proof: byOther }), 422, "invalid_key_proof", "/proof");
    // The other key's own valid proof, attached to this key.
    expectProblem(
      await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: k.publicJwk, proof: keyProof(other.key, provider.id) }),
      422,
      "invalid_key_proof",
      "/proof",
    );
    // Garbage of the right shape.
    expectProblem(
      await provider.api.post(`/v1/accounts/${provider.id}/keys`, { publicJwk: k.publicJwk, proof: SOME_PROOF }),
      422,
      "invalid_key_proof",
      "/proof",
    );
    expect(await activeKeyIds(provider.id)).not.toContain(k.key.keyId);
  });

  it("a provider cannot squat a newcomer's key, even with the newcomer's own proof", async () => {
    const newcomer = await newKey();
    const newcomerId = newAccountId();
    const newcomerKey = newcomer.registration(newcomerId);
    expectProblem(await provider.api.post(`/v1/accounts/${provider.id}/keys`, newcomerKey), 422, "invalid_key_proof", "/proof");
    const squatterId = newAccountId();
    expectProblem(
      await t.consortium.api.post("/v1/providers", { id: squatterId, name: "Squatter", frn: nextFrn(), contact, keys: [newcomerKey] }),
      422,
      "invalid_key_proof",
      "/keys/0/proof",
    );

    const registered = await t.consortium.api.post("/v1/providers", { id: newcomerId, name: "Newcomer", frn: nextFrn(), contact, keys: [newcomerKey] });
    expect(registered.status).toBe(201);
    expect(registered.body.account.id).toBe(newcomerId);
    expect(registered.body.keys[0]).toMatchObject({ keyId: newcomer.key.keyId, accountId: newcomerId, proof: newcomerKey.proof });
    // The stored proof lets anyone check that the key's holder asked for this account.
    expect(verifyKeyProof(createPublicKey({ key: newcomer.publicJwk, format: "jwk" }), newcomerId, newcomer.key.keyId, registered.body.keys[0].proof)).toBe(
      true,
    );
    expect((await t.apiFor(newcomer.key).get("/v1/hop-requests")).status).toBe(200);
  });

  it("the same proofs work for an account's keys added after its registration", async () => {
    const id = newAccountId();
    const first = await newKey();
    expect((await t.consortium.api.post("/v1/initiators", { id, name: "Later Keys AG", contact })).status).toBe(201);
    const added = await t.consortium.api.post(`/v1/accounts/${id}/keys`, first.registration(id, "first"));
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ keyId: first.key.keyId, accountId: id, accountKind: "initiator", label: "first", createdBy: t.consortium.id });
    expect((await t.apiFor(first.key).get("/v1/tracebacks")).status).toBe(200);
  });
});

describe("client-chosen account ids", () => {
  it("keys at registration need the id their proofs name", async () => {
    const k = await newKey();
    const res = await t.consortium.api.post("/v1/providers", { name: "No Id", frn: nextFrn(), contact, keys: [k.registration(newAccountId())] });
    expectProblem(res, 422, "account_id_required", "/id");
    expect(await providerRegistered("No Id")).toBe(false);
    // Without keys the hub still chooses the id.
    const keyless = await t.consortium.api.post("/v1/initiators", { name: "No Id AG", contact });
    expect(keyless.status).toBe(201);
    expect(keyless.body.account.id).toMatch(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("an id that is not acc_ and a ULID is a validation error", async () => {
    for (const id of ["acc_consortium", "acc_01jd5zq7y3s1q0m0c8w2f4t6b9", "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", `acc_${"U".repeat(26)}`, 42]) {
      expectProblem(await t.consortium.api.post("/v1/initiators", { id, name: "Odd Id", contact }), 422, "validation_failed", "/id");
    }
  });

  it("an id that is taken is 409 account_exists, and the holder's FRN stays its own", async () => {
    const id = newAccountId();
    const holderFrn = nextFrn();
    expect((await t.consortium.api.post("/v1/providers", { id, name: "Id Holder", frn: holderFrn, contact })).status).toBe(201);
    const k = await newKey();
    // Same id, same FRN: the FRN claim already names this id, and must survive the refusal.
    expectProblem(
      await t.consortium.api.post("/v1/providers", { id, name: "Id Taker", frn: holderFrn, contact, keys: [k.registration(id)] }),
      409,
      "account_exists",
    );
    expectProblem(await t.consortium.api.post("/v1/providers", { id: newAccountId(), name: "FRN Taker", frn: holderFrn, contact }), 409, "already_registered");
    // Same id, another FRN: refused, and that FRN is free again.
    const otherFrn = nextFrn();
    expectProblem(await t.consortium.api.post("/v1/providers", { id, name: "Id Taker", frn: otherFrn, contact }), 409, "account_exists");
    expect((await t.consortium.api.post("/v1/providers", { id: newAccountId(), name: "Other FRN", frn: otherFrn, contact })).status).toBe(201);
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
    const read = await t.consortium.api.get(`/v1/providers/${id}`);
    expect(read.body).toMatchObject({ id, name: "Id Holder", frn: holderFrn });
    expect(read.body).not.toHaveProperty("activeKeys");
  });
});

describe("at most 10 active keys, and a key belongs to one account for good", () => {
  it("the 11th active key is 409 too_many_keys; revoking one makes room", async () => {
    const p = await t.registerProvider("Ten Keys");
    const added: string[] = [];
    for (let i = 0; i < 9; i++) {
      const k = await newKey();
      const res = await p.api.post(`/v1/accounts/${p.id}/keys`, k.registration(p.id));
      expect(res.status).toBe(201);
      added.push(k.key.keyId);
    }
    expect(await activeKeyIds(p.id)).toHaveLength(10);
    const eleventh = await newKey();
    expectProblem(await p.api.post(`/v1/accounts/${p.id}/keys`, eleventh.registration(p.id)), 409, "too_many_keys");
    expectProblem(await t.consortium.api.post(`/v1/accounts/${p.id}/keys`, eleventh.registration(p.id)), 409, "too_many_keys");
    expect((await t.apiFor(eleventh.key).get("/v1/hop-requests")).status).toBe(401);

    expect((await p.api.post(`/v1/accounts/${p.id}/keys/${added[0]}/revoke`, {})).status).toBe(200);
    expect((await p.api.post(`/v1/accounts/${p.id}/keys`, eleventh.registration(p.id))).status).toBe(201);
    expect(await activeKeyIds(p.id)).toHaveLength(10);
    expect((await t.apiFor(eleventh.key).get("/v1/hop-requests")).status).toBe(200);
  });

  it("concurrent additions cannot pass the cap", async () => {
    const p = await t.registerProvider("Racing Keys");
    const candidates = await Promise.all(Array.from({ length: 14 }, () => newKey()));
    const results = await Promise.all(candidates.map((k) => p.api.post(`/v1/accounts/${p.id}/keys`, k.registration(p.id))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(9);
    for (const r of results.filter((x) => x.status !== 201)) expectProblem(r, 409, "too_many_keys");
    expect(await activeKeyIds(p.id)).toHaveLength(10);
  });

  it("a key registered to one account cannot be registered to another, even revoked, even by its holder", async () => {
    const p = await t.registerProvider("Key Owner");
    const k = await newKey();
    expect((await p.api.post(`/v1/accounts/${p.id}/keys`, k.registration(p.id))).status).toBe(201);
    expectProblem(await p.api.post(`/v1/accounts/${p.id}/keys`, k.registration(p.id)), 409, "key_exists");
    const elsewhere = newAccountId();
    expectProblem(
      await t.consortium.api.post("/v1/providers", { id: elsewhere, name: "Key Mover", frn: nextFrn(), contact, keys: [k.registration(elsewhere)] }),
      409,
      "key_exists",
    );

    expect((await p.api.post(`/v1/accounts/${p.id}/keys/${k.key.keyId}/revoke`, {})).status).toBe(200);
    expectProblem(await p.api.post(`/v1/accounts/${p.id}/keys`, k.registration(p.id)), 409, "key_exists");
    expectProblem(
      await t.consortium.api.post("/v1/providers", { id: elsewhere, name: "Key Mover", frn: nextFrn(), contact, keys: [k.registration(elsewhere)] }),
      409,
      "key_exists",
    );
    expectProblem(await provider.api.post(`/v1/accounts/${provider.id}/keys`, k.registration(provider.id)), 409, "key_exists");
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
    // Refusals took no slot: the account can still fill up to ten.
    expect(await activeKeyIds(p.id)).toEqual([p.key.keyId]);
  });
});
