/**
 * An evidence bundle: everything needed to check one traceback without the hub. The chain as the
 * hub holds it, every signed request about it verbatim with its signer's key as it was and its
 * receipt, the hub's decisions, the signers' certificates, and the log entries of all of them
 * with their inclusion proofs in one signed checkpoint. `npx hoptrace-verify` checks it offline.
 */
import { z } from "@hono/zod-openapi";
import { BUNDLE_FORMAT } from "../../usecases/evidence-bundle.js";
import { EXAMPLE_PROOF, PublicJwkSchema } from "./accounts.js";
import { EXAMPLE_ENTRY, EXAMPLE_NOTE, LogEvidenceSchema } from "./log.js";
import { ChainSchema, HOP_EXAMPLE, SignerPersonSchema, TRACEBACK_EXAMPLE } from "./tracebacks.js";

const StatementId = z.string().min(1).max(200);

export const SignedRequestSchema = z
  .object({
    method: z.string(),
    targetUri: z.string(),
    headers: z
      .record(z.string(), z.string())
      .openapi({ description: "`signature-input`, `signature`, `content-digest`, `content-type` and `idempotency-key`, as received." }),
    body: z.string().openapi({ description: "The body as received." }),
  })
  .strict()
  .openapi("SignedRequest", { description: "A request exactly as the hub received it: its RFC 9421 signature covers these bytes." });

export const KeySnapshotSchema = z
  .object({
    keyId: z.string().openapi({ description: "The RFC 7638 thumbprint of `publicJwk`: the `keyid` of the signature." }),
    accountId: z.string(),
    publicJwk: PublicJwkSchema,
    proof: z.string().optional().openapi({
      description:
        "The key's holder's signature over `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>`, from its registration (absent for the consortium's bootstrap key).",
    }),
    person: SignerPersonSchema.strict()
      .optional()
      .meta({ description: "On a person key (enrolled from an invitation): the person holding it, whom the chain names as the signer of what it signed." }),
  })
  .strict()
  .openapi("KeySnapshot", { description: "The signer's key as it was when it signed (it was active then)." });

export const LoggedRequestSchema = z
  .object({
    statementId: StatementId,
    request: SignedRequestSchema,
    key: KeySnapshotSchema,
    receipt: z.string().openapi({ description: "The receipt the hub returned: a JWS verifiable with the hub's JWKS, committing to the request's log entry." }),
    response: z
      .object({ status: z.number().int(), body: z.string() })
      .strict()
      .optional()
      .openapi({ description: "The response the receipt covers, where the hub keeps it (answers and amendments)." }),
  })
  .strict()
  .openapi("LoggedRequest");

export const LoggedDecisionSchema = z
  .object({
    statementId: StatementId,
    decision: z.record(z.string(), z.unknown()).openapi({
      description:
        "What the hub decided (the batch call that started the traceback, next hop, outcome, overdue, escalation, findings); its log entry holds the SHA-256 of its RFC 8785 canonical JSON.",
    }),
  })
  .strict()
  .openapi("LoggedDecision");

