/**
 * Stands in for Lambda's SQS event source mapping: receives batches, hands them to the very
 * function the delivery Lambda runs, deletes what succeeded and leaves failures to come back
 * after the visibility timeout (and into the dead-letter queue after the redrive limit).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface Poller {
  stop(): Promise<void>;
}

export function startSqsPoller(
  sqs: SQSClient,
  queueUrl: string,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  opts: { concurrency?: number; onError?: (err: unknown) => void } = {},
): Poller {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        // A short wait: local-aws-sqs holds a long poll for its full duration unless the batch fills.
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ["All"] }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) {
          await sleep(10);
          continue;
        }
        const records: SQSRecord[] = messages.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body ?? "",
          attributes: (m.Attributes ?? {}) as SQSRecord["attributes"],
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? "",
          eventSource: "aws:sqs",
          eventSourceARN: queueUrl,
          awsRegion: "us-east-1",
        }));
        const response = await handler({ Records: records });
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        const done = records.filter((r) => !failed.has(r.messageId));
        if (done.length > 0) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
        }
      } catch (err) {
        opts.onError?.(err);
        await sleep(200);
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency ?? 2 }, loop);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
