/** SQS-triggered Lambda: webhook fan-out and delivery attempts, reporting partial batch failures. */
import type { SQSEvent } from "aws-lambda";
import { sesMailer } from "../adapters/mail/ses-mailer.js";
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { processDeliveryBatch } from "./delivery-batch.js";

const runtime = await buildRuntime(loadConfig(process.env), { sesMailer });

export const handler = (event: SQSEvent) => processDeliveryBatch(runtime.deps, event);
