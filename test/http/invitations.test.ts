/**
 * Invitations and enrolment through the hub's application: the consortium or an account's admin
 * person invites, the invitation e-mail arrives over real SMTP, the person's new key enrols once,
 * and person keys are attributed on the answers they sign.
 */
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../support/manual-clock.js";
import { keyProof, newAccountId } from "../../openapi/client/registration.js";
import { CALL, EVIDENCE, newKey, startFakeHub, type Api, type NewKey, type Party, type FakeHub } from "../fakes/hub.js";
import { startTestSmtp, type TestSmtp } from "../support/smtp.js";
import { weakKeys } from "../support/weak-keys.js";
import { PROBLEM, send, signedPost } from "./raw.js";

let smtp: TestSmtp;
let t: FakeHub;
let clock: ManualClock;
let alpha: Party;
let beta: Party;
const now = () => clock.now().getTime();

beforeAll(async () => {
  smtp = await startTestSmtp();
  clock = new ManualClock(new Date());
  t = await startFakeHub({ clock, mode: "local", env: { SMTP_URL: smtp.url, MAIL_FROM: "Hoptrace <hub@hoptrace.example>" } });
  alpha = await t.registerProvider("Alpha Telecom");
  beta = await t.registerProvider("Beta Transit");
});
afterAll(async () => {
  await t?.stop();
  await smtp?.stop();
});

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.body.code).toBe(code);
}

const unsigned = (path: string) => send(`${t.url}${path}`, { method: "GET", headers: {} }, t.fetch);
const api = (k: NewKey): Api => t.apiFor(k.key);

async function invite(by: Api, body: Record<string, unknown>, idempotencyKey?: string) {
  return by.post("/v1/invitations", body, idempotencyKey ? { idempotencyKey } : {});
}

/** Invites a person and enrols a fresh key with the invitation: the person's own API. */
async function person(accountId: string, role: string, by: Api = t.consortium.api): Promise<{ key: NewKey; api: Api; keyId: string }> {
  const inv = await invite(by, { accountId, email: `${role}.${Math.random().toString(36).slice(2)}@people.example`, name: `A ${role}`, role });
  expect(inv.status, inv.text).toBe(201);
  const key = await newKey();
  const enrolled = await api(key).post(`/v1/enrolments/${inv.body.token}`, key.registration(accountId));
  expect(enrolled.status, enrolled.text).toBe(201);
  return { key, api: api(key), keyId: key.key.keyId };
}