export const EvidenceBundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    issuer: z.string().openapi({ description: "The hub's public URL: the `iss` of its receipts." }),
    generatedAt: z.string(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi({
      description:
        "The hub's published keys when the bundle was made. A verifier should check the bundle against the JWKS it obtained itself (`--jwks`): keys inside the bundle prove nothing about who made it.",
    }),
    chain: ChainSchema,
    requests: z.array(LoggedRequestSchema).openapi({
      description:
        "Every signed request about the traceback: its creation (or the batch request that started it, logged under its caller and named with the call's index by the `batch_created` decision), each answer and amendment, closing, reopening, assignment.",
    }),
    decisions: z.array(LoggedDecisionSchema),
    certificates: z.array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), pem: z.string() }).strict()).openapi({
      description:
        "The STIR/SHAKEN certificates of the call's signers, by the hex SHA-256 of their DER, leaf first; the evaluation is `chain.traceback.signatures`.",
    }),
    log: LogEvidenceSchema.openapi({ description: "The log entries of every request and decision above, each with its inclusion proof in `checkpoint`." }),
  })
  .openapi("EvidenceBundle", {
    description: "The example is abbreviated: one hop, its placement and the answer to it.",
    example: {
      format: BUNDLE_FORMAT,
      issuer: "https://api.hoptrace.example",
      generatedAt: "2024-06-03T19:31:00.000Z",
      jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: "hh_XBNkKZyDr4UDheRd-bFnnbllfe9VXVIk6vjzMUFA", kid: "hub-2024", use: "sig", alg: "EdDSA" }] },
      chain: {
        traceback: {
          ...TRACEBACK_EXAMPLE,
          hopCount: 1,
          path: [HOP_EXAMPLE.providerId],
          result: { outcome: "originator_found", hopSeq: 1, decidedAt: HOP_EXAMPLE.answeredAt, decidedBy: HOP_EXAMPLE.providerId },
        },
        hops: [HOP_EXAMPLE],
      },
      requests: [
        {
          statementId: EXAMPLE_ENTRY.id,
          request: {
            method: "POST",
            targetUri: `https://api.hoptrace.example/v1/hop-requests/${HOP_EXAMPLE.id}/answer`,
            headers: {
              "signature-input":
                'sig1=("@method" "@target-uri" "content-type" "content-digest" "idempotency-key");created=1717430700;expires=1717431000;nonce="w3Yp8k";keyid="SuwhWxCWj13VGJYrZlmrlRhYSy1hfMa0-kAO_5SzRLs";alg="ed25519";tag="hoptrace-v1"',
              signature: "sig1=:YTNmY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODk=:",
              "content-digest": "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:",
              "content-type": "application/json",
              "idempotency-key": "answer-hop-1",
            },
            body: '{"type":"originator_identified","customer":{"name":"Example Dialer LLC"},"actionTaken":"terminated","evidence":{"ingressTrunk":"SIPT-22"}}',
          },
          key: {
            keyId: "SuwhWxCWj13VGJYrZlmrlRhYSy1hfMa0-kAO_5SzRLs",
            accountId: HOP_EXAMPLE.providerId,
            publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
            proof: EXAMPLE_PROOF,
          },
          receipt:
            "eyJhbGciOiJFZERTQSIsImtpZCI6Imh1Yi0yMDI0IiwidHlwIjoiaG9wdHJhY2UtcmVjZWlwdCtqd3QifQ.eyJqdGkiOiJyZXFfMDFKRDVaUjNNNE41UDZRN1I4UzlUMFYxVzIifQ.c2lnbmF0dXJl",
          response: { status: 200, body: '{"id":"hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1","status":"answered"}' },
        },
      ],
      decisions: [
        {
          statementId: `${EXAMPLE_ENTRY.subject}/${HOP_EXAMPLE.id}/placed`,
          decision: {
            type: "hop_placed",
            tracebackId: HOP_EXAMPLE.tracebackId,
            hopId: HOP_EXAMPLE.id,
            seq: 1,
            status: "open",
            namedBy: HOP_EXAMPLE.namedBy,
            createdAt: HOP_EXAMPLE.createdAt,
            providerId: HOP_EXAMPLE.providerId,
            deadline: HOP_EXAMPLE.deadline,
          },
        },
      ],
      certificates: [],
      log: {
        checkpoint: EXAMPLE_NOTE,
        entries: [
          {
            entry: EXAMPLE_ENTRY,
            index: 5,
            proof: [
              "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
              "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
              "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            ],
          },
          {
            entry: {
              v: 1,
              kind: "decision",
              id: `${EXAMPLE_ENTRY.subject}/${HOP_EXAMPLE.id}/placed`,
              subject: EXAMPLE_ENTRY.subject,
              time: "2024-06-03T16:00:00.041Z",
              sha256: "fcOmoPfMbLSznhw6tydFaZLEFOXjDavnaW8l3yR_c-4",
              nonce: "CgoKCgoKCgoKCgoKCgoKCg",
            },
            index: 4,
            proof: [
              "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
              "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
              "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            ],
          },
        ],
      },
    },
  });

export const EvidenceQuerySchema = z.object({
  trustedSize: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({
    description: "The size of a checkpoint you already trust: the bundle then carries the consistency proof from it to the bundle's checkpoint.",
    example: 1200,
  }),
});

export type EvidenceBundleBody = z.infer<typeof EvidenceBundleSchema>;
