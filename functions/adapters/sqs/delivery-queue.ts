/**
 * The delivery queues: messages go ten to a batch, and any entry SQS refuses fails the call
 * loudly. Slow-lane messages go to their own queue when the deployment has one.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeliveryQueue } from "../../usecases/webhook-ports.js";

export class SqsDeliveryQueue implements DeliveryQueue {
  onSent?: DeliveryQueue["onSent"];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly slowQueueUrl: string = queueUrl,
  ) {}

  async send(items: Parameters<DeliveryQueue["send"]>[0]): Promise<void> {
    const slow = items.filter((i) => i.lane === "slow");
    await this.sendTo(
      this.queueUrl,
      items.filter((i) => i.lane !== "slow"),
    );
    await this.sendTo(this.slowQueueUrl, slow);
    if (items.length > 0) this.onSent?.(items.map((i) => ({ lane: i.lane ?? "normal", delaySeconds: i.delaySeconds ?? 0 })));
  }

  private async sendTo(queueUrl: string, items: Parameters<DeliveryQueue["send"]>[0]): Promise<void> {
    for (let i = 0; i < items.length; i += 10) {
      const batch = items.slice(i, i + 10);
      const out = await this.sqs.send(
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
}
