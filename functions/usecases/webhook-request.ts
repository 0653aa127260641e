/**
 * The HTTP request of one delivery: the event as the feed lists it (ids, due time, the path to
 * fetch, and the hop request itself for an endpoint that asked for it), Standard Webhooks headers signed with the endpoint's secrets, and an RFC 9421 signature
 * by the hub key for receivers that want non-repudiation.
 */
import type { KeyObject } from "node:crypto";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { SIGNATURE_TAG, messageFromHeaders, signMessage } from "../crypto/httpsig.js";
import { WEBHOOK_SIGNATURE_COMPONENTS } from "../../openapi/client/signature-base.js";
import { signWebhook } from "../crypto/standard-webhooks.js";
import type { HopRequestView } from "../domain/access.js";
import { publishedEvent, type HubEvent } from "../domain/events.js";

export function webhookRequest(
  event: HubEvent,
  secrets: string[],
  hubKey: { kid: string; privateKey: KeyObject },
  now: Date,
  hopRequest?: HopRequestView,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(publishedEvent(event, hopRequest));
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-digest": contentDigest(body),
    "webhook-id": event.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secrets, event.id, timestamp, body),
    "user-agent": "Hoptrace-Webhooks/1",
  };
  const { signatureInput, signature } = signMessage({
    components: WEBHOOK_SIGNATURE_COMPONENTS,
    params: { created: timestamp, expires: timestamp + 300, keyid: hubKey.kid, alg: "ed25519", tag: SIGNATURE_TAG },
    privateKey: hubKey.privateKey,
    message: messageFromHeaders({ headers }),
  });
  headers["signature-input"] = signatureInput;
  headers.signature = signature;
  return { body, headers };
}
