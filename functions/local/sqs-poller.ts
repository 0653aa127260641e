/**
 * Stands in for Lambda's SQS event source mapping: receives batches, hands them to the very
 * function the delivery Lambda runs, deletes what succeeded and leaves failures to come back
 * after the visibility timeout (and into the dead-letter queue after the redrive limit).
 *
 * local-aws-sqs answers a ReceiveMessage only once the batch asked for is full or after a window
 * of its own (~40 ms), whatever WaitTimeSeconds says. So the poller asks for one message while
 * the queue is quiet (answered as soon as one is there) and for ten once a receive came back
 * full. While nothing is there it sleeps until it is woken: at once by a send, or when a message
 * it was told of becomes receivable (a delayed send, a failure back after the visibility
 * timeout). The sleep is also bounded, for what it was not told of: `idleMs` after the first
 * empty receive, doubling with each empty one after it up to `maxIdleMs`, so an idle hub polls
 * about once in `maxIdleMs` rather than several times a second.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface Poller {
  /** Messages were sent: stop sleeping, now or in `afterMs` (when a delayed one can be received). */
  wake(afterMs?: number): void;
  stop(): Promise<void>;
}

export interface PollerOptions {
  concurrency?: number;
  /** The sleep after the first empty receive, ms; it doubles with each empty receive after it. */
  idleMs?: number;
  /** The longest sleep while the queue is empty, ms. */
  maxIdleMs?: number;
  /** The queue's visibility timeout, ms: a message left undeleted is woken for after it. */
  visibilityTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

/** The most SQS hands out in one ReceiveMessage. */
const FULL_BATCH = 10;

export function startSqsPoller(sqs: SQSClient, queueUrl: string, handler: (event: SQSEvent) => Promise<SQSBatchResponse>, opts: PollerOptions = {}): Poller {
  let stopped = false;
  const idleMs = opts.idleMs ?? 250;
  const maxIdleMs = Math.max(idleMs, opts.maxIdleMs ?? 2000);
  const sleepers = new Set<() => void>();
  /** Counts wakes, so a send that lands while a loop is between its receive and its sleep is not missed. */
  let wakes = 0;
  const wakeNow = () => {
    wakes++;
    for (const resume of sleepers) resume();
    sleepers.clear();
  };
  /** Wakes to come, for messages not receivable yet; cleared on stop. */
  const timers = new Set<NodeJS.Timeout>();
  // A little past the instant, so that the message is there when the receive arrives.
  const MARGIN_MS = 50;
  const wake = (afterMs = 0) => {
    if (stopped || afterMs <= 0) return wakeNow();
    const timer = setTimeout(() => {
      timers.delete(timer);
      wakeNow();
    }, afterMs + MARGIN_MS);
    timers.add(timer);
  };
  const leftForLater = () => {
    if (opts.visibilityTimeoutMs !== undefined) wake(opts.visibilityTimeoutMs);
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
    let idle = idleMs;
    while (!stopped) {
      const wakesBefore = wakes;
      try {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batch, WaitTimeSeconds: 0, AttributeNames: ["All"] }));
        const messages = out.Messages ?? [];
        batch = messages.length === batch ? FULL_BATCH : 1;
        if (messages.length === 0) {
          if (wakes !== wakesBefore) {
            idle = idleMs;
            continue;
          }
          const woken = wakes;
          await sleep(idle);
          idle = wakes === woken ? Math.min(idle * 2, maxIdleMs) : idleMs;
          continue;
        }
        idle = idleMs;
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
        if (failed.size > 0) leftForLater();
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }),
          );
        }
      } catch (err) {
        opts.onError?.(err);
        // What was received and not deleted comes back after the visibility timeout.
        leftForLater();
        await sleep(200);
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency ?? 2 }, loop);
  return {
    wake,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      wakeNow();
      await Promise.all(loops);
    },
  };
}
