/**
 * Configuration, parsed once at start-up from the environment. A missing or malformed setting
 * stops the process with a readable message instead of failing later on a request.
 */
import { z } from "zod";
import { DEADLINE_POLICY_NAMES } from "../domain/deadlines/names.js";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const seconds = z.coerce.number().int().positive();

const settingsSchema = z.object({
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
  DEFAULT_DEADLINE_POLICY: z.enum(DEADLINE_POLICY_NAMES).default("us-24h"),
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
    .refine((u) => URL.canParse(u) && /^smtps?:$/.test(new URL(u).protocol), "use an smtp: or smtps: URL, such as smtp://user:pass@host:587")
    .optional(),
  /** The sender of the hub's e-mails, an address SES (or the SMTP server) lets the hub send as. */
  MAIL_FROM: z
    .string()
    .max(320, "use an address of at most 320 characters")
    .refine((a) => /\S@\S/.test(a), "use an e-mail address, with a name if wanted: Hoptrace <hub@example.org>")
    .optional(),
  /** Local: where messages are written without SMTP; `mail/` beside the hub key by default. */
  MAIL_DIR: z.string().min(1).optional(),
  /** Requests without a registered key (opening and using an invitation), per client address. */
  PUBLIC_RATE_LIMIT_PER_SECOND: seconds.default(2),
  PUBLIC_RATE_LIMIT_BURST: seconds.default(20),
  /** `text`: one readable line per entry, for a person at a terminal; `json` for log collectors. */
  LOG_FORMAT: z.enum(["json", "text"]).default("json"),
});

const configSchema = settingsSchema.superRefine((c, ctx) => {
  if (c.HOPTRACE_MODE === "aws" && !c.HUB_KEY_SECRET_ARN) ctx.addIssue({ code: "custom", path: ["HUB_KEY_SECRET_ARN"], message: "required on AWS" });
  if (c.HOPTRACE_MODE === "local" && !c.HUB_KEY_FILE) ctx.addIssue({ code: "custom", path: ["HUB_KEY_FILE"], message: "required in local mode" });
  if (c.HOPTRACE_MODE === "aws" && !c.MAIL_FROM) ctx.addIssue({ code: "custom", path: ["MAIL_FROM"], message: "required on AWS" });
  if (c.HOPTRACE_MODE === "local" && !c.WEBHOOK_SECRETS_KEY_FILE)
    ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRETS_KEY_FILE"], message: "required in local mode" });
  if (c.HOPTRACE_MODE === "aws" && c.SMTP_URL)
    ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "deployed, e-mail goes through SES; SMTP is for the embedded hub" });
  if (c.HOPTRACE_MODE === "aws" && c.ALLOW_LOOPBACK_WEBHOOKS)
    ctx.addIssue({ code: "custom", path: ["ALLOW_LOOPBACK_WEBHOOKS"], message: "loopback webhooks are for the local mode only" });
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = "invalid_config";
}

/** What names the deployment's resources and mode: set by the stack, or by the embedded server itself. */
const PLACEMENT = new Set([
  "HOPTRACE_MODE",
  "AWS_REGION",
  "TABLE_NAME",
  "DELIVERY_QUEUE_URL",
  "DELIVERY_SLOW_QUEUE_URL",
  "PUBLIC_URL",
  "DYNAMODB_ENDPOINT",
  "SQS_ENDPOINT",
  "HUB_KEY_SECRET_ARN",
  "HUB_KEY_FILE",
]);

/** The settings of `env` that tune behaviour (deadlines, limits, graces), for the embedded server to honour. */
export function behaviourSettings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(settingsSchema.shape)
      .filter((name) => !PLACEMENT.has(name) && env[name] !== undefined)
      .map((name) => [name, env[name]!]),
  );
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, env).join("\n"));
  return parsed.data;
}

/**
 * The behaviour settings of `env` checked on their own, before anything is started: one line per
 * setting that is wrong, naming it, its value and what it takes; none when all are well.
 */
export function settingProblems(env: Record<string, string | undefined>): string[] {
  const given = Object.keys(behaviourSettings(env)) as Array<keyof typeof settingsSchema.shape>;
  const parsed = settingsSchema
    .pick(Object.fromEntries(given.map((name) => [name, true as const])) as Partial<Record<keyof typeof settingsSchema.shape, true>>)
    .safeParse(env);
  return parsed.success ? [] : describeIssues(parsed.error.issues, env);
}

function describeIssues(issues: readonly z.core.$ZodIssue[], env: Record<string, string | undefined>): string[] {
  const lines = new Map<string, string>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? "(configuration)");
    if (lines.has(name)) continue;
    const value = env[name];
    if (value === undefined) lines.set(name, `${name} is not set: ${issue.code === "custom" ? issue.message : "it is required"}`);
    else
      lines.set(
        name,
        `${name}=${JSON.stringify(value)} is not allowed: ${issue.path.length > 1 ? "use whole numbers of seconds separated by commas" : expected(issue)}`,
      );
  }
  return [...lines.values()];
}

function expected(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value") return `use ${issue.values.map(String).join(", ")}`;
  if (issue.code === "too_big") return `use a whole number up to ${String(issue.maximum)}`;
  if (issue.code === "too_small" && issue.origin === "number") return `use a whole number of at least ${Number(issue.minimum) + (issue.inclusive ? 0 : 1)}`;
  if (issue.code === "invalid_type" && (issue.expected === "number" || issue.expected === "int")) return "use a whole number";
  return issue.message;
}
