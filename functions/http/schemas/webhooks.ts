import { z } from "@hono/zod-openapi";
import type { HopRequestView } from "../../domain/access.js";
import { EVENT_TYPES, EVENT_VERSION, hubEventSchema, type PublishedEvent } from "../../domain/events.js";
import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES } from "../../domain/webhooks/delivery.js";
import { ENDPOINT_STATUSES } from "../../domain/webhooks/endpoint.js";
import { Timestamp, type Holds, type SameType } from "./common.js";
import { HopRequestSchema } from "./tracebacks.js";

const IncludeHopRequest = z.boolean().optional().openapi({
  description:
    "Webhooks about a hop request addressed to the endpoint's owner (`hop_request.created`, `.reminder`, `.overdue`) carry it in `data.hopRequest`, exactly as `GET data.path` returns it when the webhook is sent: an automated provider answers without reading it first. Never in the event feed; absent when the hop could not be read (fetch it then). Off unless set.",
});

export const NewEndpointSchema = z
  .object({
    url: z.string().url().max(2048).openapi({ example: "https://hooks.carrier.example/hoptrace" }),
    eventTypes: z
      .array(z.enum(EVENT_TYPES))
      .min(1)
      .max(EVENT_TYPES.length)
      .openapi({ example: ["hop_request.created", "hop_request.reminder", "hop_request.overdue"] }),
    description: z.string().max(500).optional(),
    includeHopRequest: IncludeHopRequest,
  })
  .strict()
  .openapi("NewWebhookEndpoint", {
    example: {
      url: "https://hooks.carrier.example/hoptrace",
      eventTypes: ["hop_request.created", "hop_request.reminder", "hop_request.overdue"],
      description: "Traceback desk queue",
    },
  });

const ENDPOINT_EXAMPLE = {
  id: "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  url: "https://hooks.carrier.example/hoptrace",
  eventTypes: ["hop_request.created", "hop_request.reminder", "hop_request.overdue"],
  description: "Traceback desk queue",
  status: "active",
  createdAt: "2024-06-01T14:10:00.000Z",
  consecutiveFailures: 0,
};

export const EndpointSchema = z
  .object({
    id: z.string().openapi({ example: "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
    accountId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.enum(EVENT_TYPES)),
    description: z.string().optional(),
    includeHopRequest: IncludeHopRequest,
    status: z.enum(ENDPOINT_STATUSES),
    statusReason: z.string().optional(),
    createdAt: z.string(),
    consecutiveFailures: z.number().int(),
    failingSince: z.string().optional(),
  })
  .openapi("WebhookEndpoint", { example: ENDPOINT_EXAMPLE });

export const EndpointWithSecretSchema = z
  .object({
    endpoint: EndpointSchema,
    secret: z.string().openapi({ description: "Standard Webhooks secret (`whsec_...`). Shown only once.", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
  })
  .openapi("WebhookEndpointWithSecret", { example: { endpoint: ENDPOINT_EXAMPLE, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } });

export const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    at: z.string(),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    status: z.number().int().optional().openapi({ description: "HTTP status the endpoint answered." }),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  })
  .openapi("DeliveryAttempt");

export const DeliverySchema = z
  .object({
    eventId: z.string(),
    endpointId: z.string(),
    accountId: z.string(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    attempts: z.array(AttemptSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
    nextAttemptAt: z.string().optional().openapi({ description: "When retrying: the next attempt." }),
  })
  .openapi("Delivery", {
    example: {
      eventId: "evt_hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2.created",
      endpointId: "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      eventType: "hop_request.created",
      status: "delivered",
      attemptCount: 2,
      attempts: [
        { attempt: 1, at: "2024-06-03T16:05:00.120Z", outcome: "throttled", status: 503, latencyMs: 38 },
        { attempt: 2, at: "2024-06-03T16:06:00.410Z", outcome: "delivered", status: 204, latencyMs: 41 },
      ],
      createdAt: "2024-06-03T16:05:00.100Z",
      updatedAt: "2024-06-03T16:06:00.410Z",
    },
  });

const event = hubEventSchema.shape;

/**
 * An event, as a webhook delivers it and as the feed lists it: one shape, versioned by `version`
 * (docs/protocol.md §3). Thin on purpose: ids, a due time and the path to fetch the details from.
 * Its members are the domain's `hubEventSchema` and `version`; the domain builds its schemas with
 * zod itself, which under vitest lacks `.openapi()` (the extension lands on another copy of zod),
 * so they carry their documentation by zod's own `.meta()`, which the generator reads.
 */
export const EventSchema = z
  .object({
    id: event.id.meta({
      example: "evt_hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2.created",
      description: "The event id; in a delivery also the `webhook-id` header, identical on every retry.",
    }),
    version: z.literal(EVENT_VERSION).openapi({
      description: "The version of this shape. A webhook body without it is of version 1 (snake_case, an absolute `url`), which no hub sends any more.",
    }),
    type: event.type,
    createdAt: event.createdAt,
    recipientId: event.recipientId.meta({ description: "The account the event is addressed to." }),
    data: event.data.extend({
      path: event.data.shape.path.meta({
        description: "Where to fetch the resource through the signed API, relative to the API's base URL (e.g. `/v1/hop-requests/{hopId}`).",
      }),
      // Described by `includeHopRequest`: a description here would be lost on the reference in the webhooks document.
      hopRequest: HopRequestSchema.optional(),
    }),
  })
  .openapi("Event", {
    example: {
      id: "evt_hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2.created",
      version: EVENT_VERSION,
      type: "hop_request.created",
      createdAt: "2024-06-03T16:05:00.000Z",
      recipientId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      data: {
        tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
        hopId: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2",
        dueAt: "2024-06-04T16:05:00.000Z",
        path: "/v1/hop-requests/hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2",
      },
    },
  });
export type Event = z.infer<typeof EventSchema>;
/**
 * What `publishedEvent` sends is what the contract describes; the hop request it may carry is the
 * view `GET /v1/hop-requests/{hopId}` answers with, which its schema holds (that route checks it).
 */
export type EventIsPublished = [
  Holds<SameType<WithoutHopRequest<Event>, WithoutHopRequest<PublishedEvent>>>,
  Holds<SameType<keyof NonNullable<Event["data"]["hopRequest"]>, keyof HopRequestView>>,
  Holds<HopRequestView extends NonNullable<Event["data"]["hopRequest"]> ? true : false>,
];
type WithoutHopRequest<E extends { data: object }> = Omit<E, "data"> & { data: Omit<E["data"], "hopRequest"> };

export const RedeliverSinceSchema = z
  .object({ since: Timestamp })
  .strict()
  .openapi("RedeliverSince", { example: { since: "2024-06-03T00:00:00Z" } });
export const RedeliverEventSchema = z
  .object({ endpointId: z.string().max(64).optional() })
  .strict()
  .openapi("RedeliverEvent", { example: { endpointId: "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" } });
export const QueuedSchema = z.object({ queued: z.number().int() }).openapi("Queued", { example: { queued: 3 } });
