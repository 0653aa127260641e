/** Ports of the webhook pipeline. */
import type { HubEvent } from "../domain/events.js";
import type { AttemptRecord, Delivery } from "../domain/webhooks/delivery.js";
import type { Endpoint, PausePolicy } from "../domain/webhooks/endpoint.js";
import type { DeliveryMessage } from "./delivery-messages.js";
import type { Mailer } from "./people-ports.js";
import type { CoreDeps, Page, PageRequest } from "./ports.js";

export interface WebhookStore {
  putEndpoint(e: Endpoint, expected?: { status?: string; consecutiveFailures?: number }): Promise<void>;
  getEndpoint(id: string): Promise<Endpoint | undefined>;
  listEndpoints(accountId: string, page: PageRequest): Promise<Page<Endpoint>>;
  allEndpointsOf(accountId: string): Promise<Endpoint[]>;
  /**
   * Records an event in its recipient's feed, marked as not yet fanned out since `pendingSince`.
   * A second write of the same event changes nothing.
   */
  recordEvent(e: HubEvent, pendingSince: string): Promise<"created" | "exists">;
  /** Clears the event's fan-out marker once its deliveries exist (recording it if it never was). */
  markFannedOut(e: HubEvent): Promise<void>;
  /** Events marked as not yet fanned out since before `before`. */
  eventsAwaitingFanOut(before: string, limit: number): Promise<HubEvent[]>;
  getEvent(id: string): Promise<HubEvent | undefined>;
  listEvents(recipientId: string, page: PageRequest, since?: string): Promise<Page<HubEvent>>;
  getDelivery(eventId: string, endpointId: string): Promise<Delivery | undefined>;
  /** Writes a new delivery; false when it exists (a duplicate fan-out got there first). */
  createDelivery(d: Delivery): Promise<boolean>;
  /** Lists one more attempt on an existing delivery, leaving its state as it is. */
  appendAttempt(eventId: string, endpointId: string, attempt: AttemptRecord): Promise<void>;
  /**
   * Replaces a delivery still as read: in `status` at `attemptCount`, and, given `leaseUntil`,
   * under that claim (an attempt taken over after its lease ran out keeps its number, not its lease).
   */
  replaceDelivery(d: Delivery, expected: { status: Delivery["status"]; attemptCount: number; leaseUntil?: string }): Promise<boolean>;
  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<Delivery>>;
  dueDeliveries(before: string, limit: number): Promise<Delivery[]>;
}

/**
 * Encrypts secrets kept at rest, each bound to a context naming its owner (an endpoint, an
 * idempotency record): a sealed value opens only under the context it was sealed for.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

/**
 * Where a message waits: `slow` is for attempts at an endpoint whose last attempt failed (timed
 * out, refused, answered 5xx), consumed by workers of their own, so that a slow or failing
 * endpoint holds up only its own kind and never the first attempts at healthy ones.
 */
export type DeliveryLane = "normal" | "slow";

export interface DeliveryQueue {
  send(items: Array<{ message: DeliveryMessage; delaySeconds?: number; lane?: DeliveryLane }>): Promise<void>;
  /**
   * Called after each send with each message's lane and delay; the embedded hub's pollers are
   * woken by it, when the message can be received (Lambda's event source needs no such call).
   */
  onSent?: (sent: ReadonlyArray<{ lane: DeliveryLane; delaySeconds: number }>) => void;
}

export interface WebhookSendResult {
  outcome: "delivered" | "failed" | "gone" | "throttled" | "refused";
  status?: number;
  latencyMs: number;
  retryAfterSeconds?: number;
  error?: string;
}

/** Performs one HTTP delivery under the SSRF rules; never throws. */
export type WebhookSender = (req: { url: string; headers: Record<string, string>; body: string }) => Promise<WebhookSendResult>;

/** Checks a URL a provider wants deliveries at, under the same rules every attempt uses. */
export type DestinationGuard = (url: string) => Promise<{ ok: true } | { ok: false; code: string; detail: string }>;

export interface WebhookSettings {
  /** The API's public URL: e-mail notices link to its console. */
  publicUrl: string;
  pausePolicy: PausePolicy;
  secretGraceSeconds: number;
  leaseSeconds: number;
  recoveryGraceSeconds: number;
  /** How long one webhook attempt may take, in real time: the sender's timeout. */
  attemptTimeoutMs: number;
}

export interface WebhookDeps extends CoreDeps {
  /** Notices to providers without an active endpoint go by e-mail, through the same deliveries. */
  mailer: Mailer;
  webhooks: WebhookStore;
  queue: DeliveryQueue;
  send: WebhookSender;
  guard: DestinationGuard;
  hubKey: { kid: string; privateKey: import("node:crypto").KeyObject };
  random: () => number;
  webhookSettings: WebhookSettings;
}
