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
import { ulidGenerator } from "../adapters/ids.js";
import { loadOrCreateHubKeyFile } from "../adapters/keys/hub-key-file.js";
import { loadOrCreateDataKeyFile } from "../adapters/keys/data-key-file.js";
import { secretBox } from "../adapters/keys/secret-box.js";
import { createSqsClient } from "../adapters/sqs/client.js";
import { SqsDeliveryQueue } from "../adapters/sqs/delivery-queue.js";
import { DynamoWebhookStore } from "../adapters/dynamo/webhook-store.js";
import { DynamoEvidenceStore } from "../adapters/dynamo/evidence-store.js";
import { DynamoLogStore } from "../adapters/dynamo/log-store.js";
import { cursorSeal, secretFromHubKey } from "../crypto/cursor-seal.js";
import { DynamoRmdStore } from "../adapters/dynamo/rmd-store.js";
import { DynamoCampaignStore } from "../adapters/dynamo/campaign-store.js";
import { DynamoIntelStore } from "../adapters/dynamo/intel-store.js";
import { createCertificateFetcher } from "../adapters/shaken/certificate-fetcher.js";
import { pinnedFetch } from "../adapters/net/pinned-fetch.js";
import { destinationGuard, webhookSender } from "../adapters/webhooks/sender.js";
import { DynamoInvitationStore } from "../adapters/dynamo/invitation-store.js";
import { fileMailer, smtpMailer } from "../adapters/mail/mailers.js";
import { sesMailer } from "../adapters/mail/ses-mailer.js";
import { invitationTokens } from "../crypto/invitation-token.js";
import { systemClock, type Clock } from "../domain/clock.js";
import type { LocalMailbox, Mailer } from "../usecases/people-ports.js";
import type { AppDeps, HubKey } from "../http/env.js";
import type { DataKey } from "../crypto/sealed-secret.js";
import type { Config } from "./config.js";
import { deadlinePolicies } from "./deadlines.js";
import { createLogger } from "./logger.js";
import { RecordingEventPublisher } from "../usecases/event-outbox.js";

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
}

export async function buildRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const db = createDocumentClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT && { endpoint: config.DYNAMODB_ENDPOINT }) });
  const sqs = createSqsClient(config.AWS_REGION, config.SQS_ENDPOINT);
  const hubKey = await loadHubKey(config, overrides.createHubKey ?? config.HOPTRACE_MODE === "local");
  const destinationPolicy = { allowLoopback: config.ALLOW_LOOPBACK_WEBHOOKS, requireHttps: config.HOPTRACE_MODE === "aws" };
  const guard = destinationGuard(destinationPolicy);
  const mail = mailerFor(config);
  const secrets = secretBox(() => loadDataKey(config));
  const webhooks = new DynamoWebhookStore(db, config.TABLE_NAME, secrets);
  const queue = new SqsDeliveryQueue(sqs, config.DELIVERY_QUEUE_URL, config.DELIVERY_SLOW_QUEUE_URL);
  const log = createLogger(config.LOG_LEVEL, config.LOG_FORMAT);
  const deps: AppDeps = {
    accounts: new DynamoAccountStore(db, config.TABLE_NAME),
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
    clock,
    ids: ulidGenerator(() => clock.now().getTime()),
    log,
    hubKeys: { current: hubKey, published: [hubKey] },
    hubKey,
    cursors: cursorSeal(secretFromHubKey(hubKey.privateKey, "page-cursor/v1")),
    webhooks,
    secrets,
    rmd: new DynamoRmdStore(db, config.TABLE_NAME),
    campaigns: new DynamoCampaignStore(db, config.TABLE_NAME),
    intel: new DynamoIntelStore(db, config.TABLE_NAME),
    queue,
    send: webhookSender(destinationPolicy, config.WEBHOOK_TIMEOUT_MS),
    guard,
    random: Math.random,
    webhookSettings: {
      publicUrl: config.PUBLIC_URL,
      pausePolicy: { afterFailures: config.ENDPOINT_PAUSE_AFTER_FAILURES, afterSeconds: config.ENDPOINT_PAUSE_AFTER_SECONDS },
      secretGraceSeconds: config.WEBHOOK_SECRET_GRACE_SECONDS,
      leaseSeconds: config.DELIVERY_LEASE_SECONDS,
      recoveryGraceSeconds: config.DELIVERY_RECOVERY_GRACE_SECONDS,
      attemptTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    },
    invitations: new DynamoInvitationStore(db, config.TABLE_NAME),
    invitationTokens: invitationTokens(hubKey.privateKey),
    mailer: mail.mailer,
    ...(mail.localMailbox && { localMailbox: mail.localMailbox }),
    peopleSettings: { publicUrl: config.PUBLIC_URL },
    settings: {
      publicUrl: config.PUBLIC_URL,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxClockSkewSeconds: config.MAX_CLOCK_SKEW_SECONDS,
      maxSignatureLifetimeSeconds: config.MAX_SIGNATURE_LIFETIME_SECONDS,
      idempotencyRetentionSeconds: config.IDEMPOTENCY_RETENTION_SECONDS,
      idempotencyLeaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
      defaultDeadlinePolicy: config.DEFAULT_DEADLINE_POLICY,
      rateLimit: { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST },
      publicRateLimit: { perSecond: config.PUBLIC_RATE_LIMIT_PER_SECOND, burst: config.PUBLIC_RATE_LIMIT_BURST },
      explainSignatureRefusals: config.HOPTRACE_MODE === "local",
    },
    transparencyLog: { logStore: new DynamoLogStore(db, config.TABLE_NAME), clock, hubKey, logOrigin: logOrigin(config.PUBLIC_URL) },
  };
  return { config, deps, db, sqs };
}

/** SMTP when configured; otherwise SES on AWS, and files in the data folder locally. */
function mailerFor(config: Config): { mailer: Mailer; localMailbox?: LocalMailbox } {
  const from = config.MAIL_FROM ?? "Hoptrace <hoptrace@localhost>";
  if (config.SMTP_URL) return { mailer: smtpMailer(config.SMTP_URL, from) };
  if (config.HOPTRACE_MODE === "aws") return { mailer: sesMailer(config.AWS_REGION, from) };
  const files = fileMailer(config.MAIL_DIR ?? join(dirname(config.HUB_KEY_FILE!), "mail"), from);
  return { mailer: files, localMailbox: files };
}

/** The log's name in its checkpoints: the public URL's host and path, then `/log`. */
function logOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.host}${url.pathname.replace(/\/$/, "")}/log`;
}

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
