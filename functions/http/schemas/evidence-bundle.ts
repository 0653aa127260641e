/**
 * An evidence bundle: everything needed to check one traceback without the hub. The chain as the
 * hub holds it, every signed request about it verbatim with its signer's key as it was and its
 * receipt, the hub's decisions, the signers' certificates, and the log entries of all of them
 * with their inclusion proofs in one signed checkpoint. `npx hoptrace-verify` checks it offline.
 */
import { z } from "@hono/zod-openapi";
import { BUNDLE_FORMAT } from "../../usecases/evidence-bundle.js";
import { PublicJwkSchema } from "./accounts.js";
import { LogEvidenceSchema } from "./log.js";
import { ChainSchema } from "./tracebacks.js";

const StatementId = z.string().min(1).max(200);

export const SignedRequestSchema = z
  .object({
    method: z.string(),
    targetUri: z.string(),
    headers: z.record(z.string(), z.string()).openapi({ description: "`signature-input`, `signature`, `content-digest`, `content-type` and `idempotency-key`, as received." }),
    body: z.string().openapi({ description: "The body as received." }),
  })
  .strict()
  .openapi("SignedRequest", { description: "A request exactly as the hub received it: its RFC 9421 signature covers these bytes." });

export const KeySnapshotSchema = z
  .object({
    keyId: z.string().openapi({ description: "The RFC 7638 thumbprint of `publicJwk`: the `keyid` of the signature." }),
    accountId: z.string(),
    publicJwk: PublicJwkSchema,
    proof: z.string().optional().openapi({ description: "The key's holder's signature over `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>`, from its registration (absent for the consortium's bootstrap key)." }),
  })
  .strict()
  .openapi("KeySnapshot", { description: "The signer's key as it was when it signed (it was active then)." });

export const LoggedRequestSchema = z
  .object({
    statementId: StatementId,
    request: SignedRequestSchema,
    key: KeySnapshotSchema,
    receipt: z.string().openapi({ description: "The receipt the hub returned: a JWS verifiable with the hub's JWKS, committing to the request's log entry." }),
    response: z.object({ status: z.number().int(), body: z.string() }).strict().optional().openapi({ description: "The response the receipt covers, where the hub keeps it (answers and amendments)." }),
  })
  .strict()
  .openapi("LoggedRequest");

export const LoggedDecisionSchema = z
  .object({
    statementId: StatementId,
    decision: z.record(z.string(), z.unknown()).openapi({ description: "What the hub decided (next hop, outcome, overdue, escalation, findings); its log entry holds the SHA-256 of its RFC 8785 canonical JSON." }),
  })
  .strict()
  .openapi("LoggedDecision");

export const EvidenceBundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    issuer: z.string().openapi({ description: "The hub's public URL: the `iss` of its receipts." }),
    generatedAt: z.string(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi({
      description: "The hub's published keys when the bundle was made. A verifier should check the bundle against the JWKS it obtained itself (`--jwks`): keys inside the bundle prove nothing about who made it.",
    }),
    chain: ChainSchema,
    requests: z.array(LoggedRequestSchema).openapi({ description: "Every signed request about the traceback: its creation, each answer and amendment, closing, reopening, assignment." }),
    decisions: z.array(LoggedDecisionSchema),
    certificates: z
      .array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), pem: z.string() }).strict())
      .openapi({ description: "The STIR/SHAKEN certificates of the call's signers, by the hex SHA-256 of their DER, leaf first; the evaluation is `chain.traceback.signatures`." }),
    log: LogEvidenceSchema.openapi({ description: "The log entries of every request and decision above, each with its inclusion proof in `checkpoint`." }),
  })
  .openapi("EvidenceBundle");

export const EvidenceQuerySchema = z.object({
  trustedSize: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .openapi({ description: "The size of a checkpoint you already trust: the bundle then carries the consistency proof from it to the bundle's checkpoint.", example: 1200 }),
});

export type EvidenceBundleBody = z.infer<typeof EvidenceBundleSchema>;
