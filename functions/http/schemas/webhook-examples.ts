/**
 * One example delivery per event type, produced by the hub's own request builder with a published
 * test key and secret, so the documented headers are real signatures a receiver can check.
 */
import { createPrivateKey } from "node:crypto";
import { EVENT_TYPES, hopRequestPath, tracebackPath, type EventType, type HubEvent } from "../../domain/events.js";
import type { Event } from "./webhooks.js";
import { webhookRequest } from "../../usecases/webhook-request.js";

/** The secret in the endpoint examples; Standard Webhooks' own documentation uses it too. */
export const EXAMPLE_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** RFC 9421 Appendix B.1.4 `test-key-ed25519`: public knowledge, never a key of a real hub. */
export const EXAMPLE_HUB_JWK = {
  kty: "OKP",
  crv: "Ed25519",
  x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs",
  d: "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
} as const;
/** RFC 7638 thumbprint of EXAMPLE_HUB_JWK: the `keyid` in the example signatures. */
export const EXAMPLE_HUB_KID = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";

export const EXAMPLE_DELIVERED_AT = new Date("2024-06-03T16:05:01Z");

const TRACEBACK = "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const HOP = `hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2`;
const PROVIDER = "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const INITIATOR = "acc_01JD5ZR0K2V8N3X5P7Q9S1T3W5";
const ENDPOINT = "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
const hopData = { tracebackId: TRACEBACK, hopId: HOP, path: hopRequestPath(HOP) };

const EVENTS: Record<EventType, HubEvent> = {
  "hop_request.created": {
    id: `evt_${HOP}.created`,
    type: "hop_request.created",
    createdAt: "2024-06-03T16:05:00.000Z",
    recipientId: PROVIDER,
    data: { ...hopData, dueAt: "2024-06-04T16:05:00.000Z" },
  },
  "hop_request.reminder": {
    id: "evt_01JD60B3M4N5P6Q7R8S9T0V1W2",
    type: "hop_request.reminder",
    createdAt: "2024-06-04T12:05:00.000Z",
    recipientId: PROVIDER,
    data: { ...hopData, dueAt: "2024-06-04T16:05:00.000Z" },
  },
  "hop_request.overdue": {
    id: "evt_01JD62C4N5P6Q7R8S9T0V1W2X3",
    type: "hop_request.overdue",
    createdAt: "2024-06-04T16:05:00.000Z",
    recipientId: PROVIDER,
    data: { ...hopData, dueAt: "2024-06-04T16:05:00.000Z" },
  },
  "hop_request.cancelled": {
    id: `evt_${HOP}.cancelled`,
    type: "hop_request.cancelled",
    createdAt: "2024-06-03T18:00:00.000Z",
    recipientId: PROVIDER,
    data: hopData,
  },
  "traceback.completed": {
    id: `evt_${TRACEBACK}.completed`,
    type: "traceback.completed",
    createdAt: "2024-06-03T19:30:00.000Z",
    recipientId: INITIATOR,
    data: { tracebackId: TRACEBACK, outcome: "originator_found", path: tracebackPath(TRACEBACK) },
  },
  "endpoint.test": {
    id: "evt_01JD5ZT9A1B2C3D4E5F6G7H8J9",
    type: "endpoint.test",
    createdAt: "2024-06-03T16:00:00.000Z",
    recipientId: PROVIDER,
    data: { endpointId: ENDPOINT },
  },
  "endpoint.paused": {
    id: "evt_01JD64D5P6Q7R8S9T0V1W2X3Y4",
    type: "endpoint.paused",
    createdAt: "2024-06-04T09:00:00.000Z",
    recipientId: PROVIDER,
    data: { endpointId: ENDPOINT, reason: "20 consecutive failed deliveries since 2024-06-03T09:00:00.000Z" },
  },
};

export interface ExampleDelivery {
  type: EventType;
  payload: Event;
  body: string;
  headers: Record<string, string>;
}

export function exampleDeliveries(): ExampleDelivery[] {
  const privateKey = createPrivateKey({ key: { ...EXAMPLE_HUB_JWK }, format: "jwk" });
  return EVENT_TYPES.map((type) => {
    const { body, headers } = webhookRequest(EVENTS[type], [EXAMPLE_WEBHOOK_SECRET], { kid: EXAMPLE_HUB_KID, privateKey }, EXAMPLE_DELIVERED_AT);
    return { type, payload: JSON.parse(body) as Event, body, headers };
  });
}
