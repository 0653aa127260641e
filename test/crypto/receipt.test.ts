import { CompactSign, createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { generateSigningKey, type SigningKeyPair } from "../../functions/crypto/keys.js";
import { InvalidReceiptError, publicJwks, RECEIPT_TYPE, signReceipt, verifyReceipt, type ReceiptClaims } from "../../functions/crypto/receipt.js";

const CLAIMS: ReceiptClaims = {
  iss: "https://api.hoptrace.example",
  iat: 1_800_000_000,
  jti: "01J9Z3K7Q8REQUEST",
  sub: "acct_01J9Z3K7Q8",
  req: {
    method: "POST",
    target_uri: "https://api.hoptrace.example/v1/hops/h1/answer",
    keyid: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
    signature_input: 'sig1=("@method" "@target-uri");created=1800000000;keyid="poqk"',
    signature: "sig1=:AAAA:",
    content_digest: contentDigest('{"answer":"upstream"}'),
    idempotency_key: "k1",
  },
  res: { status: 201, content_digest: contentDigest('{"id":"h1"}') },
};

let hub: SigningKeyPair;
let previous: SigningKeyPair;

beforeAll(async () => {
  [hub, previous] = await Promise.all([generateSigningKey(), generateSigningKey()]);
});

function tamperPayload(jws: string, change: (claims: ReceiptClaims) => void): string {
  const [header, payload, signature] = jws.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as ReceiptClaims;
  change(claims);
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

describe("receipts", () => {
  it("are byte for byte the JWS a JOSE library signs for the same claims and key", async () => {
    const jose = await new SignJWT({ ...CLAIMS }).setProtectedHeader({ alg: "EdDSA", kid: hub.kid, typ: RECEIPT_TYPE }).sign(hub.privateKey);
    expect(await signReceipt(hub, CLAIMS)).toBe(jose);
  });

  it("sign then verify with the published JWKS", async () => {
    const jws = await signReceipt(hub, CLAIMS);
    expect(decodeProtectedHeader(jws)).toEqual({ alg: "EdDSA", kid: hub.kid, typ: RECEIPT_TYPE });
    const jwks = publicJwks([previous, hub]);
    expect(await verifyReceipt(jws, jwks)).toEqual(CLAIMS);
  });

  it("verify with any JOSE library: jose accepts them with the published JWKS", async () => {
    const jws = await signReceipt(hub, CLAIMS);
    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(publicJwks([previous, hub]) as never), {
      algorithms: ["EdDSA"],
      typ: RECEIPT_TYPE,
    });
    expect(payload).toEqual(CLAIMS);
    expect(protectedHeader.kid).toBe(hub.kid);
  });

  it("publishes public keys only, each with kid, use and alg", () => {
    const jwks = publicJwks([hub]);
    expect(jwks).toEqual({ keys: [{ ...hub.publicJwk, kid: hub.kid, use: "sig", alg: "EdDSA" }] });
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it("keeps optional request members optional", async () => {
    const { content_digest: _digest, idempotency_key: _key, ...req } = CLAIMS.req;
    const claims = { ...CLAIMS, req };
    expect(await verifyReceipt(await signReceipt(hub, claims), publicJwks([hub]))).toEqual(claims);
  });

  it("refuses a tampered receipt", async () => {
    const jws = await signReceipt(hub, CLAIMS);
    const jwks = publicJwks([hub]);
    const altered = [
      tamperPayload(jws, (claims) => {
        claims.res.status = 200;
      }),
      tamperPayload(jws, (claims) => {
        claims.sub = "acct_other";
      }),
      `${jws.slice(0, -2)}${jws.endsWith("AA") ? "BB" : "AA"}`,
      jws.split(".").slice(0, 2).join(".") + ".",
      // The same parts spelled with padding.
      `${jws}==`,
      jws.replace(".", "=."),
      "not-a-jws",
    ];
    for (const candidate of altered) {
      await expect(verifyReceipt(candidate, jwks)).rejects.toBeInstanceOf(InvalidReceiptError);
    }
  });

  it("refuses a receipt whose key is not in the JWKS", async () => {
    const jws = await signReceipt(previous, CLAIMS);
    await expect(verifyReceipt(jws, publicJwks([hub]))).rejects.toMatchObject({ code: "invalid_receipt" });
  });

  it("refuses a JWS of another type signed by the same key", async () => {
    const jwks = publicJwks([hub]);
    const foreign = await new CompactSign(new TextEncoder().encode(JSON.stringify(CLAIMS)))
      .setProtectedHeader({ alg: "EdDSA", kid: hub.kid, typ: "JWT" })
      .sign(hub.privateKey);
    await expect(verifyReceipt(foreign, jwks)).rejects.toBeInstanceOf(InvalidReceiptError);
  });

  it("refuses to sign or accept incomplete claims", async () => {
    const incomplete = { ...CLAIMS, res: { status: 201 } } as unknown as ReceiptClaims;
    await expect(signReceipt(hub, incomplete)).rejects.toBeInstanceOf(InvalidReceiptError);
    const signedIncomplete = await new CompactSign(new TextEncoder().encode(JSON.stringify(incomplete)))
      .setProtectedHeader({ alg: "EdDSA", kid: hub.kid, typ: RECEIPT_TYPE })
      .sign(hub.privateKey);
    await expect(verifyReceipt(signedIncomplete, publicJwks([hub]))).rejects.toBeInstanceOf(InvalidReceiptError);
  });
});
