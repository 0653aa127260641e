/** Puts hub events on the delivery queue, ten to a batch, failing loudly on any entry refused. */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { HubEvent } from "../../domain/events.js";
import type { EventPublisher } from "../../usecases/ports.js";
import type { DeliveryMessage } from "../../usecases/delivery-messages.js";

export class SqsEventPublisher implements EventPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(events: HubEvent[]): Promise<void> {
    await sendMessages(this.sqs, this.queueUrl, events.map((event) => ({ message: { kind: "event", event } })));
  }
}

export async function sendMessages(sqs: SQSClient, queueUrl: string, items: Array<{ message: DeliveryMessage; delaySeconds?: number }>): Promise<void> {
  for (let i = 0; i < items.length; i += 10) {
    const batch = items.slice(i, i + 10);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((item, n) => ({
          Id: String(n),
          MessageBody: JSON.stringify(item.message),
          ...(item.delaySeconds && { DelaySeconds: item.delaySeconds }),
        })),
      }),
    );
    if (out.Failed && out.Failed.length > 0) {
      throw new Error(`queue refused ${out.Failed.length} message(s): ${out.Failed.map((f) => f.Code).join(", ")}`);
    }
  }
}
