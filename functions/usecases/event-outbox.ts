/**
 * Events are kept before they are handed to the queue. Each is recorded in its recipient's feed
 * with a fan-out marker and then enqueued; the delivery worker clears the marker once the event's
 * deliveries exist, and the reconciler enqueues again any event still marked after a grace. A
 * queue message lost with a crash (or with the embedded queue's memory) costs a delay, never the
 * event, and a repeat fans out to the same deliveries under the same `webhook-id`; the
 * reconciler's copy says so, and its fan-out leaves the deliveries already written.
 */
import type { Clock } from "../domain/clock.js";
import type { HubEvent } from "../domain/events.js";
import type { EventPublisher, Logger } from "./ports.js";
import { attemptSpanMs } from "./deliveries.js";
import type { DeliveryQueue, WebhookDeps, WebhookStore } from "./webhook-ports.js";

export class RecordingEventPublisher implements EventPublisher {
  constructor(
    private readonly store: Pick<WebhookStore, "recordEvent">,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async publish(events: HubEvent[]): Promise<void> {
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    if (unique.length === 0) return;
    const since = this.clock.now().toISOString();
    const outcomes = await Promise.all(unique.map((e) => this.store.recordEvent(e, since)));
    // An event recorded before was handed over then, or waits for the reconciler.
    const fresh = unique.filter((_, i) => outcomes[i] === "created");
    if (fresh.length === 0) return;
    try {
      await this.queue.send(fresh.map((event) => ({ message: { kind: "event" as const, event } })));
    } catch (err) {
      this.log.warn("event hand-over deferred to the reconciler", { eventIds: fresh.map((e) => e.id), error: String(err) });
    }
  }
}

/**
 * Enqueues again the events whose fan-out has not happened `graceSeconds` after they were
 * recorded. A fan-out sends its first attempts before it writes their deliveries, so it is taken
 * for lost only once it has had the time to end, however fast the hub's clock runs; a grace of 0
 * says that nothing of an earlier process still runs (a restart), and waits for nothing.
 */
export async function recoverFanOuts(
  deps: Pick<WebhookDeps, "webhooks" | "queue" | "clock" | "webhookSettings">,
  graceSeconds: number,
  limit = 100,
): Promise<number> {
  const graceMs = graceSeconds === 0 ? 0 : Math.max(graceSeconds * 1000, attemptSpanMs(deps));
  const before = new Date(deps.clock.now().getTime() - graceMs).toISOString();
  const events = await deps.webhooks.eventsAwaitingFanOut(before, limit);
  if (events.length > 0) await deps.queue.send(events.map((event) => ({ message: { kind: "event" as const, event, recovered: true as const } })));
  return events.length;
}
