/**
 * Events the hub emits. Payloads are thin on purpose (docs/protocol.md §3): ids, a due time and where
 * to fetch the details through the signed API, never the call itself or any personal data.
 */
import { derivedEventId } from "./ids.js";
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

export interface HubEvent {
  id: string;
  type: EventType;
  createdAt: string;
  recipientId: string;
  data: {
    tracebackId?: string;
    hopId?: string;
    dueAt?: string;
    outcome?: string;
    /** API path of the resource to fetch, relative to the public API URL. */
    path?: string;
    endpointId?: string;
    reason?: string;
  };
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
