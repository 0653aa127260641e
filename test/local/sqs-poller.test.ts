/** The embedded hub's stand-in for Lambda's SQS event source, on local-aws-sqs. */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqsClient } from "../../functions/adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../../functions/adapters/sqs/delivery-queue.js";
import { startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { startSqsPoller, type Poller } from "../../functions/local/sqs-poller.js";

let emulators: Emulators;
let sqs: SQSClient;
let poller: Poller | undefined;
const asked: number[] = [];
/** When each receive was sent, ms. */
const askedAt: number[] = [];

beforeEach(async () => {
  emulators = await startEmulators();
  sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
  asked.length = 0;
  askedAt.length = 0;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ReceiveMessageCommand") {
        asked.push((args.input as { MaxNumberOfMessages: number }).MaxNumberOfMessages);
        askedAt.push(Date.now());
      }
      return next(args);
    },
    { step: "initialize", name: "countReceives" },
  );
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  sqs.destroy();
  await emulators.stop();
});

const message = (n: number) => ({ message: { kind: "attempt" as const, eventId: `evt_${n}`, endpointId: "ep_1", attempt: 1, notBefore: 0 } });

function collect() {
  const batches: string[][] = [];
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    batches.push(event.Records.map((r) => (JSON.parse(r.body) as { eventId: string }).eventId));
    return { batchItemFailures: [] };
  };
  const until = async (count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (batches.flat().length < count) {
      if (Date.now() > deadline) throw new Error(`${batches.flat().length} of ${count} messages handled in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { batches, handler, until };
}

describe("the local SQS poller", () => {
  it("is woken by a send instead of sleeping out its idle interval", async () => {
    const { handler, until } = collect();
    const queue = new SqsDeliveryQueue(sqs, emulators.deliveryQueueUrl);
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { idleMs: 60_000 });
    queue.onSent = () => poller?.wake();
    // Both loops find the queue empty and go to sleep for a minute.
    while (asked.length < 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    await queue.send([message(1)]);
    await until(1, 10_000);
  });

  it("asks for one message while the queue is quiet and for ten once a receive came back full", async () => {
    const { batches, handler, until } = collect();
    const queue = new SqsDeliveryQueue(sqs, emulators.deliveryQueueUrl);
    await queue.send(Array.from({ length: 25 }, (_, n) => message(n)));
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { concurrency: 1, idleMs: 50 });
    await until(25, 15_000);
    expect(asked[0]).toBe(1);
    expect(asked[1]).toBe(10);
    expect(Math.max(...batches.map((b) => b.length))).toBe(10);
    expect(new Set(batches.flat()).size).toBe(25);
    // Once the queue ran dry, back to one at a time.
    await new Promise((r) => setTimeout(r, 300));
    expect(asked.at(-1)).toBe(1);
  });

  it("still picks up a message no send woke it for (a delayed one) within its longest idle interval", async () => {
    const { handler, until } = collect();
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { idleMs: 100, maxIdleMs: 200 });
    await sqs.send(new SendMessageCommand({ QueueUrl: emulators.deliveryQueueUrl, MessageBody: JSON.stringify(message(7).message), DelaySeconds: 1 }));
    await until(1, 10_000);
  });

  it("is woken when a delayed message it was told of can be received, however long its idle sleep", async () => {
    const { handler, until } = collect();
    const queue = new SqsDeliveryQueue(sqs, emulators.deliveryQueueUrl);
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { idleMs: 60_000 });
    queue.onSent = (sent) => {
      for (const m of sent) poller?.wake(m.delaySeconds * 1000);
    };
    while (asked.length < 2) await new Promise((r) => setTimeout(r, 10));
    const sentAt = Date.now();
    await queue.send([{ ...message(3), delaySeconds: 1 }]);
    await until(1, 10_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
  });

  it("comes back for a message it left undeleted once the visibility timeout has passed", async () => {
    sqs.destroy();
    await emulators.stop();
    emulators = await startEmulators({ visibilityTimeoutSeconds: 1 });
    sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
    const tries: number[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      tries.push(Date.now());
      // The first receive fails, as a delivery the hub could not finish does.
      return { batchItemFailures: tries.length === 1 ? event.Records.map((r) => ({ itemIdentifier: r.messageId })) : [] };
    };
    await new SqsDeliveryQueue(sqs, emulators.deliveryQueueUrl).send([message(4)]);
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { concurrency: 1, idleMs: 60_000, visibilityTimeoutMs: 1000 });
    for (const until = Date.now() + 10_000; tries.length < 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    expect(tries).toHaveLength(2);
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(1000);
  });

  it("polls less and less often while the queue stays empty", async () => {
    const { handler } = collect();
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { concurrency: 1, idleMs: 20, maxIdleMs: 640 });
    await new Promise((r) => setTimeout(r, 2000));
    const gaps = askedAt.slice(1).map((at, i) => at - askedAt[i]!);
    // Sleeps of 20, 40, 80, ... 640 ms, each gap also holding a receive: the last gap is longer
    // than the first by about 600 ms, however long a receive takes on a loaded machine.
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    expect(gaps.length).toBeLessThanOrEqual(8);
    expect(gaps.at(-1)! - gaps[0]!).toBeGreaterThanOrEqual(300);
  });
});
