/** The delivery queue: messages go ten to a batch, and any entry SQS refuses fails the call loudly. */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeliveryQueue } from "../../usecases/webhook-ports.js";

export class SqsDeliveryQueue implements DeliveryQueue {
  onSent?: () => void;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(items: Parameters<DeliveryQueue["send"]>[0]): Promise<void> {
    for (let i = 0; i < items.length; i += 10) {
      const batch = items.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
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
    this.onSent?.();
  }
}
