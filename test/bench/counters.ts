/**
 * Counts what the hub asks of DynamoDB and SQS, by command, through AWS SDK middleware on the
 * hub's own clients. DynamoDB calls also ask for the capacity consumed (dynalite computes it from
 * item sizes, table only: GSI writes, which AWS also bills, are not in it).
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const READS = new Set(["GetItemCommand", "QueryCommand", "ScanCommand", "BatchGetItemCommand", "TransactGetItemsCommand"]);
const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand", "TransactWriteItemsCommand"]);

export interface Counts {
  byCommand: Record<string, number>;
  dbReads: number;
  dbWrites: number;
  readUnits: number;
  writeUnits: number;
  sqsRequests: number;
  sqsEmptyReceives: number;
  sqsMessagesSent: number;
  sqsMessagesReceived: number;
  /** Writes refused by their condition: AWS bills them too (at least one unit each). */
  dbFailedWrites: number;
}

export interface CallHooks {
  /** Each DynamoDB call as it starts, with its input. */
  onDynamo?: (command: string, input: Record<string, unknown>) => void;
  /** Each SQS call as it ends, with its input and output. */
  onSqs?: (command: string, input: Record<string, unknown>, output: Record<string, unknown>) => void;
}

const empty = (): Counts => ({
  byCommand: {},
  dbReads: 0,
  dbWrites: 0,
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  sqsEmptyReceives: 0,
  sqsMessagesSent: 0,
  sqsMessagesReceived: 0,
  dbFailedWrites: 0,
});

type Stack = { add(mw: unknown, opts: { step: "initialize"; name: string; priority?: "low" }): void };

export function instrument(db: DynamoDBDocumentClient, sqs: SQSClient, hooks: CallHooks = {}): { snapshot(): Counts; reset(): void } {
  let counts = empty();
  const bump = (name: string) => (counts.byCommand[name] = (counts.byCommand[name] ?? 0) + 1);

  (db.middlewareStack as unknown as Stack).add(
    (next: (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        args.input.ReturnConsumedCapacity ??= "TOTAL";
        hooks.onDynamo?.(context.commandName, args.input);
        let result: { output: Record<string, unknown> };
        try {
          result = await next(args);
        } catch (err) {
          if (WRITES.has(context.commandName) && (err as { name?: string }).name === "ConditionalCheckFailedException") {
            counts.dbFailedWrites++;
            counts.dbWrites++;
            bump(`dynamodb ${context.commandName.replace(/Command$/, "")} (condition failed)`);
          }
          throw err;
        }
        const c = counts;
        bump(`dynamodb ${context.commandName.replace(/Command$/, "")}`);
        const consumed = result.output.ConsumedCapacity as { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;
        const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((s, x) => s + (x.CapacityUnits ?? 0), 0);
        if (READS.has(context.commandName)) {
          c.dbReads++;
          c.readUnits += units;
        } else if (WRITES.has(context.commandName)) {
          c.dbWrites++;
          c.writeUnits += units;
        }
        return result;
      },
    { step: "initialize", name: "benchCountDynamo", priority: "low" },
  );

  (sqs.middlewareStack as unknown as Stack).add(
    (next: (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        const result = await next(args);
        const c = counts;
        const name = context.commandName.replace(/Command$/, "");
        hooks.onSqs?.(name, args.input, result.output);
        if (name === "ReceiveMessage") {
          const n = ((result.output.Messages as unknown[] | undefined) ?? []).length;
          if (n === 0) {
            c.sqsEmptyReceives++;
            return result;
          }
          c.sqsMessagesReceived += n;
        }
        if (name === "SendMessageBatch") c.sqsMessagesSent += ((args.input.Entries as unknown[] | undefined) ?? []).length;
        if (name === "SendMessage") c.sqsMessagesSent++;
        c.sqsRequests++;
        bump(`sqs ${name}`);
        return result;
      },
    { step: "initialize", name: "benchCountSqs", priority: "low" },
  );

  return {
    snapshot: () => structuredClone(counts),
    reset: () => {
      counts = empty();
    },
  };
}
