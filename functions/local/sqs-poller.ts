/**
 * Stands in for Lambda's SQS event source mapping: receives batches, hands them to the very
 * function the delivery Lambda runs, deletes what succeeded and leaves failures to come back
 * after the visibility timeout (and into the dead-letter queue after the redrive limit).
 *
 * local-aws-sqs answers a ReceiveMessage only once the batch asked for is full or after a window
 * of its own (~40 ms), whatever WaitTimeSeconds says. So the poller asks for one message while
 * the queue is quiet (answered as soon as one is there) and for ten once a receive came back
 * full; and while nothing is there it sleeps until `wake` (called on each send) or `idleMs`
 * (which bounds the wait for delayed messages and those whose visibility timeout ran out).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface Poller {
  /** Messages were sent: stop sleeping. */
  wake(): void;
  stop(): Promise<void>;
}

export interface PollerOptions {
  concurrency?: number;
  /** Longest sleep while the queue is empty, ms. */
  idleMs?: number;
  onError?: (err: unknown) => void;
}

/** The most SQS hands out in one ReceiveMessage. */
const FULL_BATCH = 10;

export function startSqsPoller(sqs: SQSClient, queueUrl: string, handler: (event: SQSEvent) => Promise<SQSBatchResponse>, opts: PollerOptions = {}): Poller {
  let stopped = false;
  const idleMs = opts.idleMs ?? 250;
  const sleepers = new Set<() => void>();
  /** Counts wakes, so a send that lands while a loop is between its receive and its sleep is not missed. */
  let wakes = 0;
  const wake = () => {
    wakes++;
    for (const resume of sleepers) resume();
    sleepers.clear();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        sleepers.delete(resume);
        resolve();
      };
      const timer = setTimeout(resume, ms);
      sleepers.add(resume);
    });

  const loop = async () => {
    let batch = 1;
    while (!stopped) {
      const wakesBefore = wakes;
      try {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batch, WaitTimeSeconds: 0, AttributeNames: ["All"] }));
        const messages = out.Messages ?? [];
        batch = messages.length === batch ? FULL_BATCH : 1;
        if (messages.length === 0) {
          if (wakes === wakesBefore) await sleep(idleMs);
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
          await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }),
          );
        }
      } catch (err) {
        opts.onError?.(err);
        await sleep(200);
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency ?? 2 }, loop);
  return {
    wake,
    stop: async () => {
      stopped = true;
      wake();
      await Promise.all(loops);
    },
  };
}
