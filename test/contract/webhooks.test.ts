import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateSigningKey, jwkThumbprint } from "../../functions/crypto/keys.js";
import { publicJwks } from "../../functions/crypto/receipt.js";
import { signWebhook } from "../../functions/crypto/standard-webhooks.js";
import { EVENT_VERSION } from "../../functions/domain/events.js";
import { EventSchema } from "../../functions/http/schemas/webhooks.js";
import { verifyHubSignature, verifyWebhook, WebhookVerificationError } from "../../openapi/client/webhooks.js";
import { DOCUMENT_PATH } from "../../openapi/generate.js";
import {
  EXAMPLE_DELIVERED_AT,
  EXAMPLE_HUB_JWK,
  EXAMPLE_HUB_KID,
  EXAMPLE_WEBHOOK_SECRET,
  exampleDeliveries,
} from "../../functions/http/schemas/webhook-examples.js";

const doc = JSON.parse(readFileSync(DOCUMENT_PATH, "utf8")) as { webhooks: Record<string, { post: any }> };
const { x, kty, crv } = EXAMPLE_HUB_JWK;
const exampleJwks = publicJwks([{ publicJwk: { kty, crv, x }, kid: EXAMPLE_HUB_KID }]);
const now = EXAMPLE_DELIVERED_AT;

/** A delivery as the document shows it: headers from the parameter examples, the body from the payload example. */
function documented(type: string) {
  const post = doc.webhooks[type]!.post;
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const p of post.parameters) headers[p.name] = p.schema.example;
  return { headers, body: JSON.stringify(post.requestBody.content["application/json"].example) };
}

async function refusal(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
  return "accepted";
}

describe("webhook examples in the contract", () => {
  it("are signed by the published test key, whose thumbprint is the documented keyid", async () => {
    expect(await jwkThumbprint({ kty, crv, x })).toBe(EXAMPLE_HUB_KID);
    expect(createPublicKey({ key: { kty, crv, x }, format: "jwk" }).asymmetricKeyType).toBe("ed25519");
  });

  for (const { type } of exampleDeliveries()) {
    it(`${type}: the documented delivery verifies with verifyWebhook, verifyHubSignature and the standardwebhooks library`, async () => {
      const { headers, body } = documented(type);
      const payload = verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers, body, now });
      expect(payload.type).toBe(type);
      expect(payload.id).toBe(headers["webhook-id"]);
      expect(await verifyHubSignature({ headers, body, jwks: exampleJwks, now })).toEqual({ keyId: EXAMPLE_HUB_KID });
      const independent = new Webhook(EXAMPLE_WEBHOOK_SECRET);
      const realNow = Date.now;
      Date.now = () => now.getTime();
      try {
        expect(independent.verify(body, headers)).toEqual(payload);
      } finally {
        Date.now = realNow;
      }
    });
  }
});

describe("verifyWebhook", () => {
  const { headers, body } = documented("hop_request.created");

  it("accepts any of several secrets, as during a rotation", () => {
    expect(verifyWebhook({ secret: ["whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", EXAMPLE_WEBHOOK_SECRET], headers, body, now }).type).toBe(
      "hop_request.created",
    );
  });

  it("reads Node's header records and Fetch Headers alike", () => {
    expect(verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers: new Headers(headers), body: new TextEncoder().encode(body), now }).id).toBe(
      headers["webhook-id"],
    );
  });

  it("refuses a changed body, a wrong secret, a stale or missing timestamp and a body for another id", async () => {
    const tampered = body.replace("hop_request.created", "hop_request.cancelled");
    expect(await refusal(() => verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers, body: tampered, now }))).toBe("invalid_signature");
    expect(await refusal(() => verifyWebhook({ secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", headers, body, now }))).toBe("invalid_signature");
    expect(await refusal(() => verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers, body, now: new Date(now.getTime() + 301_000) }))).toBe(
      "timestamp_out_of_range",
    );
    const { "webhook-timestamp": _t, ...noTimestamp } = headers;
    expect(await refusal(() => verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers: noTimestamp, body, now }))).toBe("missing_header");
    const other = documented("hop_request.cancelled");
    expect(
      await refusal(() =>
        verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers: { ...other.headers, "webhook-id": headers["webhook-id"]! }, body: other.body, now }),
      ),
    ).toBe("invalid_signature");
  });
});

describe("the event shape", () => {
  it("every documented delivery is the Event of the feed, strictly, as the hub publishes it", () => {
    for (const { type, payload, body } of exampleDeliveries()) {
      expect(EventSchema.strict().extend({ data: EventSchema.shape.data.strict() }).parse(JSON.parse(body)), type).toEqual(payload);
      expect(Object.keys(payload)).toEqual(["id", "version", "type", "createdAt", "recipientId", "data"]);
      expect(payload.version).toBe(EVENT_VERSION);
    }
  });

  it("verifyWebhook refuses a body of another version, properly signed, naming the version", async () => {
    const id = "evt_old_shape";
    const timestamp = Math.floor(now.getTime() / 1000);
    for (const [old, version] of [
      [
        {
          id,
          type: "hop_request.created",
          created_at: now.toISOString(),
          recipient: "acc_x",
          data: { hop_id: "hop_x_1", url: "https://api.example/v1/hop-requests/hop_x_1" },
        },
        "1",
      ],
      [{ id, version: 3, type: "hop_request.created", createdAt: now.toISOString(), recipientId: "acc_x", data: {} }, "3"],
    ] as const) {
      const body = JSON.stringify(old);
      const headers = {
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook([EXAMPLE_WEBHOOK_SECRET], id, timestamp, body),
      };
      expect(() => verifyWebhook({ secret: EXAMPLE_WEBHOOK_SECRET, headers, body, now })).toThrow(
        `the event is of version ${version}; this client reads version 2`,
      );
    }
  });
});

describe("verifyHubSignature", () => {
  const { headers, body } = documented("traceback.completed");

  it("refuses a body that does not match the signed digest", async () => {
    expect(await refusal(() => verifyHubSignature({ headers, body: body.replace("originator_found", "no_record"), jwks: exampleJwks, now }))).toBe(
      "digest_mismatch",
    );
  });

  it("refuses a changed signed header, an unknown key and an expired signature", async () => {
    expect(await refusal(() => verifyHubSignature({ headers: { ...headers, "webhook-id": "evt_other" }, body, jwks: exampleJwks, now }))).toBe(
      "invalid_signature",
    );
    const stranger = await generateSigningKey();
    expect(await refusal(() => verifyHubSignature({ headers, body, jwks: publicJwks([{ publicJwk: stranger.publicJwk, kid: stranger.kid }]), now }))).toBe(
      "invalid_signature",
    );
    const otherKeySameKid = publicJwks([{ publicJwk: stranger.publicJwk, kid: EXAMPLE_HUB_KID }]);
    expect(await refusal(() => verifyHubSignature({ headers, body, jwks: otherKeySameKid, now }))).toBe("invalid_signature");
    expect(await refusal(() => verifyHubSignature({ headers, body, jwks: exampleJwks, now: new Date(now.getTime() + 3_600_000) }))).toBe(
      "timestamp_out_of_range",
    );
  });

  it("refuses a delivery whose signature does not cover the webhook headers", async () => {
    const { signature: _s, "signature-input": _i, ...unsigned } = headers;
    expect(await refusal(() => verifyHubSignature({ headers: unsigned, body, jwks: exampleJwks, now }))).not.toBe("accepted");
  });
});
