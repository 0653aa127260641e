/**
 * Webhook endpoints, the events feed, and deliveries with their attempts. Endpoint secrets are
 * sealed before they are written and opened when read (sealed-secret.ts): the table never holds
 * one in the clear. Endpoints written in the clear by earlier versions are read as they are and
 * sealed in place at that first read.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { HubEvent } from "../../domain/events.js";
import type { AttemptRecord, Delivery } from "../../domain/webhooks/delivery.js";
import type { Endpoint, EndpointSecret } from "../../domain/webhooks/endpoint.js";
import { isSealed } from "../../crypto/sealed-secret.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import type { SecretBox, WebhookStore } from "../../usecases/webhook-ports.js";
import { ConflictError } from "../../domain/errors.js";
import { allPages, clearMarker, conditionally, dueItemsAcrossShards, putNew, queryPage, stripKeys } from "./items.js";
import { keys, TABLE } from "./keys.js";

const endpointContext = (endpointId: string) => `webhook-endpoint:${endpointId}`;

function deliveryItem(d: Delivery): Record<string, unknown> {
  const due = d.status === "retrying" ? d.nextAttemptAt : d.status === "sending" ? d.leaseUntil : undefined;
  return {
    ...keys.delivery(d.eventId, d.endpointId),
    entity: "delivery",
    gsi1pk: keys.attemptsOf(d.endpointId),
    gsi1sk: `${d.createdAt}#${d.eventId}`,
    ...(due && { gsi3pk: keys.schedule("RETRY", `${d.eventId}#${d.endpointId}`), gsi3sk: `${due}#${d.eventId}#${d.endpointId}` }),
    ...d,
  };
}

export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly box: SecretBox,
  ) {}

  async putEndpoint(e: Endpoint, expected?: { status?: string; consecutiveFailures?: number }): Promise<void> {
    const item = {
      ...keys.endpoint(e.id),
      entity: "endpoint",
      gsi1pk: keys.endpointsOf(e.accountId),
      gsi1sk: e.id,
      ...e,
      secrets: await this.sealAll(e.id, e.secrets),
    };
    const written = await conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...(expected
            ? {
                ConditionExpression: "#s = :s AND consecutiveFailures = :f",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":s": expected.status, ":f": expected.consecutiveFailures },
              }
            : { ConditionExpression: "attribute_not_exists(pk)" }),
        }),
      ),
    );
    if (!written) throw new ConflictError("endpoint_changed", `endpoint ${e.id} was changed by another request`);
  }

  async getEndpoint(id: string): Promise<Endpoint | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.endpoint(id), ConsistentRead: true }));
    return out.Item ? this.opened(stripKeys<Endpoint>(out.Item)) : undefined;
  }

  async listEndpoints(accountId: string, page: PageRequest): Promise<Page<Endpoint>> {
    const result = await queryPage<Endpoint>(this.db, this.table, TABLE.indexes.byOwner, keys.endpointsOf(accountId), page, { ascending: true });
    return { ...result, items: await Promise.all(result.items.map((e) => this.opened(e))) };
  }

  allEndpointsOf(accountId: string): Promise<Endpoint[]> {
    return allPages((cursor) => this.listEndpoints(accountId, { limit: 100, ...(cursor && { cursor }) }));
  }

  private sealAll(endpointId: string, secrets: EndpointSecret[]): Promise<EndpointSecret[]> {
    return Promise.all(secrets.map(async (s) => ({ ...s, secret: await this.box.seal(s.secret, endpointContext(endpointId)) })));
  }

  private async opened(stored: Endpoint): Promise<Endpoint> {
    const secrets = await Promise.all(
      stored.secrets.map(async (s) => (isSealed(s.secret) ? { ...s, secret: await this.box.open(s.secret, endpointContext(stored.id)) } : s)),
    );
    const opened = { ...stored, secrets };
    if (stored.secrets.some((s) => !isSealed(s.secret))) await this.sealInPlace(opened, stored.secrets);
    return opened;
  }

  /**
   * Seals the secrets of an endpoint stored in the clear, unless they changed since they were
   * read (every write of this version seals, so "still the same" means "not written since").
   */
  private async sealInPlace(e: Endpoint, stored: EndpointSecret[]): Promise<void> {
    const values: Record<string, unknown> = { ":sealed": await this.sealAll(e.id, e.secrets), ":n": stored.length };
    const unchanged = stored.map((s, i) => {
      values[`:s${i}`] = s.secret;
      return `secrets[${i}].#secret = :s${i}`;
    });
    await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.endpoint(e.id),
          UpdateExpression: "SET secrets = :sealed",
          ConditionExpression: ["size(secrets) = :n", ...unchanged].join(" AND "),
          ExpressionAttributeNames: { "#secret": "secret" },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** Records an event in its recipient's feed, on the outbox index until it is fanned out. */
  async recordEvent(e: HubEvent, pendingSince: string): Promise<"created" | "exists"> {
    return this.putEvent(e, pendingSince);
  }

  async markFannedOut(e: HubEvent): Promise<void> {
    // A message queued before its event was recorded: the feed gets it now.
    if (!(await clearMarker(this.db, this.table, keys.event(e.id)))) await this.putEvent(e);
  }

  async eventsAwaitingFanOut(before: string, limit: number): Promise<HubEvent[]> {
    const items = await dueItemsAcrossShards(this.db, this.table, TABLE.indexes.outbox, keys.scheduleShards("FANOUT"), before, limit);
    return items.map((i) => stripKeys<HubEvent>(i));
  }

  /** A second write of the same event changes nothing. */
  private putEvent(e: HubEvent, pendingSince?: string): Promise<"created" | "exists"> {
    return putNew(this.db, this.table, {
      ...keys.event(e.id),
      entity: "event",
      gsi1pk: keys.eventsOf(e.recipientId),
      gsi1sk: `${e.createdAt}#${e.id}`,
      ...(pendingSince && { gsi4pk: keys.schedule("FANOUT", e.id), gsi4sk: `${pendingSince}#${e.id}` }),
      ...e,
    });
  }

  async getEvent(id: string): Promise<HubEvent | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.event(id) }));
    return out.Item ? stripKeys<HubEvent>(out.Item) : undefined;
  }

  /** A recipient's events, oldest first, optionally from a time on. */
  listEvents(recipientId: string, page: PageRequest, since?: string): Promise<Page<HubEvent>> {
    return queryPage<HubEvent>(this.db, this.table, TABLE.indexes.byOwner, keys.eventsOf(recipientId), page, {
      ascending: true,
      ...(since && { sortKeyBetween: [since, "~"] as [string, string] }),
    });
  }

  async getDelivery(eventId: string, endpointId: string): Promise<Delivery | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.delivery(eventId, endpointId), ConsistentRead: true }));
    return out.Item ? stripKeys<Delivery>(out.Item) : undefined;
  }

  /** Creates the delivery, with its first attempt's result or due in the slow lane; false when it exists (a duplicate fan-out). */
  async createDelivery(d: Delivery): Promise<boolean> {
    return (await putNew(this.db, this.table, deliveryItem(d))) === "created";
  }

  async appendAttempt(eventId: string, endpointId: string, attempt: AttemptRecord): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.delivery(eventId, endpointId),
        UpdateExpression: "SET attempts = list_append(attempts, :a)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":a": [attempt] },
      }),
    );
  }

  /**
   * Replaces a delivery only if it is still in the state the caller read: this claims an attempt
   * number (two copies of one message cannot both send) and records its result.
   */
  async replaceDelivery(d: Delivery, expected: { status: Delivery["status"]; attemptCount: number; leaseUntil?: string }): Promise<boolean> {
    const lease = expected.leaseUntil !== undefined;
    return conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: deliveryItem(d),
          ConditionExpression: `#s = :s AND attemptCount = :n${lease ? " AND leaseUntil = :l" : ""}`,
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": expected.status, ":n": expected.attemptCount, ...(lease && { ":l": expected.leaseUntil }) },
        }),
      ),
    );
  }

  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<Delivery>> {
    return queryPage<Delivery>(this.db, this.table, TABLE.indexes.byOwner, keys.attemptsOf(endpointId), page);
  }

  /** Deliveries whose retry or claim is due before `before`, across the shards. */
  async dueDeliveries(before: string, limit: number): Promise<Delivery[]> {
    const items = await dueItemsAcrossShards(this.db, this.table, TABLE.indexes.schedule, keys.scheduleShards("RETRY"), before, limit);
    return items.map((i) => stripKeys<Delivery>(i));
  }
}
