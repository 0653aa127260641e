/**
 * Events the hub emits. Payloads are thin on purpose (docs/protocol.md §3): ids, a due time and where
 * to fetch the details through the signed API, never the call itself or any personal data.
 */
import { z } from "zod";
import { derivedEventId } from "./ids.js";
import type { HopRequestView } from "./access.js";
import type { Hop, Traceback } from "./traceback.js";

export const EVENT_TYPES = [
  "hop_request.created",
  "hop_request.reminder",
  "hop_request.overdue",
  "hop_request.cancelled",
  "traceback.completed",
  "endpoint.test",
  "endpoint.paused",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * An event as the hub keeps it and queues it for delivery: the one statement of its members,
 * which the contract's `Event` and the delivery queue's messages are built from.
 */
const maybe = z.string().optional();
export const hubEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  createdAt: z.string(),
  recipientId: z.string(),
  data: z.object({
    tracebackId: maybe,
    hopId: maybe,
    dueAt: maybe,
    outcome: maybe,
    /** API path of the resource to fetch, relative to the public API URL. */
    path: maybe,
    endpointId: maybe,
    reason: maybe,
  }),
});
export type HubEvent = z.infer<typeof hubEventSchema>;

/**
 * The version of the shape an event leaves the hub in, in a webhook body and in the feed alike
 * (docs/protocol.md §3). Version 1 was the snake_case webhook body with an absolute `url`, which
 * webhooks sent before `version` existed: a body without it is of version 1.
 */
export const EVENT_VERSION = 2;

/**
 * An event as receivers and feed readers get it: the same members, in the same order, everywhere.
 * A webhook to an endpoint that asked for it carries the hop request too (`data.hopRequest`), as
 * its recipient reads it at the path named; the feed and the event as kept never do.
 */
export type PublishedEvent = { [K in keyof Versioned]: Versioned[K] };
type Versioned = Omit<HubEvent, "data"> & { version: typeof EVENT_VERSION; data: HubEvent["data"] & { hopRequest?: HopRequestView } };

/** Only the event's own members: whatever else a stored copy holds stays inside. */
export function publishedEvent(event: HubEvent, hopRequest?: HopRequestView): PublishedEvent {
  const data = hopRequest ? { ...event.data, hopRequest } : event.data;
  return { id: event.id, version: EVENT_VERSION, type: event.type, createdAt: event.createdAt, recipientId: event.recipientId, data };
}

export const hopRequestPath = (hopId: string) => `/v1/hop-requests/${hopId}`;
export const tracebackPath = (tracebackId: string) => `/v1/tracebacks/${tracebackId}`;

export function hopRequestCreated(hop: Hop): HubEvent {
  return {
    id: derivedEventId(hop.id, "created"),
    type: "hop_request.created",
    createdAt: hop.createdAt,
    recipientId: hop.providerId!,
    data: { tracebackId: hop.tracebackId, hopId: hop.id, ...(hop.deadline && { dueAt: hop.deadline.dueAt }), path: hopRequestPath(hop.id) },
  };
}

export function hopRequestReminder(hop: Hop, index: number): HubEvent {
  return {
    id: derivedEventId(hop.id, `reminder-${index + 1}`),
    type: "hop_request.reminder",
    createdAt: hop.deadline?.reminders?.[index] ?? hop.createdAt,
    recipientId: hop.providerId!,
    data: { tracebackId: hop.tracebackId, hopId: hop.id, ...(hop.deadline && { dueAt: hop.deadline.dueAt }), path: hopRequestPath(hop.id) },
  };
}

/** Overdue goes to the provider asked and to the initiator of the traceback. */
export function hopRequestOverdue(hop: Hop, initiatorId: string): HubEvent[] {
  return [hop.providerId!, initiatorId].map((recipientId) => ({
    id: derivedEventId(hop.id, `overdue.${recipientId}`),
    type: "hop_request.overdue" as const,
    createdAt: hop.overdueAt ?? hop.createdAt,
    recipientId,
    data: {
      tracebackId: hop.tracebackId,
      hopId: hop.id,
      ...(hop.deadline && { dueAt: hop.deadline.dueAt }),
      path: recipientId === initiatorId ? tracebackPath(hop.tracebackId) : hopRequestPath(hop.id),
    },
  }));
}

export function hopRequestCancelled(hop: Hop, at: string): HubEvent {
  return {
    id: derivedEventId(hop.id, "cancelled"),
    type: "hop_request.cancelled",
    createdAt: at,
    recipientId: hop.providerId!,
    data: { tracebackId: hop.tracebackId, hopId: hop.id, path: hopRequestPath(hop.id) },
  };
}

export function tracebackCompleted(tb: Traceback): HubEvent {
  return {
    id: derivedEventId(tb.id, "completed"),
    type: "traceback.completed",
    createdAt: tb.result?.decidedAt ?? tb.createdAt,
    recipientId: tb.initiatorId,
    data: { tracebackId: tb.id, ...(tb.result && { outcome: tb.result.outcome }), path: tracebackPath(tb.id) },
  };
}
