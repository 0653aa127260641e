/**
 * The responder's configuration file: where the hub is, which key signs, where webhooks arrive,
 * where the call detail records are, and what each ingress trunk means. Parsed once at start,
 * failing with a readable message rather than on the first webhook.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { z } from "zod";
import { foreignPointOfEntryAnswer, originatorIdentifiedAnswer, upstreamRefSchema } from "../domain/answer-schema.js";

const text = (max: number) => z.string().min(1).max(max);

export const DEFAULT_WEBHOOK_PORT = 8788;

/** What a trunk's calls are answered with: the answer's own members and bounds, without its contacts. */
const [registeredUpstream, unregisteredUpstream] = upstreamRefSchema.options;
const originator = originatorIdentifiedAnswer.shape;

export const TrunkMappingSchema = z.union([
  z.object({ upstream: z.union([registeredUpstream, unregisteredUpstream.omit({ contact: true })]) }).strict(),
  z.object({ customer: originator.customer.omit({ contact: true }), actionTaken: originator.actionTaken }).strict(),
  z.object({ foreign: foreignPointOfEntryAnswer.shape.foreignProvider.omit({ contact: true }) }).strict(),
]);
export type TrunkMapping = z.infer<typeof TrunkMappingSchema>;
export type TrunkMap = Record<string, TrunkMapping>;

export const ColumnsSchema = z
  .object({
    startTime: text(100),
    calling: text(100),
    called: text(100),
    ingressTrunk: text(100),
    egressTrunk: text(100).optional(),
    sipCallId: text(100).optional(),
    identity: text(100).optional(),
  })
  .strict();
export type Columns = z.infer<typeof ColumnsSchema>;

export const CdrSourceSchema = z
  .object({
    format: z.enum(["csv", "jsonl"]),
    path: text(4096),
    columns: ColumnsSchema,
    /** How start times are written: ISO 8601 (read as UTC when no offset is given) or Unix epoch. */
    timeFormat: z.enum(["iso", "epoch_seconds", "epoch_millis"]).default("iso"),
    /** CSV only: what separates fields (",", ";", "\t", "|", or a longer string). */
    delimiter: z.string().min(1).max(8).default(","),
    /** CSV only: the character that quotes a field holding delimiters, quotes or line breaks. */
    quote: z.string().length(1).default('"'),
  })
  .strict()
  .refine((c) => !c.delimiter.includes(c.quote), { message: "the delimiter cannot contain the quote character", path: ["delimiter"] });
export type CdrSourceConfig = z.infer<typeof CdrSourceSchema>;

export const ResponderConfigSchema = z
  .object({
    hubUrl: z.string().url(),
    /** A file holding the provider's private Ed25519 JWK. */
    keyFile: text(4096),
    webhook: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        /** Not the hub's 8787, so both run on one machine as they come. */
        port: z.number().int().min(0).max(65_535).default(DEFAULT_WEBHOOK_PORT),
        path: z.string().startsWith("/").default("/hoptrace"),
        /** The endpoint's `whsec_` secret(s); during a rotation list the new and the previous one. */
        secrets: z.array(z.string().startsWith("whsec_")).default([]),
        /**
         * Keep this endpoint registered with the hub: at start the responder finds its endpoint by
         * URL among the account's (reusing it, re-enabling it when paused or disabled, and disabling
         * duplicates left by earlier runs) or registers it, and keeps its secret in `stateFile`.
         */
        register: z
          .object({ publicUrl: z.string().url().optional(), description: z.string().max(500).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .refine((w) => w.secrets.length > 0 || w.register !== undefined, { message: "give the endpoint's secrets, or ask to register the endpoint at start" }),
    cdr: CdrSourceSchema.optional(),
    matchWindowSeconds: z.number().int().positive().max(86_400).default(120),
    trunks: z.record(z.string().min(1), TrunkMappingSchema),
    /** List open hop requests and answer them this often (catches missed webhooks); 0 turns it off. */
    sweepIntervalSeconds: z.number().int().min(0).default(300),
    /**
     * Where a registered endpoint's id and secret are kept between runs (mode 0600). Without it a
     * restart still reuses the endpoint, with a rotated secret. Set beside the config file by
     * loadResponderConfig when not given.
     */
    stateFile: text(4096).optional(),
  })
  .strict();
export type ResponderConfig = z.infer<typeof ResponderConfigSchema>;

export class ResponderConfigError extends Error {
  readonly code = "invalid_responder_config";
}

export function parseResponderConfig(input: unknown): ResponderConfig {
  const parsed = ResponderConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ResponderConfigError(`invalid responder configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/**
 * Reads a config file; relative paths inside it (key file, CDR file, state file) are taken from
 * its folder, and the state file defaults to `<name>.state.json` beside it.
 */
export async function loadResponderConfig(file: string): Promise<ResponderConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new ResponderConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const config = parseResponderConfig(raw);
  const base = dirname(resolve(file));
  return {
    ...config,
    keyFile: resolve(base, config.keyFile),
    stateFile: resolve(base, config.stateFile ?? `${basename(file, extname(file))}.state.json`),
    ...(config.cdr && { cdr: { ...config.cdr, path: resolve(base, config.cdr.path) } }),
  };
}
