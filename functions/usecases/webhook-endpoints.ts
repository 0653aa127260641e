/** What a provider (or initiator) does with its webhook endpoints, deliveries and event feed. */
import type { Principal } from "../domain/account.js";
import { ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import type { EventType, HubEvent } from "../domain/events.js";
import type { Delivery } from "../domain/webhooks/delivery.js";
import { endpointView, receives, rotateSecret, type Endpoint, type EndpointView } from "../domain/webhooks/endpoint.js";
import { newWebhookSecret } from "../crypto/standard-webhooks.js";
import { mailChannelOf } from "../domain/mail-notices.js";
import type { Page, PageRequest } from "./ports.js";
import type { WebhookDeps } from "./webhook-ports.js";

const MAX_ENDPOINTS_PER_ACCOUNT = 10;
const MAX_RECOVERY_EVENTS = 1000;

export async function registerEndpoint(
  deps: WebhookDeps,
  p: Principal,
  input: { url: string; eventTypes: EventType[]; description?: string; includeHopRequest?: boolean },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const check = await deps.guard(input.url);
  if (!check.ok) throw new RuleViolationError("webhook_url_refused", `the webhook URL is not allowed: ${check.detail}`, "/url");
  const existing = await deps.webhooks.listEndpoints(p.accountId, { limit: MAX_ENDPOINTS_PER_ACCOUNT });
  if (existing.items.length >= MAX_ENDPOINTS_PER_ACCOUNT)
    throw new RuleViolationError("too_many_endpoints", `at most ${MAX_ENDPOINTS_PER_ACCOUNT} endpoints per account`);
  const now = deps.clock.now().toISOString();
  const secret = newWebhookSecret();
  const endpoint: Endpoint = {
    id: deps.ids.next("ep"),
    accountId: p.accountId,
    url: input.url,
    eventTypes: [...new Set(input.eventTypes)],
    status: "active",
    secrets: [{ secret, createdAt: now }],
    createdAt: now,
    consecutiveFailures: 0,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.includeHopRequest && { includeHopRequest: true }),
  };
  await deps.webhooks.putEndpoint(endpoint);
  return { endpoint: endpointView(endpoint), secret };
}

/**
 * The endpoint, if `p` may act on it: its owner always; the consortium too unless `ownerOnly`
 * (a secret is its owner's alone: whoever holds it can sign webhooks to the owner's receiver).
 */
async function ownEndpoint(deps: WebhookDeps, p: Principal, id: string, opts: { ownerOnly?: boolean } = {}): Promise<Endpoint> {
  const e = await deps.webhooks.getEndpoint(id);
  const allowed = e && (e.accountId === p.accountId || (p.kind === "consortium" && !opts.ownerOnly));
  if (!allowed) throw new NotFoundError(`endpoint ${id} not found`);
  return e;
}

export async function getEndpoint(deps: WebhookDeps, p: Principal, id: string): Promise<EndpointView> {
  return endpointView(await ownEndpoint(deps, p, id));
}

export async function listEndpoints(deps: WebhookDeps, p: Principal, page: PageRequest): Promise<Page<EndpointView>> {
  const result = await deps.webhooks.listEndpoints(p.accountId, page);
  return { ...result, items: result.items.map(endpointView) };
}

/** A new secret; the previous one keeps working for the grace period. */
export async function rotateEndpointSecret(deps: WebhookDeps, p: Principal, id: string): Promise<{ endpoint: EndpointView; secret: string }> {
  const e = await ownEndpoint(deps, p, id, { ownerOnly: true });
  const secret = newWebhookSecret();
  const rotated = rotateSecret(e, secret, deps.clock.now(), deps.webhookSettings.secretGraceSeconds);
  await deps.webhooks.putEndpoint(rotated, { status: e.status, consecutiveFailures: e.consecutiveFailures });
  return { endpoint: endpointView(rotated), secret };
}

/** Re-enables a paused or disabled endpoint (after the receiver was fixed). */
export async function setEndpointStatus(deps: WebhookDeps, p: Principal, id: string, status: "active" | "disabled"): Promise<EndpointView> {
  const e = await ownEndpoint(deps, p, id);
  if (status === "active") {
    const check = await deps.guard(e.url);
    if (!check.ok) throw new RuleViolationError("webhook_url_refused", `the webhook URL is not allowed: ${check.detail}`, "/url");
  }
  const { statusReason: _r, failingSince: _f, ...rest } = e;
  const updated: Endpoint = { ...rest, status, consecutiveFailures: 0, ...(status === "disabled" && { statusReason: "disabled by its owner" }) };
  await deps.webhooks.putEndpoint(updated, { status: e.status, consecutiveFailures: e.consecutiveFailures });
  return endpointView(updated);
}

