/**
 * The HTTP request of one delivery: a thin payload (ids, due time, where to fetch), Standard
 * Webhooks headers signed with the endpoint's secrets, and an RFC 9421 signature by the hub key
 * for receivers that want non-repudiation.
 */
import type { KeyObject } from "node:crypto";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { SIGNATURE_TAG, messageFromHeaders, signMessage } from "../crypto/httpsig.js";
import { WEBHOOK_SIGNATURE_COMPONENTS } from "../../openapi/client/signature-base.js";
import { signWebhook } from "../crypto/standard-webhooks.js";
import type { HubEvent } from "../domain/events.js";


export interface WebhookPayload {
  id: string;
  type: string;
  created_at: string;
  recipient: string;
  data: {
    traceback_id?: string;
    hop_id?: string;
    due_at?: string;
    outcome?: string;
    endpoint_id?: string;
    reason?: string;
    url?: string;
  };
}

export function webhookPayload(event: HubEvent, publicUrl: string): WebhookPayload {
  const d = event.data;
  return {
    id: event.id,
    type: event.type,
    created_at: event.createdAt,
    recipient: event.recipientId,
    data: {
      ...(d.tracebackId && { traceback_id: d.tracebackId }),
      ...(d.hopId && { hop_id: d.hopId }),
      ...(d.dueAt && { due_at: d.dueAt }),
      ...(d.outcome && { outcome: d.outcome }),
      ...(d.endpointId && { endpoint_id: d.endpointId }),
      ...(d.reason && { reason: d.reason }),
      ...(d.path && { url: `${publicUrl.replace(/\/$/, "")}${d.path}` }),
    },
  };
}

export function webhookRequest(
  event: HubEvent,
  secrets: string[],
  hubKey: { kid: string; privateKey: KeyObject },
  publicUrl: string,
  now: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(webhookPayload(event, publicUrl));
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
