import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyProof, newAccountId } from "../../openapi/client/registration.js";
import { CALL, EVIDENCE, newKey, startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { PROBLEM, send, signedPost, type RawResponse } from "./raw.js";

let t: FakeHub;
let provider: Party;
let initiator: Party;
let otherInitiator: Party;

beforeAll(async () => {
  t = await startFakeHub();
  provider = await t.registerProvider("Bad Input Carrier");
  initiator = await t.registerInitiator("Bad Input AG");
  otherInitiator = await t.registerInitiator("Bad Input FCC");
});
afterAll(async () => {
  await t?.stop();
});

const valid = () => ({ ...CALL, terminatingProviderId: provider.id });

function expectProblem(res: RawResponse | { status: number; headers: Headers; body: any }, status: number, code: string, pointers?: string[]) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.body).toMatchObject({ status, code, type: `urn:hoptrace:problem:${code}` });
  expect(res.body.request_id).toMatch(/^req_/);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  if (pointers) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(pointers));
}

async function postRaw(party: Party, path: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = `${t.url}${path}`;
  return send(url, { method: "POST", headers: signedPost(url, party.key, body, { headers }), body }, t.fetch);
}

describe("malformed bodies", () => {
  it("JSON that does not parse is 400 malformed_request", async () => {
    for (const body of ["{not json", '{"callingNumber": ', "", "\u0000", "[".repeat(5000)]) {
      expectProblem(await postRaw(initiator, "/v1/tracebacks", body), 400, "malformed_request");
    }
  });

  it("a body that is not application/json is 415 unsupported_media_type", async () => {
    const res = await postRaw(initiator, "/v1/tracebacks", JSON.stringify(valid()), { "content-type": "text/plain" });
    expectProblem(res, 415, "unsupported_media_type");
    const form = await postRaw(initiator, "/v1/tracebacks", "callingNumber=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
    expect(form.headers.get("content-type")).toBe(PROBLEM);
  });

  it("JSON that is not an object is 422 with the root pointer", async () => {
    for (const body of ["null", "[]", "42", '"text"', "true"]) {
      expectProblem(await postRaw(initiator, "/v1/tracebacks", body), 422, "validation_failed", [""]);
    }
  });

  it("a body over 64 KiB is 413, whether signed or not, and whatever its Content-Length says", async () => {
    const big = JSON.stringify({ ...valid(), notes: "x".repeat(70_000) });
    expectProblem(await postRaw(initiator, "/v1/tracebacks", big), 413, "payload_too_large");
    expectProblem(
      await send(`${t.url}/v1/tracebacks`, { method: "POST", headers: { "content-type": "application/json" }, body: big }, t.fetch),
      413,
      "payload_too_large",
    );
    // Streamed, with no Content-Length at all (over a socket, chunked: test/http/limits.test.ts).
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(8192)));
        controller.close();
      },
    });
    const res = await t.fetch(`${t.url}/v1/tracebacks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const chunked = { status: res.status, type: res.headers.get("content-type") ?? undefined, body: await res.text() };
    expect(chunked.status).toBe(413);
    expect(chunked.type).toBe(PROBLEM);
    expect(JSON.parse(chunked.body).code).toBe("payload_too_large");
  });
});

describe("schema violations point at the field", () => {
  it.each([
    ["a number for a string", { callingNumber: 3055550123 }, ["/callingNumber"]],
    ["an object for a string", { callTime: { at: "now" } }, ["/callTime"]],
    ["a string for an array", { identityHeaders: "eyJ..." }, ["/identityHeaders"]],
    ["an array item of the wrong type", { identityHeaders: ["ok", 5] }, ["/identityHeaders/1"]],
    ["an unknown field", { color: "red" }, ["/color"]],
    ["an unknown field with a pointer-hostile name", { "a/b~c": 1 }, ["/a~1b~0c"]],
    ["a bad enum", { deadlinePolicy: "whenever" }, ["/deadlinePolicy"]],
    ["a bad URL", { mediaUrl: "not a url" }, ["/mediaUrl"]],
    ["a too-long campaign", { campaign: "c".repeat(201) }, ["/campaign"]],
    ["a timestamp without offset", { callTime: "2024-06-03T12:00:00" }, ["/callTime"]],
    ["a timestamp that is not one", { callTime: "yesterday at noon" }, ["/callTime"]],
    ["an impossible date", { callTime: "2024-02-30T12:00:00Z" }, ["/callTime"]],
    ["an impossible offset", { callTime: "2024-06-03T12:00:00+24:00" }, ["/callTime"]],
    ["a leap second", { callTime: "2024-06-03T23:59:60Z" }, ["/callTime"]],
  ])("%s", async (_what, patch, pointers) => {
    const res = await initiator.api.post("/v1/tracebacks", { ...valid(), ...patch });
    expectProblem(res, 422, "validation_failed", pointers);
  });

  it("missing required fields are each named", async () => {
    const res = await initiator.api.post("/v1/tracebacks", { campaign: "x" });
    expectProblem(res, 422, "validation_failed", ["/callingNumber", "/calledNumber", "/callTime", "/terminatingProviderId"]);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["longer than 64 characters", "+1".padEnd(65, "0")],
    ["a line break", "+1305555\n0123"],
    ["a control character", "anonymous\u0000"],
    ["a bidirectional override", "\u202e3210555503"],
  ])("a calling number that is %s is 422 validation_failed at /callingNumber", async (_what, callingNumber) => {
    const res = await initiator.api.post("/v1/tracebacks", { ...valid(), callingNumber });
    expectProblem(res, 422, "validation_failed", ["/callingNumber"]);
  });

  it.each([
    ["an invalid exchange", "+1 (202) 055-0143"],
    ["an impossible area code", "1234567890"],
    ["area code 000", "+10005550100"],
    ["an unassigned area code", "+1 370 555 0143"],
    ["a 555 line outside the fictional range", "202-555-1212"],
    ["a service code", "911"],
    ["a withheld number", "anonymous"],
    ["letters", "202-555-CALL"],
  ])("a called number with %s is 422 invalid_phone_number at /calledNumber", async (_what, calledNumber) => {
    expectProblem(await initiator.api.post("/v1/tracebacks", { ...valid(), calledNumber }), 422, "invalid_phone_number", ["/calledNumber"]);
  });

  it("an unknown terminating provider is 422 unknown_provider", async () => {
    expectProblem(
      await initiator.api.post("/v1/tracebacks", { ...valid(), terminatingProviderId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
      422,
      "unknown_provider",
      ["/terminatingProviderId"],
    );
    // An account that exists but is not a provider is no better.
    expectProblem(await initiator.api.post("/v1/tracebacks", { ...valid(), terminatingProviderId: otherInitiator.id }), 422, "unknown_provider", [
      "/terminatingProviderId",
    ]);
  });

  describe("answers", () => {
    let hopId: string;
    beforeAll(async () => {
      const tb = await initiator.api.post("/v1/tracebacks", valid());
      hopId = tb.body.hops[0].id;
    });

    it.each([
      ["an invalid answer type", { type: "maybe" }, ["/type"]],
      ["no type", { reason: "x" }, ["/type"]],
      ["an unknown field", { type: "refused", reason: "x", extra: true }, ["/extra"]],
      ["an unknown nested field", { type: "upstream_identified", upstream: { providerId: "acc_X" }, evidence: { trunk: "T" } }, ["/evidence/trunk"]],
      [
        "a bad country code",
        { type: "foreign_point_of_entry", foreignProvider: { name: "X", country: "gbr" }, evidence: EVIDENCE },
        ["/foreignProvider/country"],
      ],
      ["a bad action", { type: "originator_identified", customer: { name: "X" }, actionTaken: "shrugged", evidence: EVIDENCE }, ["/actionTaken"]],
      ["a bad window timestamp", { type: "no_record", windowSearched: { from: "today", to: "2024-06-03T17:00:00Z" } }, ["/windowSearched/from"]],
      ["an empty reason", { type: "refused", reason: "" }, ["/reason"]],
    ])("%s is 422 and the hop stays open", async (_what, answer, pointers) => {
      const res = await provider.api.post(`/v1/hop-requests/${hopId}/answer`, answer);
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toBe(PROBLEM);
      expect(res.body.code).toBe("validation_failed");
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(pointers));
      expect((await provider.api.get(`/v1/hop-requests/${hopId}`)).body.status).toBe("open");
    });

    it("naming an unknown provider id is 422 unknown_provider at /upstream/providerId", async () => {
      const res = await provider.api.post(`/v1/hop-requests/${hopId}/answer`, {
        type: "upstream_identified",
        upstream: { providerId: "acc_nobody" },
        evidence: EVIDENCE,
      });
      expectProblem(res, 422, "unknown_provider", ["/upstream/providerId"]);
      expect((await provider.api.get(`/v1/hop-requests/${hopId}`)).body.status).toBe("open");
    });
  });
});

describe("numbers from inside a signed Identity header", () => {
  it.each([1e300, -1e127, 1e-200])("an iat of %s is a malformed_identity finding, not a number DynamoDB refuses", async (iat) => {
    const raw = readFileSync(new URL("../fixtures/shaken/identity-valid-A-567J.txt", import.meta.url), "utf8").trim();
    const [header, payload, signature] = raw.slice(0, raw.indexOf(";")).split(".");
    const claims = { ...JSON.parse(Buffer.from(payload!, "base64url").toString()), iat };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}${raw.slice(raw.indexOf(";"))}`;
    const res = await initiator.api.post("/v1/tracebacks", { ...valid(), identityHeaders: [forged] });
    expect(res.status, res.text).toBe(201);
    expect(res.body.traceback.signatures[0].iat).toBeUndefined();
    expect(res.body.traceback.signatures[0].findings.map((f: { code: string }) => f.code)).toContain("malformed_identity");
  });
});

