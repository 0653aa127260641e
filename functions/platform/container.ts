/**
 * The composition root: the one place that knows which adapters implement the ports, for AWS and
 * for the embedded local mode alike.
 */
import { dirname, join } from "node:path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoAccountStore } from "../adapters/dynamo/account-store.js";
import { createDocumentClient } from "../adapters/dynamo/client.js";
import { DynamoRequestStore } from "../adapters/dynamo/request-store.js";
import { DynamoTracebackStore } from "../adapters/dynamo/traceback-store.js";
import { loadOrCreateHubKeyFile } from "../adapters/keys/hub-key-file.js";
import { loadOrCreateDataKeyFile } from "../adapters/keys/data-key-file.js";
import { secretBox } from "../adapters/keys/secret-box.js";
import { createSqsClient } from "../adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../adapters/sqs/delivery-queue.js";
import { DynamoWebhookStore } from "../adapters/dynamo/webhook-store.js";
import { DynamoEvidenceStore } from "../adapters/dynamo/evidence-store.js";
import { DynamoLogStore } from "../adapters/dynamo/log-store.js";
import { DynamoRmdStore } from "../adapters/dynamo/rmd-store.js";
import { DynamoCampaignStore } from "../adapters/dynamo/campaign-store.js";
import { DynamoIntelStore } from "../adapters/dynamo/intel-store.js";
import { createCertificateFetcher } from "../adapters/shaken/certificate-fetcher.js";
import { pinnedFetch } from "../adapters/net/pinned-fetch.js";
import { destinationGuard, webhookSender } from "../adapters/webhooks/sender.js";
import { DynamoInvitationStore } from "../adapters/dynamo/invitation-store.js";
import { fileMailer, smtpMailer } from "../adapters/mail/mailers.js";
import { systemClock, type Clock } from "../domain/clock.js";
import { MailSendError, type LocalMailbox, type Mailer } from "../usecases/people-ports.js";
import type { AppDeps } from "../http/env.js";
import type { HubKey } from "../usecases/hub-key-ports.js";
import type { RmdExportReader } from "../usecases/rmd-ports.js";
import type { DataKey } from "../crypto/sealed-secret.js";
import type { Config } from "./config.js";
import { deadlinePolicies } from "./deadlines.js";
import { createLogger } from "./logger.js";
import { httpSettingsOf, keyedDeps, logOrigin, webhookSettingsOf } from "./settings.js";
import { RecordingEventPublisher } from "../usecases/event-outbox.js";
import { SigningKeyCache } from "../usecases/signing-key-cache.js";
import { receiptSigner } from "../usecases/log-exchange.js";

export interface Runtime {
  config: Config;
  deps: AppDeps;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
}

export interface RuntimeOverrides {
  clock?: Clock;
  /**
   * Only the API creates the hub key when the secret holds none yet; the other functions wait
   * for it (their invocation fails and is retried), so two different keys can never be written.
   */
  createHubKey?: boolean;
  /**
   * How a deployed function sends e-mail. Only the handlers of the functions that may send (api,
   * delivery) pass SES's mailer, so the other bundles carry no SES client; without it a deployed
   * function refuses to send, as its role would.
   */
  sesMailer?: (region: string, from: string) => Mailer;
  /**
   * The RMD export's CSV parser, passed by the functions that serve the upload (the API, the
   * local server), so the others carry no CSV parser; without it an upload is refused.
   */
  readRmdExport?: RmdExportReader;
}

const NO_RMD_READER: RmdExportReader = async () => {
  throw new Error("this function does not read RMD exports");
};