describe("an invitation", () => {
  it("is created by the consortium, e-mailed over SMTP with its link, and listed without its token", async () => {
    const before = smtp.messages.length;
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "dana@alpha.example", name: "Dana Reyes", role: "staff" });
    expect(res.status, res.text).toBe(201);
    const { invitation, token, url } = res.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).toBe(`${t.url}/console/enrol#token=${token}`);
    expect(invitation).toMatchObject({
      accountId: alpha.id,
      accountName: "Alpha Telecom",
      email: "dana@alpha.example",
      name: "Dana Reyes",
      role: "staff",
      status: "pending",
      createdBy: t.consortium.id,
    });
    expect(Date.parse(invitation.expiresAt) - clock.now().getTime()).toBe(72 * 3_600_000);
    expect(res.headers.get("hoptrace-receipt")).toBeTruthy();

    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.to).toEqual(["dana@alpha.example"]);
    expect(mail!.from).toBe("hub@hoptrace.example");
    expect(mail!.subject).toBe("Your Hoptrace invitation for Alpha Telecom");
    expect(mail!.text).toContain(url);
    expect(mail!.html).toContain(`href="${url}"`);

    const listed = await t.consortium.api.get(`/v1/invitations?accountId=${alpha.id}`);
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((i: { id: string }) => i.id === invitation.id);
    expect(item).toMatchObject({ status: "pending", emailedAt: expect.any(String) });
    expect(listed.text).not.toContain(token);
  });

  it("keeps only its token's hash: the stored item holds neither the token nor anything it can be rebuilt from", async () => {
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "hash@alpha.example", name: "Hash", role: "staff" });
    const stored = await t.deps.invitations.get(res.body.invitation.id);
    expect(JSON.stringify(stored)).not.toContain(res.body.token);
    expect(stored!.tokenSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is the same invitation, token and single e-mail on a retry with the same Idempotency-Key; another body is refused", async () => {
    const body = { accountId: alpha.id, email: "retry@alpha.example", name: "Retry", role: "staff" };
    const first = await invite(t.consortium.api, body, "invite-retry-1");
    const mails = smtp.messages.length;
    const again = await invite(t.consortium.api, body, "invite-retry-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.token).toBe(first.body.token);
    expect(again.body.invitation.id).toBe(first.body.invitation.id);
    expectProblem(await invite(t.consortium.api, { ...body, name: "Other" }, "invite-retry-1"), 422, "idempotency_key_reused");
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.length).toBe(mails);
  });

  it("is created even when the mail server refuses the e-mail, which a retry with the same Idempotency-Key sends", async () => {
    smtp.refuse.add("refused@alpha.example");
    const body = { accountId: alpha.id, email: "refused@alpha.example", name: "Refused", role: "staff" };
    const first = await invite(t.consortium.api, body, "invite-refused-1");
    expect(first.status).toBe(201);
    expect(first.body.invitation.emailedAt).toBeUndefined();
    smtp.refuse.delete("refused@alpha.example");
    const again = await invite(t.consortium.api, body, "invite-refused-1");
    expect(again.body.invitation.emailedAt).toEqual(expect.any(String));
    expect(again.body.token).toBe(first.body.token);
    const mails = await smtp.waitFor(smtp.messages.length);
    expect(mails.filter((m) => m.to.includes("refused@alpha.example"))).toHaveLength(1);
  });

  it("is refused for a role the account's kind does not hold, an unknown account, or past 336 hours", async () => {
    expectProblem(await invite(t.consortium.api, { accountId: alpha.id, email: "x@alpha.example", name: "X", role: "analyst" }), 422, "role_not_allowed");
    expectProblem(await invite(t.consortium.api, { accountId: newAccountId(), email: "x@alpha.example", name: "X", role: "staff" }), 422, "unknown_account");
    expectProblem(
      await invite(t.consortium.api, { accountId: alpha.id, email: "x@alpha.example", name: "X", role: "staff", expiresInHours: 337 }),
      422,
      "validation_failed",
    );
    expectProblem(await invite(t.consortium.api, { accountId: alpha.id, email: "not an address", name: "X", role: "staff" }), 422, "validation_failed");
  });
});

