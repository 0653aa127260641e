/** Endpoints, the events feed and deliveries in memory: the WebhookStore contract. */
import { ConflictError } from "../../functions/domain/errors.js";
import type { HubEvent } from "../../functions/domain/events.js";
import type { AttemptRecord, Delivery } from "../../functions/domain/webhooks/delivery.js";
import type { Endpoint } from "../../functions/domain/webhooks/endpoint.js";
import type { Page, PageRequest } from "../../functions/usecases/ports.js";
import type { WebhookStore } from "../../functions/usecases/webhook-ports.js";
import { copy, dueBefore, pageOf } from "./paging.js";

/** When a delivery is next due: its retry, or the end of the lease of the attempt in progress. */
const dueAt = (d: Delivery) => (d.status === "retrying" ? d.nextAttemptAt : d.status === "sending" ? d.leaseUntil : undefined);

export class MemoryWebhookStore implements WebhookStore {
  readonly endpoints = new Map<string, Endpoint>();
  readonly events = new Map<string, { event: HubEvent; pendingSince?: string }>();
  readonly deliveries = new Map<string, Delivery>();

  async putEndpoint(e: Endpoint, expected?: { status?: string; consecutiveFailures?: number }): Promise<void> {
    const current = this.endpoints.get(e.id);
    const holds = expected
      ? current !== undefined && current.status === expected.status && current.consecutiveFailures === expected.consecutiveFailures
      : current === undefined;
    if (!holds) throw new ConflictError("endpoint_changed", `endpoint ${e.id} was changed by another request`);
    this.endpoints.set(e.id, copy(e));
  }

  async getEndpoint(id: string): Promise<Endpoint | undefined> {
    const e = this.endpoints.get(id);
    return e && copy(e);
  }

  async listEndpoints(accountId: string, page: PageRequest): Promise<Page<Endpoint>> {
    const rows = [...this.endpoints.values()].filter((e) => e.accountId === accountId).map((e) => ({ sk: e.id, value: e }));
    return pageOf(`endpoints#${accountId}`, rows, page, { ascending: true });
  }

  async allEndpointsOf(accountId: string): Promise<Endpoint[]> {
    return [...this.endpoints.values()]
      .filter((e) => e.accountId === accountId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async recordEvent(e: HubEvent, pendingSince: string): Promise<"created" | "exists"> {
    if (this.events.has(e.id)) return "exists";
    this.events.set(e.id, { event: copy(e), pendingSince: `${pendingSince}#${e.id}` });
    return "created";
  }

  async markFannedOut(e: HubEvent): Promise<void> {
    const held = this.events.get(e.id);
    if (held) delete held.pendingSince;
    else this.events.set(e.id, { event: copy(e) });
  }

  async eventsAwaitingFanOut(before: string, limit: number): Promise<HubEvent[]> {
    const rows = [...this.events.values()].filter((h) => h.pendingSince).map((h) => ({ sk: h.pendingSince!, value: h.event }));
    return dueBefore(rows, before, limit);
  }

  async getEvent(id: string): Promise<HubEvent | undefined> {
    const held = this.events.get(id);
    return held && copy(held.event);
  }

  async listEvents(recipientId: string, page: PageRequest, since?: string): Promise<Page<HubEvent>> {
    const rows = [...this.events.values()]
      .map((h) => h.event)
      .filter((e) => e.recipientId === recipientId && (since === undefined || `${e.createdAt}#${e.id}` >= since))
      .map((e) => ({ sk: `${e.createdAt}#${e.id}`, value: e }));
    return pageOf(`events#${recipientId}#${since ?? ""}`, rows, page, { ascending: true });
  }

  async getDelivery(eventId: string, endpointId: string): Promise<Delivery | undefined> {
    const d = this.deliveries.get(`${eventId}#${endpointId}`);
    return d && copy(d);
  }

  async createDelivery(d: Delivery): Promise<boolean> {
    const key = `${d.eventId}#${d.endpointId}`;
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, copy(d));
    return true;
  }

  async appendAttempt(eventId: string, endpointId: string, attempt: AttemptRecord): Promise<void> {
    const current = this.deliveries.get(`${eventId}#${endpointId}`);
    // As the table's condition does: an attempt is only ever listed on a delivery that exists.
    if (!current) throw new Error(`no delivery of ${eventId} to ${endpointId}`);
    current.attempts = [...current.attempts, copy(attempt)];
  }

  async replaceDelivery(d: Delivery, expected: { status: Delivery["status"]; attemptCount: number; leaseUntil?: string }): Promise<boolean> {
    const key = `${d.eventId}#${d.endpointId}`;
    const current = this.deliveries.get(key);
    if (!current || current.status !== expected.status || current.attemptCount !== expected.attemptCount) return false;
    if (expected.leaseUntil !== undefined && current.leaseUntil !== expected.leaseUntil) return false;
    this.deliveries.set(key, copy(d));
    return true;
  }

  async listDeliveries(endpointId: string, page: PageRequest): Promise<Page<Delivery>> {
    const rows = [...this.deliveries.values()].filter((d) => d.endpointId === endpointId).map((d) => ({ sk: `${d.createdAt}#${d.eventId}`, value: d }));
    return pageOf(`deliveries#${endpointId}`, rows, page);
  }

  async dueDeliveries(before: string, limit: number): Promise<Delivery[]> {
    const rows = [...this.deliveries.values()].flatMap((d) => {
      const at = dueAt(d);
      return at ? [{ sk: `${at}#${d.eventId}#${d.endpointId}`, value: d }] : [];
    });
    return dueBefore(rows, before, limit);
  }
}
