/**
 * The embedded AWS stand-ins: dynalite (DynamoDB API on LevelDB, on disk when given a path) and
 * local-aws-sqs (SQS JSON protocol, in memory), each on a loopback port, with the table and
 * queues created as the CDK stack would create them. A table on disk has its indexes mended on
 * start (see mend-indexes.ts): a kill can leave them out of step with the items.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, type CreateTableCommandInput, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import dynalite from "dynalite";
import { createSqsServer } from "local-aws-sqs";
import { createDocumentClient } from "../adapters/dynamo/client.js";
import { createTableInput } from "../adapters/dynamo/table-definition.js";
import { createSqsClient } from "../adapters/sqs/client.js";
import "./dynalite-iterators.js";
import { mendIndexes } from "./mend-indexes.js";

export interface Emulators {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  deliveryQueueUrl: string;
  /** The slow lane of deliveries (attempts at endpoints whose last attempt failed). */
  slowDeliveryQueueUrl: string;
  deadLetterQueueUrl: string;
  /** How long a received message stays hidden before it can be received again, seconds. */
  visibilityTimeoutSeconds: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Folder for the LevelDB files; in memory when absent. */
  dataPath?: string;
  tableName?: string;
  /** Visibility timeout of the delivery queue, seconds; one attempt takes at most 10 s. */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

const REGION = "us-east-1";

const visibilityTimeoutSeconds = (opts: EmulatorOptions) => opts.visibilityTimeoutSeconds ?? 30;

/** The settings that point a hub (the embedded one, or a bundled handler) at these emulators in local mode. */
export function emulatorSettings(e: Omit<Emulators, "stop">): Record<string, string> {
  return {
    HOPTRACE_MODE: "local",
    AWS_REGION: REGION,
    TABLE_NAME: e.tableName,
    DELIVERY_QUEUE_URL: e.deliveryQueueUrl,
    DELIVERY_SLOW_QUEUE_URL: e.slowDeliveryQueueUrl,
    DYNAMODB_ENDPOINT: e.dynamoEndpoint,
    SQS_ENDPOINT: e.sqsEndpoint,
  };
}

export async function startEmulators(opts: EmulatorOptions = {}): Promise<Emulators> {
  const tableName = opts.tableName ?? "hoptrace";
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(opts.dataPath && { path: opts.dataPath }) });
  await listen(dynamo);
  const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  const sqsServer = await createSqsServer({ port: 0, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false } as never);
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;

  await ensureTable(dynamoEndpoint, tableName);
  if (opts.dataPath) {
    const db = createDocumentClient({ region: REGION, endpoint: dynamoEndpoint });
    await mendIndexes(db, tableName).finally(() => db.destroy());
  }
  const sqs = createSqsClient(REGION, sqsEndpoint);
  const { deliveryQueueUrl, slowDeliveryQueueUrl, deadLetterQueueUrl } = await ensureQueues(sqs, opts);
  sqs.destroy();

  return {
    dynamoEndpoint,
    sqsEndpoint,
    tableName,
    deliveryQueueUrl,
    slowDeliveryQueueUrl,
    deadLetterQueueUrl,
    visibilityTimeoutSeconds: visibilityTimeoutSeconds(opts),
    stop: async () => {
      await Promise.all([close(dynamo), close(sqsServer)]);
    },
  };
}

async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    await createActiveTable(client, createTableInput(tableName));
  } finally {
    client.destroy();
  }
}

/**
 * Creates a table (or finds it made) and waits until it is ACTIVE: dynalite, like DynamoDB, answers
 * CreateTable while the table is still CREATING, and refuses item requests with "resource not found"
 * until it is not, a moment that a loaded machine stretches.
 */
export async function createActiveTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (const until = Date.now() + 30_000; ; ) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > until) throw new Error(`table ${input.TableName} is still ${Table?.TableStatus} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function ensureQueues(
  sqs: SQSClient,
  opts: EmulatorOptions,
): Promise<{ deliveryQueueUrl: string; slowDeliveryQueueUrl: string; deadLetterQueueUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "hoptrace-deliveries-dlq", Attributes: { MessageRetentionPeriod: "1209600" } }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  const queue = async (name: string) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(visibilityTimeoutSeconds(opts)),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: opts.maxReceiveCount ?? 5 }),
          },
        }),
      )
    ).QueueUrl!;
  return {
    deliveryQueueUrl: await queue("hoptrace-deliveries"),
    slowDeliveryQueueUrl: await queue("hoptrace-deliveries-slow"),
    deadLetterQueueUrl: dlq.QueueUrl!,
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
