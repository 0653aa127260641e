import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DeliveryQueue } from "../../usecases/webhook-ports.js";
import { sendMessages } from "./event-publisher.js";

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  send(items: Parameters<DeliveryQueue["send"]>[0]): Promise<void> {
    return sendMessages(this.sqs, this.queueUrl, items);
  }
}
