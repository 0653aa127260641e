/**
 * Configuration, parsed once at start-up from the environment. A missing or malformed setting
 * stops the process with a readable message instead of failing later on a request.
 */
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const seconds = z.coerce.number().int().positive();

const configSchema = z
  .object({
    HOPTRACE_MODE: z.enum(["aws", "local"]).default("aws"),
    AWS_REGION: z.string().min(1).default("us-east-1"),
    TABLE_NAME: z.string().min(1),
    DELIVERY_QUEUE_URL: z.string().url(),
    /** The slow lane: attempts at endpoints whose last attempt failed, consumed apart so they cannot hold up the rest. */
    DELIVERY_SLOW_QUEUE_URL: z.string().url().optional(),
    PUBLIC_URL: z.string().url(),
    DYNAMODB_ENDPOINT: z.string().url().optional(),
    SQS_ENDPOINT: z.string().url().optional(),
    /** Cloud: the Secrets Manager secret holding the hub's private JWK. */
    HUB_KEY_SECRET_ARN: z.string().min(1).optional(),
    /** Local: the file holding the hub's private JWK, created on first start. */
    HUB_KEY_FILE: z.string().min(1).optional(),
    /** Cloud: the secret the data key of the webhook secrets at rest is derived from (only the functions that use it get it). */
    WEBHOOK_SECRETS_KEY_ARN: z.string().min(1).optional(),
    /** Local: the file holding the data key of the webhook secrets at rest, created on first start. */
    WEBHOOK_SECRETS_KEY_FILE: z.string().min(1).optional(),
    ALLOW_LOOPBACK_WEBHOOKS: bool.default(false),
    /** The first consortium key (public JWK, JSON); the API registers it on its first start. */
    CONSORTIUM_PUBLIC_JWK: z.string().min(1).optional(),
    DEFAULT_DEADLINE_POLICY: z.enum(["us-24h", "ca-2bd", "fixed"]).default("us-24h"),
    FIXED_DEADLINE_SECONDS: seconds.default(86_400),
    /** Canadian policy: requests per provider per week (CRTC: at most 10). */
    WEEKLY_CAP_PER_PROVIDER: seconds.default(10),
    REMINDER_SECONDS_BEFORE_DUE: z
      .string()
      .default("14400,3600")
      .transform((s) => s.split(",").filter(Boolean).map(Number))
      .pipe(z.array(z.number().int().positive())),
    OVERDUE_GRACE_SECONDS: seconds.default(86_400),
    // An accepted body is kept as evidence in one item beside the response it got, and DynamoDB
    // items hold 400 KB at most: the cap cannot be raised past what leaves room for both.
    MAX_BODY_BYTES: seconds.max(131_072).default(65_536),
    RATE_LIMIT_PER_SECOND: seconds.default(50),
    RATE_LIMIT_BURST: seconds.default(200),
    MAX_CLOCK_SKEW_SECONDS: seconds.default(60),
    MAX_SIGNATURE_LIFETIME_SECONDS: seconds.default(300),
    IDEMPOTENCY_RETENTION_SECONDS: seconds.default(72 * 3600 + 3600),
    IDEMPOTENCY_LEASE_SECONDS: seconds.default(30),
    OUTBOX_GRACE_SECONDS: seconds.default(10),
    ENDPOINT_PAUSE_AFTER_FAILURES: seconds.default(30),
    ENDPOINT_PAUSE_AFTER_SECONDS: seconds.default(24 * 3600),
    WEBHOOK_SECRET_GRACE_SECONDS: seconds.default(24 * 3600),
    /** A delivery attempt claimed longer ago than this was lost with its worker. */
    DELIVERY_LEASE_SECONDS: seconds.default(60),
    DELIVERY_RECOVERY_GRACE_SECONDS: seconds.default(60),
    /** A delivery that has not been answered in full by then has failed (docs/protocol.md §3). */
    WEBHOOK_TIMEOUT_MS: seconds.default(10_000),
    LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
    /** The embedded hub's e-mail over SMTP (`smtp://user:pass@host:587`, `smtps://…`); without it, `.eml` files. Deployed, SES. */
    SMTP_URL: z
      .string()
      .url()
      .refine((u) => /^smtps?:/.test(u), "must be an smtp: or smtps: URL")
      .optional(),
    /** The sender of the hub's e-mails, an address SES (or the SMTP server) lets the hub send as. */
    MAIL_FROM: z.string().min(3).max(320).optional(),
    /** Local: where messages are written without SMTP; `mail/` beside the hub key by default. */
    MAIL_DIR: z.string().min(1).optional(),
    /** Requests without a registered key (opening and using an invitation), per client address. */
    PUBLIC_RATE_LIMIT_PER_SECOND: seconds.default(2),
    PUBLIC_RATE_LIMIT_BURST: seconds.default(20),
  })
  .superRefine((c, ctx) => {
    if (c.HOPTRACE_MODE === "aws" && !c.HUB_KEY_SECRET_ARN) ctx.addIssue({ code: "custom", path: ["HUB_KEY_SECRET_ARN"], message: "required on AWS" });
    if (c.HOPTRACE_MODE === "local" && !c.HUB_KEY_FILE) ctx.addIssue({ code: "custom", path: ["HUB_KEY_FILE"], message: "required in local mode" });
    if (c.HOPTRACE_MODE === "aws" && !c.MAIL_FROM) ctx.addIssue({ code: "custom", path: ["MAIL_FROM"], message: "required on AWS" });
    if (c.HOPTRACE_MODE === "local" && !c.WEBHOOK_SECRETS_KEY_FILE) ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRETS_KEY_FILE"], message: "required in local mode" });
    if (c.HOPTRACE_MODE === "aws" && c.SMTP_URL) ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "deployed, e-mail goes through SES; SMTP is for the embedded hub" });
    if (c.HOPTRACE_MODE === "aws" && c.ALLOW_LOOPBACK_WEBHOOKS) ctx.addIssue({ code: "custom", path: ["ALLOW_LOOPBACK_WEBHOOKS"], message: "loopback webhooks are for the local mode only" });
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = "invalid_config";
}

/** What names the deployment's resources and mode: set by the stack, or by the embedded server itself. */
const PLACEMENT = new Set(["HOPTRACE_MODE", "AWS_REGION", "TABLE_NAME", "DELIVERY_QUEUE_URL", "DELIVERY_SLOW_QUEUE_URL", "PUBLIC_URL", "DYNAMODB_ENDPOINT", "SQS_ENDPOINT", "HUB_KEY_SECRET_ARN", "HUB_KEY_FILE"]);

/** The settings of `env` that tune behaviour (deadlines, limits, graces), for the embedded server to honour. */
export function behaviourSettings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((name) => !PLACEMENT.has(name) && env[name] !== undefined)
      .map((name) => [name, env[name]!]),
  );
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