describe("lists, ids and routes", () => {
  it.each(["limit=100000", "limit=0", "limit=-1", "limit=abc", "limit=2.5"])("?%s is 400 invalid_parameter at /limit", async (q) => {
    expectProblem(await initiator.api.get(`/v1/tracebacks?${q}`), 400, "invalid_parameter", ["/limit"]);
  });

  it.each([
    ["2024-07-01T00:00:00Z", "2024-06-01T00:00:00Z"],
    ["2024-06-01T00:00:00Z", "2024-06-01T00:00:00Z"],
    ["2024-06-01T02:00:00+02:00", "2024-06-01T00:00:00Z"],
  ])("a responsiveness period from %s to %s is 400 at /to, not a Query DynamoDB refuses", async (from, to) => {
    const res = await t.consortium.api.get(`/v1/providers/${provider.id}/responsiveness?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expectProblem(res, 400, "invalid_parameter", ["/to"]);
  });

  it("an unknown status filter is 400 at /status", async () => {
    expectProblem(await provider.api.get("/v1/hop-requests?status=closed"), 400, "invalid_parameter", ["/status"]);
  });

  it.each(["!!!", "bm90IGpzb24", Buffer.from("[1,2]").toString("base64url"), Buffer.from(JSON.stringify({ pk: { S: "x" } })).toString("base64url")])(
    "a garbage cursor %j is 400 invalid_cursor at /cursor",
    async (cursor) => {
      expectProblem(await initiator.api.get(`/v1/tracebacks?cursor=${encodeURIComponent(cursor)}`), 400, "invalid_cursor", ["/cursor"]);
    },
  );

  it("an over-long cursor is refused before it is decoded", async () => {
    expectProblem(await initiator.api.get(`/v1/tracebacks?cursor=${"A".repeat(3000)}`), 400, "invalid_parameter", ["/cursor"]);
  });

  it("a cursor issued for another listing is refused", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await initiator.api.post("/v1/tracebacks", valid())).status).toBe(201);
      expect((await otherInitiator.api.post("/v1/tracebacks", valid())).status).toBe(201);
    }
    const mine = await initiator.api.get("/v1/tracebacks?limit=1");
    expect(mine.status).toBe(200);
    const cursor = mine.body.nextCursor as string;
    expect(cursor).toBeTruthy();
    // The same cursor works for its own listing...
    const next = await initiator.api.get(`/v1/tracebacks?limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(next.status).toBe(200);
    expect(next.body.items[0].id).not.toBe(mine.body.items[0].id);
    // ...but not for another initiator's, nor for another resource.
    expectProblem(await otherInitiator.api.get(`/v1/tracebacks?limit=1&cursor=${encodeURIComponent(cursor)}`), 400, "invalid_cursor", ["/cursor"]);
    expectProblem(await provider.api.get(`/v1/hop-requests?cursor=${encodeURIComponent(cursor)}`), 400, "invalid_cursor", ["/cursor"]);
    const providers = await provider.api.get("/v1/providers?limit=1");
    expect(providers.body.nextCursor).toBeTruthy();
    expectProblem(await initiator.api.get(`/v1/tracebacks?cursor=${encodeURIComponent(providers.body.nextCursor)}`), 400, "invalid_cursor", ["/cursor"]);
    // A cursor forged for another initiator's partition is refused too, sealed or not.
    const [inner, seal] = cursor.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(inner!, "base64url").toString()), gsi1pk: `TRACEBACKS#${otherInitiator.id}` }),
    ).toString("base64url");
    expectProblem(await initiator.api.get(`/v1/tracebacks?cursor=${forged}`), 400, "invalid_cursor", ["/cursor"]);
    expectProblem(await otherInitiator.api.get(`/v1/tracebacks?cursor=${forged}.${seal}`), 400, "invalid_cursor", ["/cursor"]);
  });

  it("unknown routes are 404 problems", async () => {
    expectProblem(await provider.api.get("/v1/nope"), 404, "not_found");
    expectProblem(await provider.api.post("/v1/nope", {}), 404, "not_found");
    const unsigned = await send(`${t.url}/nope`, { method: "GET", headers: {} }, t.fetch);
    expectProblem(unsigned, 404, "not_found");
  });

  it.each(["hop_garbage", "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_0", "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1", "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9", "%E2%98%83"])(
    "a hop id %j that names no hop is 404",
    async (id) => {
      expectProblem(await provider.api.get(`/v1/hop-requests/${id}`), 404, "not_found");
      expectProblem(await provider.api.post(`/v1/hop-requests/${id}/answer`, { type: "refused", reason: "x" }), 404, "not_found");
    },
  );

  it("a traceback id that names nothing is 404", async () => {
    expectProblem(await initiator.api.get("/v1/tracebacks/tb_nothing"), 404, "not_found");
    expectProblem(await initiator.api.post("/v1/tracebacks/tb_nothing/close", { reason: "x" }), 404, "not_found");
  });
});

