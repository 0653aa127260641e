/**
 * Per-stage settings in one typed, validated place. `-c stage=<name>` selects them; `dev` and
 * `prod` have their own defaults and any other name (a developer's own stage) starts from `dev`.
 * A few values that differ per deployment rather than per stage come from context too:
 * `-c publicUrl=…`, `-c consortiumPublicJwk='{"kty":"OKP",…}'`, `-c alarmEmail=…`, `-c mailFrom=…`,
 * `-c mailIdentity=…`, and `-c withoutIndex=…` for the one deploy that rebuilds an index.
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { z } from "zod";
import { importPublicJwk } from "../functions/crypto/keys.js";
import { DEADLINE_POLICY_NAMES } from "../functions/domain/deadlines/policy.js";
import { TABLE, type IndexName } from "../functions/adapters/dynamo/keys.js";

const INDEX_NAMES = Object.values(TABLE.indexes).map((i) => i.name) as [IndexName, ...IndexName[]];

const retentionDays = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === "number"));

/** Only a public Ed25519 JWK: a private `d` in a CloudFormation template would leak the key. */
const consortiumJwkSchema = z
  .preprocess(parseJsonString, z.record(z.string(), z.unknown(), "must be a JSON object"))
  .refine((jwk) => !("d" in jwk), "must be the public key: remove the private member `d`")
  .refine((jwk) => {
    try {
      importPublicJwk(jwk);
      return true;
    } catch {
      return false;
    }
  }, "must be an Ed25519 public JWK ({kty: OKP, crv: Ed25519, x})")
  .transform((jwk) => ({ kty: jwk.kty as string, crv: jwk.crv as string, x: jwk.x as string }));

function parseJsonString(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const stageConfigSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,19}$/, "lower-case letters, digits and dashes, 2 to 20 characters"),
  /** The API's public base URL (a custom domain); the HTTP API's own endpoint when absent. */
  publicUrl: z
    .url()
    .refine((u) => u.startsWith("https://"), "must be https")
    .transform((u) => u.replace(/\/$/, ""))
    .optional(),
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => retentionDays.has(d), "must be a CloudWatch Logs retention period"),
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]),
  alarms: z.object({
    /** Messages in the delivery DLQ before the alarm fires. */
    dlqDepth: z.number().int().min(1),
    /** Age of the oldest message in the delivery queue, seconds. */
    oldestMessageAgeSeconds: z.number().int().min(60),
    /** Errors of any one function within five minutes. */
    functionErrors: z.number().int().min(1),
  }),
  throttling: z.object({
    rateLimit: z.number().positive(),
    burstLimit: z.number().int().positive(),
  }),
  /** The first consortium key, created by the API on its first start. */
  consortiumPublicJwk: consortiumJwkSchema.optional(),
  defaultDeadlinePolicy: z.enum(DEADLINE_POLICY_NAMES),
  /** X-Ray tracing of the functions (an HTTP API stage has no X-Ray tracing of its own). */
  tracing: z.boolean(),
  /** Concurrent delivery invocations the SQS event source may run (2 to 1000). */
  deliveryMaxConcurrency: z.number().int().min(2).max(1000),
  /** Concurrent invocations for the slow lane (attempts at endpoints whose last attempt failed). */
  slowLaneMaxConcurrency: z.number().int().min(2).max(1000),
  /** DynamoDB deletion protection: on where the data matters. */
  deletionProtection: z.boolean(),
  alarmEmail: z.email().optional(),
  /** The sender of the hub's e-mails (invitations, hop requests to providers without a webhook), sent through SES. */
  mailFrom: z.email(),
  /** The verified SES identity the sender belongs to: its domain unless given (the address itself, or another domain). */
  mailIdentity: z
    .string()
    .regex(/^([^@\s]+@)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, "an e-mail address or a domain")
    .optional(),
  /**
   * An index the table is deployed without, for the one deploy that drops it so that the next
   * deploy creates it again with the projection keys.ts gives it (infra/README.md, "Index
   * projections"). Never a stage's default.
   */
  withoutIndex: z.enum(INDEX_NAMES).optional(),
});

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** The SES identity the sender's grant names. */
export function mailIdentityOf(config: Pick<StageConfig, "mailFrom" | "mailIdentity">): string {
  return config.mailIdentity ?? config.mailFrom.slice(config.mailFrom.lastIndexOf("@") + 1);
}
/** A stage's defaults; prod has no sender of its own, so a deployment must name its verified one. */
type StageDefaults = Omit<z.input<typeof stageConfigSchema>, "stage" | "mailFrom"> & { mailFrom?: string };

const DEV: StageDefaults = {
  logRetentionDays: RetentionDays.TWO_WEEKS,
  logLevel: "DEBUG",
  alarms: { dlqDepth: 1, oldestMessageAgeSeconds: 900, functionErrors: 5 },
  throttling: { rateLimit: 20, burstLimit: 40 },
  defaultDeadlinePolicy: "us-24h",
  tracing: true,
  deliveryMaxConcurrency: 2,
  slowLaneMaxConcurrency: 2,
  deletionProtection: false,
  mailFrom: "hoptrace@example.org",
};

const PROD: StageDefaults = {
  logRetentionDays: RetentionDays.THREE_MONTHS,
  logLevel: "INFO",
  alarms: { dlqDepth: 1, oldestMessageAgeSeconds: 600, functionErrors: 1 },
  // Sized by the capacity model in infra/README.md: 1M tracebacks a day is 127 requests a second
  // on average (2.2 per hop); this is five times that, with bursts of twice the rate.
  throttling: { rateLimit: 700, burstLimit: 1400 },
  defaultDeadlinePolicy: "us-24h",
  tracing: true,
  deliveryMaxConcurrency: 20,
  slowLaneMaxConcurrency: 10,
  deletionProtection: true,
};

export const STAGE_DEFAULTS: Record<string, StageDefaults> = { dev: DEV, prod: PROD };

export class StageConfigError extends Error {
  readonly code = "invalid_stage_config";
}

/** Reads one context value; the CDK CLI passes `-c` values as strings. */
export type ContextReader = (key: string) => unknown;

export function resolveStageConfig(context: ContextReader): StageConfig {
  const stage = context("stage") ?? "dev";
  const defaults = typeof stage === "string" ? (STAGE_DEFAULTS[stage] ?? DEV) : DEV;
  const overrides = Object.fromEntries(
    (["publicUrl", "consortiumPublicJwk", "alarmEmail", "mailFrom", "mailIdentity", "withoutIndex"] as const).flatMap((key) => {
      const value = context(key);
      return value === undefined || value === "" ? [] : [[key, value]];
    }),
  );
  return parseStageConfig({ ...defaults, ...overrides, stage });
}

export function parseStageConfig(input: unknown): StageConfig {
  const parsed = stageConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new StageConfigError(`invalid stage configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
