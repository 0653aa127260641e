import { sign as edSign, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import {
  messageFromHeaders,
  SIGNATURE_TAG,
  signatureBase,
  SignatureBaseError,
  signMessage,
  verifyMessage,
  type SignatureParams,
  type VerifyOptions,
} from "../../functions/crypto/httpsig.js";
import { generateSigningKey, type SigningKeyPair } from "../../functions/crypto/keys.js";

const NOW = 1_800_000_000;
const TARGET = "https://api.hoptrace.example/v1/tracebacks";
const BODY = '{"call":{"from":"+12025550100"}}';
const COMPONENTS = ["@method", "@target-uri", "content-type", "content-digest"];
const BASE_HEADERS = { "Content-Type": "application/json", "Content-Digest": contentDigest(BODY) };

let key: SigningKeyPair;
let otherKey: SigningKeyPair;

beforeAll(async () => {
  key = await generateSigningKey();
  otherKey = await generateSigningKey();
});

function profileParams(overrides: Partial<SignatureParams> = {}): SignatureParams {
  return { created: NOW, expires: NOW + 300, keyid: key.kid, alg: "ed25519", tag: SIGNATURE_TAG, ...overrides };
}

function signed(opts: { params?: SignatureParams; components?: string[]; privateKey?: KeyObject; label?: string; headers?: Record<string, string> } = {}) {
  const headers = { ...BASE_HEADERS, ...opts.headers };
  const result = signMessage({
    label: opts.label ?? "sig1",
    components: opts.components ?? COMPONENTS,
    params: opts.params ?? profileParams(),
    privateKey: opts.privateKey ?? key.privateKey,
    message: messageFromHeaders({ method: "POST", targetUri: TARGET, headers }),
  });
  return { headers: { ...headers, "Signature-Input": result.signatureInput, Signature: result.signature } };
}

function verify(headers: Record<string, string | undefined>, overrides: Partial<VerifyOptions> & { targetUri?: string; method?: string } = {}) {
  const { targetUri = TARGET, method = "POST", ...rest } = overrides;
  return verifyMessage({
    message: messageFromHeaders({ method, targetUri, headers }),
    resolveKey: async (keyid) => (keyid === key.kid ? key.publicKey : undefined),
    now: NOW + 10,
    maxSkewSeconds: 60,
    maxLifetimeSeconds: 300,
    requiredTag: SIGNATURE_TAG,
    requiredComponents: COMPONENTS,
    requireExpires: true,
    ...rest,
  });
}

describe("verifyMessage accepts", () => {
  it("a valid profile signature and reports what it covered", async () => {
    const { headers } = signed();
    const result = await verify(headers);
    expect(result).toMatchObject({
      ok: true,
      keyid: key.kid,
      label: "sig1",
      components: COMPONENTS,
      params: profileParams(),
    });
    if (!result.ok) throw new Error("expected success");
    expect(result.signature).toHaveLength(64);
    expect(result.signatureBase.split("\n")).toEqual([
      '"@method": POST',
      `"@target-uri": ${TARGET}`,
      '"content-type": application/json',
      `"content-digest": ${BASE_HEADERS["Content-Digest"]}`,
      `"@signature-params": ("@method" "@target-uri" "content-type" "content-digest");created=${NOW};expires=${NOW + 300};keyid="${key.kid}";alg="ed25519";tag="${SIGNATURE_TAG}"`,
    ]);
  });

  it("header names in any case, through a Fetch Headers object", async () => {
    const { headers } = signed();
    const result = await verifyMessage({
      message: messageFromHeaders({ method: "POST", targetUri: TARGET, headers: new Headers(headers) }),
      resolveKey: async () => key.publicKey,
      now: NOW,
      maxSkewSeconds: 60,
      maxLifetimeSeconds: 300,
      requiredComponents: COMPONENTS,
    });
    expect(result.ok).toBe(true);
  });

  it("the signature with the required tag when several are present", async () => {
    const other = signed({ label: "proxy", params: profileParams({ tag: "someone-else", keyid: otherKey.kid }), privateKey: otherKey.privateKey });
    const ours = signed();
    const headers = {
      ...BASE_HEADERS,
      "Signature-Input": `${other.headers["Signature-Input"]}, ${ours.headers["Signature-Input"]}`,
      Signature: `${other.headers.Signature}, ${ours.headers.Signature}`,
    };
    expect(await verify(headers)).toMatchObject({ ok: true, label: "sig1" });
    expect(await verify(headers, { label: "proxy" })).toEqual({ ok: false, reason: "wrong_tag" });
  });

  it("signatures on the edge of the allowed clock skew", async () => {
    const { headers } = signed({ params: profileParams({ created: NOW + 60, expires: NOW + 120 }) });
    expect((await verify(headers, { now: NOW })).ok).toBe(true);
    const old = signed({ params: profileParams({ created: NOW - 300, expires: NOW - 60 }) });
    expect((await verify(old.headers, { now: NOW })).ok).toBe(true);
  });
});

describe("verifyMessage refuses with a stable reason", () => {
  it("malformed: missing or unparseable signature headers", async () => {
    const { headers } = signed();
    expect(await verify({ ...headers, Signature: undefined })).toEqual({ ok: false, reason: "malformed" });
    expect(await verify({ ...headers, "Signature-Input": undefined })).toEqual({ ok: false, reason: "malformed" });
    expect(await verify({ ...headers, "Signature-Input": 'sig1=("@method"' })).toEqual({ ok: false, reason: "malformed" });
    expect(await verify({ ...headers, Signature: 'sig1="not bytes"' })).toEqual({ ok: false, reason: "malformed" });
    expect(await verify({ ...headers, Signature: "other=:AAAA:" })).toEqual({ ok: false, reason: "malformed" });
    expect(await verify(headers, { label: "nope" })).toEqual({ ok: false, reason: "malformed" });
  });

  it("malformed: profile parameters missing or of the wrong type", async () => {
    const input = (params: string) =>
      verify({ ...signed().headers, "Signature-Input": `sig1=("@method" "@target-uri" "content-type" "content-digest")${params}` });
    expect(await input(`;expires=${NOW + 300};keyid="${key.kid}";tag="${SIGNATURE_TAG}"`)).toEqual({ ok: false, reason: "malformed" });
    expect(await input(`;created=${NOW};expires=${NOW + 300};tag="${SIGNATURE_TAG}"`)).toEqual({ ok: false, reason: "malformed" });
    expect(await input(`;created="${NOW}";keyid="${key.kid}";tag="${SIGNATURE_TAG}"`)).toEqual({ ok: false, reason: "malformed" });
    expect(await input(`;created=${NOW}.5;keyid="${key.kid}";tag="${SIGNATURE_TAG}"`)).toEqual({ ok: false, reason: "malformed" });
    expect(await input(`;created=${NOW};expires=${NOW - 1};keyid="${key.kid}";tag="${SIGNATURE_TAG}"`)).toEqual({ ok: false, reason: "malformed" });
  });

  it("malformed: created or expires spelled as a decimal or with an exponent, whichever form was signed", async () => {
    const { headers } = signed();
    const input = headers["Signature-Input"];
    const respelled = [
      input.replace(`created=${NOW};`, `created=${NOW}.0;`),
      input.replace(`expires=${NOW + 300};`, `expires=${NOW + 300}.0;`),
      input.replace(`created=${NOW};`, "created=1.8e9;"),
    ];
    for (const spelling of respelled) {
      expect(spelling).not.toBe(input);
      // Signed over the canonical serialisation and sent respelled...
      expect(await verify({ ...headers, "Signature-Input": spelling }), spelling).toEqual({ ok: false, reason: "malformed" });
    }
    // ...or signed over exactly the respelled bytes: refused all the same.
    const components = COMPONENTS.map((c) => `"${c}"`).join(" ");
    const decimalParams = `(${components});created=${NOW}.0;expires=${NOW + 300};keyid="${key.kid}";alg="ed25519";tag="${SIGNATURE_TAG}"`;
    const base = [
      '"@method": POST',
      `"@target-uri": ${TARGET}`,
      '"content-type": application/json',
      `"content-digest": ${BASE_HEADERS["Content-Digest"]}`,
      `"@signature-params": ${decimalParams}`,
    ].join("\n");
    const signature = edSign(null, Buffer.from(base), key.privateKey).toString("base64");
    expect(await verify({ ...BASE_HEADERS, "Signature-Input": `sig1=${decimalParams}`, Signature: `sig1=:${signature}:` })).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("malformed: a Signature-Input member that is not in its serialised form", async () => {
    const { headers } = signed();
    const input = headers["Signature-Input"];
    for (const spelling of [
      input.replace('"@method" "@target-uri"', '"@method"  "@target-uri"'),
      input.replace(";keyid", "; keyid"),
      input.replace("sig1=(", "sig1=( "),
    ]) {
      expect(spelling).not.toBe(input);
      expect(await verify({ ...headers, "Signature-Input": spelling }), spelling).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("accepts a member as sent whatever surrounds it, strings with commas and quotes included", async () => {
    const { headers } = signed({ params: profileParams({ nonce: 'a, b="c", \\"d\\"' }) });
    expect(headers["Signature-Input"]).toContain('nonce="a, b=\\"c\\", \\\\\\"d\\\\\\""');
    const result = await verify({ ...headers, "Signature-Input": `other=("@method");keyid="x",  ${headers["Signature-Input"]}  , last=()` });
    expect(result).toMatchObject({ ok: true, params: { nonce: 'a, b="c", \\"d\\"' } });
  });

  it("malformed: covered components outside the profile", async () => {
    const withComponents = (list: string) =>
      verify(
        { ...signed().headers, "Signature-Input": `sig1=(${list});created=${NOW};expires=${NOW + 300};keyid="${key.kid}";tag="${SIGNATURE_TAG}"` },
        { requiredComponents: [] },
      );
    expect(await withComponents('"@method" "@method"')).toEqual({ ok: false, reason: "malformed" });
    expect(await withComponents('"content-digest";sf')).toEqual({ ok: false, reason: "malformed" });
    expect(await withComponents('"Content-Type"')).toEqual({ ok: false, reason: "malformed" });
    expect(await withComponents("method")).toEqual({ ok: false, reason: "malformed" });
    expect(await withComponents('"@signature-params"')).toEqual({ ok: false, reason: "malformed" });
  });

  it("missing_component: a required component is not covered", async () => {
    const { headers } = signed({ components: ["@method", "@target-uri", "content-type"] });
    expect(await verify(headers)).toEqual({ ok: false, reason: "missing_component" });
  });

  it("missing_component: a covered header is absent from the message", async () => {
    const { headers } = signed({ components: [...COMPONENTS, "idempotency-key"], headers: { "Idempotency-Key": "k1" } });
    expect((await verify(headers)).ok).toBe(true);
    expect(await verify({ ...headers, "Idempotency-Key": undefined })).toEqual({ ok: false, reason: "missing_component" });
  });

  it("wrong_tag", async () => {
    expect(await verify(signed({ params: profileParams({ tag: "other-profile" }) }).headers)).toEqual({ ok: false, reason: "wrong_tag" });
    expect(await verify(signed({ params: profileParams({ tag: undefined }) }).headers)).toEqual({ ok: false, reason: "wrong_tag" });
  });

  it("wrong_alg", async () => {
    expect(await verify(signed({ params: profileParams({ alg: "rsa-pss-sha512" }) }).headers)).toEqual({ ok: false, reason: "wrong_alg" });
  });

  it("unknown_key", async () => {
    const { headers } = signed({ params: profileParams({ keyid: otherKey.kid }), privateKey: otherKey.privateKey });
    expect(await verify(headers)).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("not_yet_valid: created too far in the future", async () => {
    const { headers } = signed({ params: profileParams({ created: NOW + 61, expires: NOW + 120 }) });
    expect(await verify(headers, { now: NOW })).toEqual({ ok: false, reason: "not_yet_valid" });
  });

  it("expired: expires passed beyond the skew, or too old without expires", async () => {
    const { headers } = signed({ params: profileParams({ created: NOW - 300, expires: NOW - 61 }) });
    expect(await verify(headers, { now: NOW })).toEqual({ ok: false, reason: "expired" });
    const open = signed({ params: profileParams({ created: NOW - 361, expires: undefined }) });
    expect(await verify(open.headers, { now: NOW, requireExpires: false })).toEqual({ ok: false, reason: "expired" });
  });

  it("lifetime_too_long: expires too far after created, or absent when required", async () => {
    const { headers } = signed({ params: profileParams({ expires: NOW + 301 }) });
    expect(await verify(headers)).toEqual({ ok: false, reason: "lifetime_too_long" });
    const open = signed({ params: profileParams({ expires: undefined }) });
    expect(await verify(open.headers)).toEqual({ ok: false, reason: "lifetime_too_long" });
    expect((await verify(open.headers, { requireExpires: false })).ok).toBe(true);
  });

  it("bad_signature: a tampered covered header", async () => {
    const { headers } = signed();
    expect(await verify({ ...headers, "Content-Type": "text/plain" })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ ...headers, "Content-Digest": contentDigest("{}") })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("bad_signature: a different target URI or method", async () => {
    const { headers } = signed();
    expect(await verify(headers, { targetUri: `${TARGET}/` })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify(headers, { targetUri: "https://evil.example/v1/tracebacks" })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify(headers, { method: "PUT" })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("bad_signature: signed by another key than the keyid names", async () => {
    const { headers } = signed({ privateKey: otherKey.privateKey });
    expect(await verify(headers)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("bad_signature: parameters changed after signing", async () => {
    const { headers } = signed();
    const stretched = headers["Signature-Input"].replace(`expires=${NOW + 300}`, `expires=${NOW + 200}`);
    expect(await verify({ ...headers, "Signature-Input": stretched })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("bad_signature: a signature of the wrong length", async () => {
    const { headers } = signed();
    expect(await verify({ ...headers, Signature: "sig1=:AAAA:" })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("never throws on arbitrary header values", async () => {
    for (const value of ["", " ", "sig1", "sig1=", "sig1=()", "=,=", "sig1=:::", "\u00ff", 'sig1=("@method");created=-1']) {
      const result = await verify({ ...BASE_HEADERS, "Signature-Input": value, Signature: value });
      expect(result.ok, value).toBe(false);
    }
  });

  it("lets a failing key store surface as an error rather than a refusal", async () => {
    const { headers } = signed();
    await expect(
      verify(headers, {
        resolveKey: async () => {
          throw new Error("store unavailable");
        },
      }),
    ).rejects.toThrow("store unavailable");
  });
});

describe("signatureBase", () => {
  const message = messageFromHeaders({
    method: "GET",
    targetUri: "https://API.Example.com:443/v1/hops?state=open&limit=10",
    headers: { "X-Multi": ["  a ", "b\n  c"], Accept: "application/json" },
  });

  it("derives the RFC 9421 components from the target URI", () => {
    const base = signatureBase(["@method", "@authority", "@scheme", "@path", "@query", "@request-target", "x-multi"], { created: 1, keyid: "k" }, message);
    expect(base.split("\n")).toEqual([
      '"@method": GET',
      '"@authority": api.example.com',
      '"@scheme": https',
      '"@path": /v1/hops',
      '"@query": ?state=open&limit=10',
      '"@request-target": /v1/hops?state=open&limit=10',
      '"x-multi": a, b c',
      '"@signature-params": ("@method" "@authority" "@scheme" "@path" "@query" "@request-target" "x-multi");created=1;keyid="k"',
    ]);
  });

  it("keeps the given parameter order", () => {
    const base = signatureBase(["@method"], { keyid: "k", nonce: "n", created: 5 }, message);
    expect(base.endsWith('("@method");keyid="k";nonce="n";created=5')).toBe(true);
  });

  it("covers @status only for responses", () => {
    const response = messageFromHeaders({ status: 201, headers: {} });
    expect(signatureBase(["@status"], {}, response)).toBe('"@status": 201\n"@signature-params": ("@status")');
    expect(() => signatureBase(["@status"], {}, message)).toThrow(SignatureBaseError);
    expect(() => signatureBase(["@method"], {}, response)).toThrow(SignatureBaseError);
  });

  it("refuses absent headers, unknown derived components and bad parameters", () => {
    expect(() => signatureBase(["content-digest"], {}, message)).toThrow(SignatureBaseError);
    expect(() => signatureBase(["@query-param"], {}, message)).toThrow(SignatureBaseError);
    expect(() => signatureBase(["@method"], { created: 1.5 }, message)).toThrow(SignatureBaseError);
    expect(() => signatureBase(["@method"], { keyid: "ключ" }, message)).toThrow(SignatureBaseError);
  });
});