/** A small deterministic PRNG, so a failing case can be reproduced from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  3.5,
  "",
  " ",
  "x".repeat(5000),
  "\u0000",
  "☃💥",
  "<script>",
  [],
  [null],
  {},
  { $ne: 1 },
  "2024-06-03T12:00:00Z",
  "+13055550123",
  "acc_consortium",
  "__proto__",
];

function mutate(value: unknown, rand: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  if (value === null || typeof value !== "object") return pick(ODD_VALUES);
  const obj: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(obj);
  const op = rand();
  if (keys.length > 0 && op < 0.3) {
    const k = pick(keys);
    if (Array.isArray(obj)) obj.splice(Number(k), 1);
    else delete obj[k];
  } else if (keys.length > 0 && op < 0.75) {
    const k = pick(keys);
    (obj as Record<string, unknown>)[k] = rand() < 0.5 ? mutate((obj as Record<string, unknown>)[k], rand) : pick(ODD_VALUES);
  } else if (Array.isArray(obj)) {
    obj.push(pick(ODD_VALUES));
  } else {
    obj[pick(["extra", "__proto__", "constructor", "type", "callingNumber", "evidence", "upstream", ""])] = pick(ODD_VALUES);
  }
  return obj;
}

describe("generative: random mutations of valid bodies never cause a 500", () => {
  it("200 mutated create-traceback and answer bodies", async () => {
    // Fixed by default so a failure reproduces; FUZZ_SEED explores other sequences.
    const rand = mulberry32(Number(process.env.FUZZ_SEED ?? 0x5eed));
    const tb = await initiator.api.post("/v1/tracebacks", valid());
    const hops = [tb.body.hops[0].id as string];
    const answers: unknown[] = [
      { type: "upstream_identified", upstream: { providerId: provider.id }, evidence: EVIDENCE },
      { type: "upstream_identified", upstream: { name: "Somebody", frn: "0011223344" }, evidence: EVIDENCE },
      { type: "originator_identified", customer: { name: "Dialer", contact: { email: "a@b.example" } }, actionTaken: "warned", evidence: EVIDENCE },
      { type: "no_record", windowSearched: { from: "2024-06-03T15:00:00Z", to: "2024-06-03T17:00:00Z" } },
    ];
    const seen = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const answering = i % 2 === 1;
      let body: unknown = answering ? answers[i % answers.length] : valid();
      const rounds = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < rounds; r++) body = mutate(body, rand);
      let text = JSON.stringify(body) ?? "null";
      if (rand() < 0.15) text = text.slice(0, Math.floor(rand() * text.length));
      const path = answering ? `/v1/hop-requests/${hops[hops.length - 1]}/answer` : "/v1/tracebacks";
      const res = await postRaw(answering ? provider : initiator, path, text);
      const context = `case ${i}: POST ${path} ${text.slice(0, 300)} -> ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status, context).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.headers.get("content-type"), context).toBe(PROBLEM);
        expect(typeof res.body?.code, context).toBe("string");
        if (res.status === 422 && res.body.code === "validation_failed") {
          for (const e of res.body.errors) expect(e.pointer, context).toMatch(/^(\/.*)?$/);
        }
      }
      // A fresh hop to answer keeps later answer mutations from all meeting an answered hop.
      if (!answering && res.status === 201) hops.push(res.body.hops[0].id);
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    }
    // The mutations reach past the schema check, not just into it.
    expect(seen.get(422) ?? 0).toBeGreaterThan(50);
    expect([...seen.keys()].some((s) => s === 400 || s === 201 || s === 200 || s === 409)).toBe(true);
  });
});

describe("registration conflicts", () => {
  const contact = { name: "NOC", email: "noc@dup.example" };

  it("a second provider with a registered FRN is 409 already_registered", async () => {
    const k = await newKey();
    const first = await t.consortium.api.post("/v1/providers", { name: "FRN Holder", frn: "0010101010", contact });
    expect(first.status).toBe(201);
    const id = newAccountId();
    const dup = await t.consortium.api.post("/v1/providers", { id, name: "FRN Squatter", frn: "0010101010", contact, keys: [k.registration(id)] });
    expectProblem(dup, 409, "already_registered");
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
  });

  it("a key already registered to another account is 409, even with its holder's proof, and leaves no half-registered account behind", async () => {
    const id = newAccountId();
    const dup = await t.consortium.api.post("/v1/providers", {
      id,
      name: "Key Thief",
      frn: "0020202020",
      contact,
      keys: [{ publicJwk: await publicJwkOf(provider), proof: keyProof(provider.key, id) }],
    });
    expectProblem(dup, 409, "key_exists");
    // Nothing was kept: the id and the FRN are still free for a correct registration.
    const fresh = await newKey();
    const retry = await t.consortium.api.post("/v1/providers", { id, name: "Key Thief", frn: "0020202020", contact, keys: [fresh.registration(id)] });
    expect(retry.status).toBe(201);
    const names = await allProviderNames();
    expect(names.filter((n) => n === "Key Thief")).toHaveLength(1);
  });

  it("the same key twice in one registration is refused without writing the account", async () => {
    const k = await newKey();
    const id = newAccountId();
    const dup = await t.consortium.api.post("/v1/providers", {
      id,
      name: "Double Key",
      frn: "0030303030",
      contact,
      keys: [k.registration(id), k.registration(id)],
    });
    expectProblem(dup, 422, "duplicate_key", ["/keys/1/publicJwk"]);
    expect(await allProviderNames()).not.toContain("Double Key");
    expect((await t.apiFor(k.key).get("/v1/hop-requests")).status).toBe(401);
  });
});

async function publicJwkOf(p: Party): Promise<unknown> {
  const res = await p.api.get(`/v1/accounts/${p.id}/keys`);
  return res.body.items.find((x: { keyId: string }) => x.keyId === p.key.keyId).publicJwk;
}

async function allProviderNames(): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.consortium.api.get(`/v1/providers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    names.push(...page.body.items.map((a: { name: string }) => a.name));
    cursor = page.body.nextCursor;
  } while (cursor);
  return names;
}
