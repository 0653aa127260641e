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

beforeEach(async () => {
  emulators = await startEmulators();
  sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
  asked.length = 0;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ReceiveMessageCommand") asked.push((args.input as { MaxNumberOfMessages: number }).MaxNumberOfMessages);
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
    queue.onSent = poller.wake;
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

  it("still picks up a message no send woke it for (a delayed one) within its idle interval", async () => {
    const { handler, until } = collect();
    poller = startSqsPoller(sqs, emulators.deliveryQueueUrl, handler, { idleMs: 100 });
    await sqs.send(new SendMessageCommand({ QueueUrl: emulators.deliveryQueueUrl, MessageBody: JSON.stringify(message(7).message), DelaySeconds: 1 }));
    await until(1, 10_000);
  });
});