export async function sendTestEvent(deps: WebhookDeps, p: Principal, id: string): Promise<HubEvent> {
  const e = await ownEndpoint(deps, p, id);
  const event: HubEvent = {
    id: deps.ids.next("evt"),
    type: "endpoint.test",
    createdAt: deps.clock.now().toISOString(),
    recipientId: e.accountId,
    data: { endpointId: e.id },
  };
  await deps.events.publish([event]);
  return event;
}

export async function listDeliveries(deps: WebhookDeps, p: Principal, endpointId: string, page: PageRequest): Promise<Page<Delivery>> {
  await ownEndpoint(deps, p, endpointId);
  return deps.webhooks.listDeliveries(endpointId, page);
}

/** The e-mail notices of an account (the caller's; the consortium's choice), newest first, with every attempt. */
export async function listMailDeliveries(deps: WebhookDeps, p: Principal, page: PageRequest, accountId?: string): Promise<Page<Delivery>> {
  if (accountId !== undefined && accountId !== p.accountId && p.kind !== "consortium")
    throw new ForbiddenError("only the consortium reads other accounts' e-mail notices");
  return deps.webhooks.listDeliveries(mailChannelOf(accountId ?? p.accountId), page);
}

/** The caller's event feed, oldest first: push is a convenience, this is the record. */
export async function listEvents(deps: WebhookDeps, p: Principal, page: PageRequest, opts: { since?: string; recipientId?: string }): Promise<Page<HubEvent>> {
  if (opts.recipientId && opts.recipientId !== p.accountId && p.kind !== "consortium")
    throw new ForbiddenError("only the consortium reads other accounts' events");
  return deps.webhooks.listEvents(opts.recipientId ?? p.accountId, page, opts.since);
}

/**
 * Delivers an event again (same `webhook-id`) to its recipient's endpoints, or to one of them:
 * an endpoint of any other account is not found, whoever asks (the consortium included).
 */
export async function redeliverEvent(deps: WebhookDeps, p: Principal, eventId: string, endpointId?: string): Promise<number> {
  const event = await deps.webhooks.getEvent(eventId);
  if (!event || (event.recipientId !== p.accountId && p.kind !== "consortium")) throw new NotFoundError(`event ${eventId} not found`);
  let endpoints: Endpoint[];
  if (endpointId) {
    const e = await ownEndpoint(deps, p, endpointId);
    if (e.accountId !== event.recipientId) throw new NotFoundError(`endpoint ${endpointId} not found`);
    endpoints = [e];
  } else {
    endpoints = await deps.webhooks.allEndpointsOf(event.recipientId);
  }
  let queued = 0;
  for (const e of endpoints.filter((x) => x.status === "active" && receives(x, event))) if (await requeue(deps, event, e)) queued++;
  return queued;
}

/** Delivers again every event since a time to one endpoint, e.g. after an outage of the receiver. */
export async function redeliverSince(deps: WebhookDeps, p: Principal, endpointId: string, since: string): Promise<number> {
  const e = await ownEndpoint(deps, p, endpointId);
  if (e.status !== "active") throw new RuleViolationError("endpoint_not_active", `endpoint ${endpointId} is ${e.status}; enable it first`);
  let queued = 0;
  let seen = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.webhooks.listEvents(e.accountId, { limit: 100, ...(cursor && { cursor }) }, since);
    for (const event of page.items) if (receives(e, event) && (await requeue(deps, event, e))) queued++;
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && seen < MAX_RECOVERY_EVENTS);
  return queued;
}

/**
 * Queues one more attempt of `event` to `e` now. A delivery waiting for a later retry is pulled
 * forward (its scheduled message then finds the attempt taken and does nothing); one being sent
 * right now is left alone.
 */
async function requeue(deps: WebhookDeps, event: HubEvent, e: Endpoint): Promise<boolean> {
  const now = deps.clock.now();
  const existing = await deps.webhooks.getDelivery(event.id, e.id);
  if (existing?.status === "sending") return false;
  const base: Delivery = existing ?? {
    eventId: event.id,
    endpointId: e.id,
    accountId: e.accountId,
    eventType: event.type,
    status: "retrying",
    attemptCount: 0,
    attempts: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const reset: Delivery = { ...base, status: "retrying", nextAttemptAt: now.toISOString(), updatedAt: now.toISOString() };
  const written = existing
    ? await deps.webhooks.replaceDelivery(reset, { status: existing.status, attemptCount: existing.attemptCount })
    : await deps.webhooks.createDelivery(reset);
  if (!written) return false;
  await deps.queue.send([{ message: { kind: "attempt", eventId: event.id, endpointId: e.id, attempt: reset.attemptCount + 1, notBefore: 0 } }]);
  return true;
}