describe("enrolment", () => {
  it("shows the invitation to anyone holding the token, unsigned; an unknown token is 404", async () => {
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "open@alpha.example", name: "Open", role: "admin" });
    const opened = await unsigned(`/v1/enrolments/${res.body.token}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({
      accountId: alpha.id,
      accountName: "Alpha Telecom",
      accountKind: "provider",
      name: "Open",
      email: "open@alpha.example",
      role: "admin",
      expiresAt: res.body.invitation.expiresAt,
    });
    expect(opened.headers.get("cache-control")).toBe("no-store");
    expectProblem(await unsigned(`/v1/enrolments/${"A".repeat(43)}`), 404, "not_found");
    expectProblem(await unsigned("/v1/enrolments/not-a-token"), 404, "not_found");
  });

  it("registers the new key as a person key of the invited account, once", async () => {
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "enrol@alpha.example", name: "Enrol Person", role: "staff" });
    const { token, invitation } = res.body;
    const k = await newKey();
    const enrolled = await api(k).post(`/v1/enrolments/${token}`, k.registration(alpha.id, "laptop"));
    expect(enrolled.status, enrolled.text).toBe(201);
    expect(enrolled.body).toMatchObject({
      keyId: k.key.keyId,
      accountId: alpha.id,
      accountKind: "provider",
      status: "active",
      label: "laptop",
      person: { name: "Enrol Person", email: "enrol@alpha.example", role: "staff" },
      invitationId: invitation.id,
      createdBy: t.consortium.id,
    });
    expect(enrolled.headers.get("hoptrace-receipt")).toBeTruthy();

    const me = await api(k).get("/v1/me");
    expect(me.status).toBe(200);
    expect(me.body.account).toEqual({ id: alpha.id, kind: "provider", name: "Alpha Telecom" });
    expect(me.body.key.person).toEqual({ name: "Enrol Person", email: "enrol@alpha.example", role: "staff" });
    expect(me.body.keys.map((key: { keyId: string }) => key.keyId)).toEqual(expect.arrayContaining([alpha.key.keyId, k.key.keyId]));
    expect(me.body.endpoints).toEqual([]);

    const listed = await t.consortium.api.get(`/v1/invitations?accountId=${alpha.id}`);
    expect(listed.body.items.find((i: { id: string }) => i.id === invitation.id)).toMatchObject({ status: "accepted", acceptedKeyId: k.key.keyId });
    expectProblem(await unsigned(`/v1/enrolments/${token}`), 410, "invitation_used");

    // The same key asking again (a lost response) gets its key back; any other key is too late.
    const retry = await api(k).post(`/v1/enrolments/${token}`, k.registration(alpha.id, "laptop"));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(enrolled.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.body.keyId).toBe(k.key.keyId);
    const late = await newKey();
    expectProblem(await api(late).post(`/v1/enrolments/${token}`, late.registration(alpha.id)), 410, "invitation_used");
    expect((await api(late).get("/v1/me")).status).toBe(401);
  });

  it("of enrolments racing for one invitation, exactly one succeeds", async () => {
    const res = await invite(t.consortium.api, { accountId: beta.id, email: "race@beta.example", name: "Race", role: "staff" });
    const keys = await Promise.all(Array.from({ length: 6 }, () => newKey()));
    const results = await Promise.all(keys.map((k) => api(k).post(`/v1/enrolments/${res.body.token}`, k.registration(beta.id))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 410, 410, 410, 410, 410]);
    for (const r of results.filter((r) => r.status === 410)) expect(r.body.code).toBe("invitation_used");
    const winner = keys[results.findIndex((r) => r.status === 201)]!;
    const active = (await t.consortium.api.get(`/v1/accounts/${beta.id}/keys?limit=100`)).body.items.filter(
      (k: { invitationId?: string }) => k.invitationId === res.body.invitation.id,
    );
    expect(active.map((k: { keyId: string }) => k.keyId)).toEqual([winner.key.keyId]);
  });

  it("is refused once the invitation expired, and after it was revoked", async () => {
    const short = await invite(t.consortium.api, { accountId: alpha.id, email: "short@alpha.example", name: "Short", role: "staff", expiresInHours: 1 });
    const revoked = await invite(t.consortium.api, { accountId: alpha.id, email: "revoked@alpha.example", name: "Revoked", role: "staff" });
    const r = await t.consortium.api.post(`/v1/invitations/${revoked.body.invitation.id}/revoke`, {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "revoked", revokedBy: t.consortium.id });
    expect((await t.consortium.api.post(`/v1/invitations/${revoked.body.invitation.id}/revoke`, {})).body.status).toBe("revoked");
    expectProblem(await unsigned(`/v1/enrolments/${revoked.body.token}`), 410, "invitation_revoked");
    const k = await newKey();
    expectProblem(await api(k).post(`/v1/enrolments/${revoked.body.token}`, k.registration(alpha.id)), 410, "invitation_revoked");

    clock.advance(60 * 60_000);
    expectProblem(await unsigned(`/v1/enrolments/${short.body.token}`), 410, "invitation_expired");
    expectProblem(await api(k).post(`/v1/enrolments/${short.body.token}`, k.registration(alpha.id)), 410, "invitation_expired");
    const listed = await t.consortium.api.get(`/v1/invitations?accountId=${alpha.id}&limit=100`);
    expect(listed.body.items.find((i: { id: string }) => i.id === short.body.invitation.id).status).toBe("expired");
    expect((await api(k).get("/v1/me")).status).toBe(401);
  });

  it("refuses a revocation of an accepted invitation: its key is what to revoke", async () => {
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "taken@alpha.example", name: "Taken", role: "staff" });
    const k = await newKey();
    expect((await api(k).post(`/v1/enrolments/${res.body.token}`, k.registration(alpha.id))).status).toBe(201);
    expectProblem(await t.consortium.api.post(`/v1/invitations/${res.body.invitation.id}/revoke`, {}), 409, "invitation_accepted");
  });

  it("must be signed by the enrolled key, with a proof naming the invited account, and leaves the invitation open when refused", async () => {
    const res = await invite(t.consortium.api, { accountId: alpha.id, email: "strict@alpha.example", name: "Strict", role: "staff" });
    const path = `/v1/enrolments/${res.body.token}`;
    const k = await newKey();
    const other = await newKey();

    // Signed by another key than the one in the body, even a registered one: the local 401 says why.
    for (const signer of [other.key, alpha.key]) {
      const refused = await t.apiFor(signer).post(path, k.registration(alpha.id));
      expectProblem(refused, 401, "unauthenticated");
      expect(refused.body.reason).toBe("not_self_signed");
      expect(refused.body.detail).toContain("the body's publicJwk");
    }
    // Not signed at all.
    const body = JSON.stringify(k.registration(alpha.id));
    const unsignedPost = await send(
      `${t.url}${path}`,
      { method: "POST", headers: { "content-type": "application/json", "idempotency-key": "x" }, body },
      t.fetch,
    );
    expectProblem(unsignedPost, 401, "unauthenticated");
    expect(unsignedPost.body.reason).toBe("missing_signature");
    // A proof for another account.
    expectProblem(await api(k).post(path, { publicJwk: k.publicJwk, proof: keyProof(k.key, beta.id) }), 422, "invalid_key_proof");
    // A weak key in the body is refused before any signature is checked.
    const weak = weakKeys(k.publicJwk.x)[0]!;
    const headers = signedPost(`${t.url}${path}`, k.key, JSON.stringify({ publicJwk: { kty: "OKP", crv: "Ed25519", x: weak.x }, proof: "A".repeat(86) }), {
      now,
    });
    expectProblem(
      await send(
        `${t.url}${path}`,
        {
          method: "POST",
          headers,
          body: JSON.stringify({ publicJwk: { kty: "OKP", crv: "Ed25519", x: weak.x }, proof: "A".repeat(86) }),
        },
        t.fetch,
      ),
      422,
      "weak_key",
    );
    // A key already registered (here the provider's own) cannot become a person key.
    const { kty, crv, x } = createPublicKey(alpha.key.privateKey).export({ format: "jwk" });
    expectProblem(await t.apiFor(alpha.key).post(path, { publicJwk: { kty, crv, x }, proof: keyProof(alpha.key, alpha.id) }), 409, "key_exists");

    expect((await unsigned(path)).status).toBe(200);
    expect((await api(k).post(path, k.registration(alpha.id))).status).toBe(201);
  });

  it("is the only unsigned door: other paths under /v1 stay signed", async () => {
    expectProblem(await unsigned("/v1/me"), 401, "unauthenticated");
    expectProblem(await unsigned("/v1/invitations"), 401, "unauthenticated");
    expectProblem(await unsigned(`/v1/enrolments/${"A".repeat(43)}/more`), 401, "unauthenticated");
    const post = await send(
      `${t.url}/v1/invitations`,
      { method: "POST", headers: { "content-type": "application/json", "idempotency-key": "x" }, body: "{}" },
      t.fetch,
    );
    expectProblem(post, 401, "unauthenticated");
  });
});

describe("an admin person", () => {
  let admin: Awaited<ReturnType<typeof person>>;
  let staff: Awaited<ReturnType<typeof person>>;

  beforeAll(async () => {
    admin = await person(alpha.id, "admin");
  });

  it("invites persons to its own account only", async () => {
    const own = await invite(admin.api, { accountId: alpha.id, email: "colleague@alpha.example", name: "Colleague", role: "staff" });
    expect(own.status, own.text).toBe(201);
    expect(own.body.invitation).toMatchObject({ createdBy: alpha.id, createdByKey: admin.keyId });
    expectProblem(await invite(admin.api, { accountId: beta.id, email: "spy@beta.example", name: "Spy", role: "admin" }), 403, "forbidden");
    expectProblem(await invite(admin.api, { accountId: t.consortium.id, email: "spy@consortium.example", name: "Spy", role: "analyst" }), 403, "forbidden");
    const k = await newKey();
    const enrolled = await api(k).post(`/v1/enrolments/${own.body.token}`, k.registration(alpha.id));
    expect(enrolled.status).toBe(201);
    staff = { key: k, api: api(k), keyId: k.key.keyId };
  });

  it("lists its account's invitations, and no other account's", async () => {
    const mine = await admin.api.get("/v1/invitations?limit=100");
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((i: { accountId: string }) => i.accountId === alpha.id)).toBe(true);
    expectProblem(await admin.api.get(`/v1/invitations?accountId=${beta.id}`), 403, "forbidden");
  });

  it("is the only person of the account who invites or manages keys; a system key does neither invite", async () => {
    expectProblem(await invite(staff.api, { accountId: alpha.id, email: "x@alpha.example", name: "X", role: "staff" }), 403, "forbidden");
    expectProblem(await staff.api.get("/v1/invitations"), 403, "forbidden");
    expectProblem(await invite(alpha.api, { accountId: alpha.id, email: "x@alpha.example", name: "X", role: "staff" }), 403, "forbidden");
    const extra = await newKey();
    expectProblem(await staff.api.post(`/v1/accounts/${alpha.id}/keys`, extra.registration(alpha.id)), 403, "forbidden");
    expectProblem(await staff.api.post(`/v1/accounts/${alpha.id}/keys/${admin.keyId}/revoke`, {}), 403, "forbidden");
    expect((await staff.api.get(`/v1/accounts/${alpha.id}/keys`)).status).toBe(200);
  });

  it("revokes a person's key, which then signs nothing", async () => {
    const doomed = await person(alpha.id, "staff", admin.api);
    expect((await doomed.api.get("/v1/me")).status).toBe(200);
    const revoked = await admin.api.post(`/v1/accounts/${alpha.id}/keys/${doomed.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: "revoked", revokedBy: alpha.id });
    expect((await doomed.api.get("/v1/me")).status).toBe(401);
  });
});

