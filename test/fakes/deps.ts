/**
 * The composition root of the fast suite: every port in memory, everything else real (the
 * crypto, the hub key, the sealed cursors and secrets, the deadline policies, the settings as
 * the configuration gives them).
 */
import { secretBox } from "../../functions/adapters/keys/secret-box.js";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { newDataKey } from "../../functions/crypto/sealed-secret.js";
import type { Clock } from "../../functions/domain/clock.js";
import { ManualClock } from "../support/manual-clock.js";
import type { AppDeps } from "../../functions/http/env.js";
import type { HubKey } from "../../functions/usecases/hub-key-ports.js";
import { loadConfig } from "../../functions/platform/config.js";
import { deadlinePolicies } from "../../functions/platform/deadlines.js";
import { httpSettingsOf, keyedDeps, logOrigin, webhookSettingsOf } from "../../functions/platform/settings.js";
import { RecordingEventPublisher } from "../../functions/usecases/event-outbox.js";
import type { Logger } from "../../functions/usecases/ports.js";
import type { Mailer } from "../../functions/usecases/people-ports.js";
import { smtpMailer } from "../../functions/adapters/mail/mailers.js";
import { MemoryAccountStore } from "./account-store.js";
import { MemoryCampaignStore } from "./campaign-store.js";
import { MemoryDeliveryQueue, MemoryMailer, memorySender, embeddedHubGuard } from "./delivery.js";
import { MemoryEvidenceStore } from "./evidence-store.js";
import { MemoryIntelStore } from "./intel-store.js";
import { MemoryInvitationStore } from "./invitation-store.js";
import { MemoryLogStore } from "./log-store.js";
import { MemoryRequestStore } from "./request-store.js";
import { MemoryRmdStore } from "./rmd-store.js";
import { MemoryTracebackStore } from "./traceback-store.js";
import { MemoryWebhookStore } from "./webhook-store.js";
import { readRmdExport } from "../../functions/adapters/rmd/csv-export.js";
import { receiptSigner } from "../../functions/usecases/log-exchange.js";

export const FAKE_PUBLIC_URL = "https://hub.test";

/** Keeps what is logged, so a test can tell that an error was reported (and what it said). */
export class MemoryLogger implements Logger {
  readonly lines: Array<{ level: "info" | "warn" | "error"; message: string; fields?: Record<string, unknown> }> = [];
  info = (message: string, fields?: Record<string, unknown>) => void this.lines.push({ level: "info", message, ...(fields && { fields }) });
  warn = (message: string, fields?: Record<string, unknown>) => void this.lines.push({ level: "warn", message, ...(fields && { fields }) });
  error = (message: string, fields?: Record<string, unknown>) => void this.lines.push({ level: "error", message, ...(fields && { fields }) });
}

export type FakeDeps = AppDeps & {
  accounts: MemoryAccountStore;
  tracebacks: MemoryTracebackStore;
  requests: MemoryRequestStore;
  webhooks: MemoryWebhookStore;
  evidence: MemoryEvidenceStore;
  invitations: MemoryInvitationStore;
  intel: MemoryIntelStore;
  rmd: MemoryRmdStore;
  campaigns: MemoryCampaignStore;
  queue: MemoryDeliveryQueue;
  mailer: Mailer;
  send: ReturnType<typeof memorySender>;
  log: MemoryLogger;
  transparencyLog: AppDeps["transparencyLog"] & { logStore: MemoryLogStore };
};

export interface FakeOptions {
  /** A ManualClock at the present by default. */
  clock?: Clock;
  /** Settings as environment variables, read by the same configuration schema as the hub's. */
  env?: Record<string, string>;
  /**
   * The mode the configuration is read in: "aws" by default; "local" as `npm start` runs, where a
   * refused signature says which check failed. Its key files are never read: the keys are made here.
   */
  mode?: "aws" | "local";
}

export async function fakeDeps(opts: FakeOptions = {}): Promise<FakeDeps> {
  const clock = opts.clock ?? new ManualClock(new Date());
  const config = loadConfig({
    ...(opts.mode === "local"
      ? { HOPTRACE_MODE: "local", HUB_KEY_FILE: "memory", WEBHOOK_SECRETS_KEY_FILE: "memory" }
      : { HOPTRACE_MODE: "aws", HUB_KEY_SECRET_ARN: "memory" }),
    TABLE_NAME: "memory",
    DELIVERY_QUEUE_URL: "https://queue.test/delivery",
    PUBLIC_URL: FAKE_PUBLIC_URL,
    MAIL_FROM: "Hoptrace <hoptrace@hub.test>",
    // Tests send bursts from one account on purpose; the rate limit has a test of its own.
    RATE_LIMIT_PER_SECOND: "100000",
    RATE_LIMIT_BURST: "100000",
    PUBLIC_RATE_LIMIT_PER_SECOND: "100000",
    PUBLIC_RATE_LIMIT_BURST: "100000",
    ...opts.env,
  });
  const generated = await generateSigningKey();
  const hubKey: HubKey = { kid: generated.kid, privateKey: generated.privateKey, publicJwk: generated.publicJwk };
  const dataKey = newDataKey();
  const log = new MemoryLogger();
  const webhooks = new MemoryWebhookStore();
  const queue = new MemoryDeliveryQueue();
  const accounts = new MemoryAccountStore();
  const transparencyLog = { logStore: new MemoryLogStore(), clock, hubKey, logOrigin: logOrigin(config.PUBLIC_URL) };
  return {
    accounts,
    // Read through on every request: one process, so a change is seen at once, as the cache's own is.
    signingKeys: { get: (keyId: string) => accounts.getKey(keyId) },
    readRmdExport,
    receipts: receiptSigner({ transparencyLog, clock, hubKey, issuer: config.PUBLIC_URL }),
    evidence: new MemoryEvidenceStore(),
    // No certificate is reachable from the fast suite: every x5u fails to fetch.
    fetchCertificate: async () => undefined,
    tracebacks: new MemoryTracebackStore(),
    requests: new MemoryRequestStore(),
    events: new RecordingEventPublisher(webhooks, queue, clock, log),
    deadlines: deadlinePolicies(config),
    ...keyedDeps(clock, hubKey),
    log,
    webhooks,
    secrets: secretBox(async () => dataKey),
    rmd: new MemoryRmdStore(),
    campaigns: new MemoryCampaignStore(),
    intel: new MemoryIntelStore(),
    queue,
    send: memorySender(),
    guard: embeddedHubGuard,
    random: Math.random,
    webhookSettings: webhookSettingsOf(config),
    invitations: new MemoryInvitationStore(),
    // Over SMTP when the configuration names a server (a test's own, on the loopback), as the hub's.
    mailer: config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM!) : new MemoryMailer(),
    peopleSettings: { publicUrl: config.PUBLIC_URL },
    settings: httpSettingsOf(config),
    transparencyLog,
  };
}
