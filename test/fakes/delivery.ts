/**
 * The edges of the webhook pipeline in memory: a queue that keeps what it is given until a test
 * hands it to the worker, a sender that records each request and answers as the test says, a
 * mailer that keeps its messages, and the real destination rules over a resolver that puts every
 * host at one public address.
 */
import { destinationGuard } from "../../functions/adapters/webhooks/sender.js";
import type { DeliveryMessage } from "../../functions/usecases/delivery-messages.js";
import type { Mailer, MailMessage } from "../../functions/usecases/people-ports.js";
import type { DeliveryLane, DeliveryQueue, DestinationGuard, WebhookSender, WebhookSendResult } from "../../functions/usecases/webhook-ports.js";

export interface QueuedMessage {
  message: DeliveryMessage;
  delaySeconds?: number;
  lane?: DeliveryLane;
}

export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly waiting: QueuedMessage[] = [];
  /** Set to make the next sends fail, as a queue that cannot be reached does. */
  failing = false;

  async send(items: QueuedMessage[]): Promise<void> {
    if (this.failing) throw new Error("the queue cannot be reached");
    this.waiting.push(...structuredClone(items));
  }

  /** Takes every message waiting, as a poller receiving them would. */
  take(): QueuedMessage[] {
    return this.waiting.splice(0);
  }
}

export interface SentWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Records each request; answers with what `respond` says (a 200 unless told otherwise). */
export function memorySender(
  respond: (req: SentWebhook) => WebhookSendResult = () => ({ outcome: "delivered", status: 200, latencyMs: 1 }),
): WebhookSender & { sent: SentWebhook[]; respond: typeof respond } {
  const sender = Object.assign(
    async (req: SentWebhook) => {
      sender.sent.push(structuredClone(req));
      return sender.respond(req);
    },
    { sent: [] as SentWebhook[], respond },
  );
  return sender;
}

export class MemoryMailer implements Mailer {
  readonly transport = "files" as const;
  readonly sent: MailMessage[] = [];
  private n = 0;

  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(structuredClone(message));
    return { messageId: message.messageId ?? `<${++this.n}@mail.test>` };
  }
}

/**
 * The SSRF rules of the embedded hub (loopback and plain HTTP allowed, every private range
 * refused), with every host name resolving to one public address.
 */
export const embeddedHubGuard: DestinationGuard = destinationGuard({ allowLoopback: true, requireHttps: false }, async () => [
  { address: "93.184.215.14", family: 4 },
]);