describe("a provider's person", () => {
  it("sees only its own provider's hops, and its answer is attributed to it in the hop and chain views", async () => {
    const initiator = await t.registerInitiator("State AG");
    const own = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: alpha.id });
    const foreign = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: beta.id });
    const hopId = own.body.hops[0].id;
    const foreignHop = foreign.body.hops[0].id;
    const dana = await person(alpha.id, "staff");

    expect((await dana.api.get(`/v1/hop-requests/${hopId}`)).status).toBe(200);
    expectProblem(await dana.api.get(`/v1/hop-requests/${foreignHop}`), 404, "not_found");
    expectProblem(
      await dana.api.post(`/v1/hop-requests/${foreignHop}/answer`, {
        type: "originator_identified",
        customer: { name: "Dialer LLC" },
        actionTaken: "terminated",
        evidence: EVIDENCE,
      }),
      404,
      "not_found",
    );
    expectProblem(await dana.api.get(`/v1/tracebacks/${own.body.traceback.id}`), 404, "not_found");
    const inbox = await dana.api.get("/v1/hop-requests");
    expect(inbox.body.items.map((h: { id: string }) => h.id)).toContain(hopId);
    expect(inbox.body.items.map((h: { id: string }) => h.id)).not.toContain(foreignHop);

    const answered = await dana.api.post(`/v1/hop-requests/${hopId}/answer`, {
      type: "originator_identified",
      customer: { name: "Dialer LLC" },
      actionTaken: "terminated",
      evidence: EVIDENCE,
    });
    expect(answered.status, answered.text).toBe(200);
    const signer = { accountId: alpha.id, keyId: dana.keyId, person: { name: "A staff", role: "staff" } };
    expect(answered.body.answeredBy).toEqual(signer);
    expect((await dana.api.get(`/v1/hop-requests/${hopId}`)).body.answeredBy).toEqual(signer);
    const chain = await initiator.api.get(`/v1/tracebacks/${own.body.traceback.id}`);
    expect(chain.body.hops[0].answeredBy).toEqual(signer);
    const amended = await dana.api.post(`/v1/hop-requests/${hopId}/amendments`, {
      answer: { type: "originator_identified", customer: { name: "Dialer LLC", accountReference: "C-1" }, actionTaken: "terminated", evidence: EVIDENCE },
      reason: "the account reference",
    });
    expect(amended.status, amended.text).toBe(201);
    expect(amended.body.amendedBy).toEqual(signer);
    // The evidence of the answer is the person's own signature.
    const stored = await t.deps.tracebacks.getHop(own.body.traceback.id, 1, true);
    expect(stored!.value.evidence!.request.headers["signature-input"]).toContain(`keyid="${dana.keyId}"`);
  });
});

describe("the local mailbox", () => {
  it("is not there when e-mail goes over SMTP", async () => {
    expectProblem(await t.consortium.api.get("/v1/local/mail"), 404, "not_found");
  });
});
