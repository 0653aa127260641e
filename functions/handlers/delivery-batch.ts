/**
 * One SQS batch through the delivery worker, with partial batch failure reporting: a message
 * that fails is reported by id and comes back later (and lands in the dead-letter queue after
 * the redrive limit); the others are deleted. Messages run in parallel so one slow endpoint does
 * not hold up the rest. Used by the Lambda handler and by the local poller alike.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { deliveryMessageSchema } from "../usecases/delivery-messages.js";
import { handleDeliveryMessage } from "../usecases/deliveries.js";
import type { WebhookDeps } from "../usecases/webhook-ports.js";

export async function processDeliveryBatch(deps: WebhookDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await Promise.all(
    event.Records.map(async (record) => {
      try {
        const parsed = deliveryMessageSchema.safeParse(JSON.parse(record.body));
        if (!parsed.success) throw new Error("not a delivery message");
        // A message received before may have done some of its work, or be doing it still.
        await handleDeliveryMessage(deps, parsed.data, { redelivered: Number(record.attributes?.ApproximateReceiveCount ?? 1) > 1 });
        return undefined;
      } catch (err) {
        deps.log.error("delivery message failed", { messageId: record.messageId, error: String(err) });
        return record.messageId;
      }
    }),
  );
  return { batchItemFailures: results.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}
