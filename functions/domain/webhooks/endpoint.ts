/**
 * Webhook endpoints a provider or initiator registers. Secrets rotate with a grace period during
 * which deliveries are signed with both the new and the old secret (Standard Webhooks allows
 * several signatures), so a receiver can switch without missing a delivery.
 */
import { hopRequestPath, type EventType, type HubEvent } from "../events.js";

export const ENDPOINT_STATUSES = ["active", "paused", "disabled"] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export interface EndpointSecret {
  secret: string;
  createdAt: string;
  /** Set when a newer secret replaced this one: valid until then. */
  expiresAt?: string;
}

export interface Endpoint {
  id: string;
  accountId: string;
  url: string;
  eventTypes: EventType[];
  description?: string;
  /**
   * Webhooks about a hop request addressed to the endpoint's owner carry the request itself, as
   * the owner would read it: an automated provider then answers without reading it first.
   */
  includeHopRequest?: boolean;
  status: EndpointStatus;
  statusReason?: string;
  secrets: EndpointSecret[];
  createdAt: string;
  consecutiveFailures: number;
  failingSince?: string;
}

/** The view of an endpoint its owner reads: never the secrets. */
export type EndpointView = Omit<Endpoint, "secrets">;

export function endpointView(e: Endpoint): EndpointView {
  const { secrets: _secrets, ...view } = e;
  return view;
}

function subscribes(e: Endpoint, type: EventType): boolean {
  // Endpoint tests and pause notices concern the endpoint itself and are always delivered.
  return type === "endpoint.test" || e.eventTypes.includes(type);
}

/**
 * Whether `event` is for `e`: only the event's recipient's own endpoints, subscribed to its type,
 * and an endpoint test only to the endpoint tested. Fan-out and every redelivery ask this.
 */
export function receives(e: Endpoint, event: HubEvent): boolean {
  return e.accountId === event.recipientId && subscribes(e, event.type) && (event.type !== "endpoint.test" || e.id === event.data.endpointId);
}

/**
 * Whether a delivery of `event` to `e` carries the hop request: only when its owner asked, and
 * only for the hop request notices addressed to the provider asked (an overdue notice to the
 * initiator points at the traceback and carries nothing more). The hop itself is checked to be
 * the recipient's when it is read.
 */
export function carriesHopRequest(e: Endpoint, event: HubEvent): event is HubEvent & { data: { hopId: string } } {
  return (
    e.includeHopRequest === true &&
    HOP_REQUEST_NOTICES.has(event.type) &&
    event.data.hopId !== undefined &&
    event.data.path === hopRequestPath(event.data.hopId) &&
    e.accountId === event.recipientId
  );
}

const HOP_REQUEST_NOTICES = new Set<EventType>(["hop_request.created", "hop_request.reminder", "hop_request.overdue"]);

export function activeSecrets(e: Endpoint, now: Date): string[] {
  return e.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);
}

export function rotateSecret(e: Endpoint, newSecret: string, now: Date, graceSeconds: number): Endpoint {
  const until = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const kept = e.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime()).map((s) => (s.expiresAt ? s : { ...s, expiresAt: until }));
  return { ...e, secrets: [{ secret: newSecret, createdAt: now.toISOString() }, ...kept] };
}

export interface PausePolicy {
  /** Consecutive failed attempts before an endpoint counts as failing for good... */
  afterFailures: number;
  /** ...and for at least this long. */
  afterSeconds: number;
}

/** The endpoint after one attempt's result, and whether that result paused or disabled it. */
export function recordResult(
  e: Endpoint,
  result: "delivered" | "failed" | "gone",
  now: Date,
  policy: PausePolicy,
): { endpoint: Endpoint; change?: "paused" | "disabled" } {
  if (result === "delivered") {
    const { failingSince: _f, ...rest } = e;
    return { endpoint: { ...rest, consecutiveFailures: 0 } };
  }
  if (result === "gone") {
    return { endpoint: { ...e, status: "disabled", statusReason: "the endpoint answered 410 Gone" }, change: "disabled" };
  }
  const failingSince = e.failingSince ?? now.toISOString();
  const failures = e.consecutiveFailures + 1;
  const failing = { ...e, consecutiveFailures: failures, failingSince };
  if (e.status === "active" && failures >= policy.afterFailures && now.getTime() - Date.parse(failingSince) >= policy.afterSeconds * 1000) {
    return { endpoint: { ...failing, status: "paused", statusReason: `${failures} consecutive failed deliveries since ${failingSince}` }, change: "paused" };
  }
  return { endpoint: failing };
}
