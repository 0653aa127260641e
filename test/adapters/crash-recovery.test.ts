/**
 * A process killed between two calls to its ports, on dynalite and local-aws-sqs: the scenarios
 * of the crash-recovery suite with the DynamoDB and SQS adapters underneath. The in-memory ports
 * try every kill point (test/usecases/crash-recovery.test.ts); here, where one try costs
 * some hundred round trips, a spread of them: the first call, the last, and points between.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { DynamoAccountStore } from "../../functions/adapters/dynamo/account-store.js";
import { DynamoCampaignStore } from "../../functions/adapters/dynamo/campaign-store.js";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { DynamoEvidenceStore } from "../../functions/adapters/dynamo/evidence-store.js";
import { DynamoIntelStore } from "../../functions/adapters/dynamo/intel-store.js";
import { DynamoLogStore } from "../../functions/adapters/dynamo/log-store.js";
import { DynamoRmdStore } from "../../functions/adapters/dynamo/rmd-store.js";
import { DynamoTracebackStore } from "../../functions/adapters/dynamo/traceback-store.js";
import { DynamoWebhookStore } from "../../functions/adapters/dynamo/webhook-store.js";
import { secretBox } from "../../functions/adapters/keys/secret-box.js";
import { fileMailer } from "../../functions/adapters/mail/mailers.js";
import { createSqsClient } from "../../functions/adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../../functions/adapters/sqs/delivery-queue.js";
import { newDataKey } from "../../functions/crypto/sealed-secret.js";
import { startEmulators } from "../../functions/local/emulators.js";
import { crashRecoverySuite, type CrashWorld } from "../support/crash-recovery.js";
import { spreadKillPoints } from "../support/kill-points.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

async function onEmulators(): Promise<CrashWorld> {
  const emulators = await startEmulators();
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  const sqs = createSqsClient("us-east-1", emulators.sqsEndpoint);
  const table = emulators.tableName;
  // The data key webhook secrets are sealed with at rest.
  const dataKey = newDataKey();
  const mailDir = join(tmpdir(), `hoptrace-crash-mail-${process.pid}`);
  let queues = 0;
  return {
    stores: {
      accounts: new DynamoAccountStore(db, table),
      evidence: new DynamoEvidenceStore(db, table),
      tracebacks: new DynamoTracebackStore(db, table),
      webhooks: new DynamoWebhookStore(
        db,
        table,
        secretBox(async () => dataKey),
      ),
      log: new DynamoLogStore(db, table, "crash"),
      rmd: new DynamoRmdStore(db, table),
      campaigns: new DynamoCampaignStore(db, table),
      intel: new DynamoIntelStore(db, table),
    },
    mailer: fileMailer(mailDir, "hub@hoptrace.example"),
    queue: async () => {
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `crash-${queues++}` }))).QueueUrl!;
      return {
        queue: new SqsDeliveryQueue(sqs, queueUrl),
        drain: async (handle) => {
          for (;;) {
            // Asking first spares the emulator's minimum wait on an empty receive.
            const { Attributes: a } = await sqs.send(
              new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"] }),
            );
            if (a?.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesDelayed === "0") return;
            // The emulator answers once it holds as many as asked for, or after 40 ms: ask for those there are.
            const visible = Math.min(10, Math.max(1, Number(a?.ApproximateNumberOfMessages ?? 10)));
            const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: visible, WaitTimeSeconds: 0 }));
            if (!out.Messages?.length) return;
            for (const m of out.Messages) {
              await handle(JSON.parse(m.Body!));
              await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
            }
          }
        },
      };
    },
    stop: async () => {
      db.destroy();
      sqs.destroy();
      await emulators.stop();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

crashRecoverySuite(onEmulators, spreadKillPoints(3));