export async function buildRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const db = createDocumentClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT && { endpoint: config.DYNAMODB_ENDPOINT }) });
  const sqs = createSqsClient(config.AWS_REGION, config.SQS_ENDPOINT);
  const hubKey = await loadHubKey(config, overrides.createHubKey ?? config.HOPTRACE_MODE === "local");
  const destinationPolicy = { allowLoopback: config.ALLOW_LOOPBACK_WEBHOOKS, requireHttps: config.HOPTRACE_MODE === "aws" };
  const guard = destinationGuard(destinationPolicy);
  const mail = mailerFor(config, overrides.sesMailer);
  const secrets = secretBox(() => loadDataKey(config));
  const webhooks = new DynamoWebhookStore(db, config.TABLE_NAME, secrets);
  const queue = new SqsDeliveryQueue(sqs, config.DELIVERY_QUEUE_URL, config.DELIVERY_SLOW_QUEUE_URL);
  const log = createLogger(config.LOG_LEVEL, config.LOG_FORMAT);
  // Keys are read for a signature from this instance's cache; what this instance changes, it forgets.
  const signingKeys = new SigningKeyCache({ load: (keyId) => accounts.getKey(keyId, true), clock });
  const accounts = new DynamoAccountStore(db, config.TABLE_NAME, (keyId) => signingKeys.forget(keyId));
  const transparencyLog = { logStore: new DynamoLogStore(db, config.TABLE_NAME), clock, hubKey, logOrigin: logOrigin(config.PUBLIC_URL) };
  const deps: AppDeps = {
    accounts,
    signingKeys,
    evidence: new DynamoEvidenceStore(db, config.TABLE_NAME),
    fetchCertificate: createCertificateFetcher({
      checkUrl: async (url) => {
        const check = await guard(url);
        if (!check.ok) throw new Error(check.detail);
      },
      fetch: pinnedFetch(destinationPolicy),
      allowHttp: config.HOPTRACE_MODE === "local",
    }),
    tracebacks: new DynamoTracebackStore(db, config.TABLE_NAME),
    requests: new DynamoRequestStore(db, config.TABLE_NAME),
    events: new RecordingEventPublisher(webhooks, queue, clock, log),
    deadlines: deadlinePolicies(config),
    ...keyedDeps(clock, hubKey),
    log,
    webhooks,
    secrets,
    rmd: new DynamoRmdStore(db, config.TABLE_NAME),
    readRmdExport: overrides.readRmdExport ?? NO_RMD_READER,
    campaigns: new DynamoCampaignStore(db, config.TABLE_NAME),
    intel: new DynamoIntelStore(db, config.TABLE_NAME),
    queue,
    send: webhookSender(destinationPolicy, config.WEBHOOK_TIMEOUT_MS),
    guard,
    random: Math.random,
    webhookSettings: webhookSettingsOf(config),
    invitations: new DynamoInvitationStore(db, config.TABLE_NAME),
    mailer: mail.mailer,
    ...(mail.localMailbox && { localMailbox: mail.localMailbox }),
    peopleSettings: { publicUrl: config.PUBLIC_URL },
    settings: httpSettingsOf(config),
    transparencyLog,
    receipts: receiptSigner({ transparencyLog, clock, hubKey, issuer: config.PUBLIC_URL }),
  };
  return { config, deps, db, sqs };
}

/** SMTP when configured; otherwise SES on AWS, and files in the data folder locally. */
function mailerFor(config: Config, ses: RuntimeOverrides["sesMailer"]): { mailer: Mailer; localMailbox?: LocalMailbox } {
  const from = config.MAIL_FROM ?? "Hoptrace <hoptrace@localhost>";
  if (config.SMTP_URL) return { mailer: smtpMailer(config.SMTP_URL, from) };
  if (config.HOPTRACE_MODE === "aws") return { mailer: ses ? ses(config.AWS_REGION, from) : NO_MAIL };
  const files = fileMailer(config.MAIL_DIR ?? join(dirname(config.HUB_KEY_FILE!), "mail"), from);
  return { mailer: files, localMailbox: files };
}

/** A deployed function without a grant to send: refused here, before SES would refuse it. */
const NO_MAIL: Mailer = {
  transport: "ses",
  send: () => Promise.reject(new MailSendError("this function sends no e-mail")),
};

/** Secrets Manager is loaded only where a key lives in it (on AWS), and only when first read. */
const secretsManager = async (region: string) => new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient({ region });

async function loadDataKey(config: Config): Promise<DataKey> {
  if (config.HOPTRACE_MODE === "local") return loadOrCreateDataKeyFile(config.WEBHOOK_SECRETS_KEY_FILE!);
  if (!config.WEBHOOK_SECRETS_KEY_ARN) throw new Error("this function has no access to the webhook secrets key (WEBHOOK_SECRETS_KEY_ARN is not set)");
  const { loadDataKeySecret } = await import("../adapters/keys/data-key-secret.js");
  return loadDataKeySecret(await secretsManager(config.AWS_REGION), config.WEBHOOK_SECRETS_KEY_ARN);
}

async function loadHubKey(config: Config, create: boolean): Promise<HubKey> {
  if (config.HOPTRACE_MODE === "local") return loadOrCreateHubKeyFile(config.HUB_KEY_FILE!);
  const { loadOrCreateHubKeySecret } = await import("../adapters/keys/hub-key-secret.js");
  return loadOrCreateHubKeySecret(await secretsManager(config.AWS_REGION), config.HUB_KEY_SECRET_ARN!, { create });
}
