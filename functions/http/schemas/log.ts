/** The transparency log's public read-only contract: checkpoints and proofs. */
import { z } from "@hono/zod-openapi";
import { ENTRY_FORMATS, logEntrySchema } from "../../domain/log/entry.js";

const Base64Hash = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/)
  .openapi({ description: "A SHA-256 hash, base64 (RFC 4648 section 4).", example: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=" });
const TreeSize = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const LeafIndex = z.coerce
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER - 1);

// A real checkpoint (of the 8-leaf RFC 6962 test tree), signed by a documentation key whose
// verifier keys are those of the example below.
export const EXAMPLE_NOTE =
  "api.hoptrace.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 api.hoptrace.example/log qa5vMandbTNotwF/3qQcmQINk7mdHiYWYpxzN+6UEi8YvFiiqxJCqfBLiDkqy2MF7ky+6k1y/nwlDYDjtYanWTxbeAY=\n\u2014 api.hoptrace.example/log qmw8YgAAAABmXemw9ozct4e0wFsnDEmaHDxvnqKTphF/y2To0KuRlEj1PN5Q5AHfWQYLYkxlc5srRHKIA2jZG860NkhJzQXEKNAsDw==\n";

export const LogCheckpointSchema = z
  .object({
    origin: z.string().openapi({ description: "The log's identity: the first line of the checkpoint and the name of its signatures." }),
    treeSize: z.number().int().min(0),
    rootHash: Base64Hash,
    timestamp: z.string().openapi({ description: "When the hub signed the checkpoint (the time its `cosignature/v1` signature commits to)." }),
    checkpoint: z.string().openapi({
      description:
        "The signed checkpoint: a C2SP tlog-checkpoint note (origin, tree size, root hash) with two signatures by the hub key named by the origin, an Ed25519 note signature and a timestamped `cosignature/v1`. Verify both with the Ed25519 key of `/.well-known/jwks.json`, or with the `verifierKeys`.",
    }),
    verifierKeys: z
      .object({ ed25519: z.string(), cosignature: z.string() })
      .openapi({ description: "The hub's current key as C2SP verifier keys (name+key ID+key), for note-based witnesses." }),
  })
  .openapi("LogCheckpoint", {
    example: {
      origin: "api.hoptrace.example/log",
      treeSize: 8,
      rootHash: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
      timestamp: "2024-06-03T16:05:04.000Z",
      checkpoint: EXAMPLE_NOTE,
      verifierKeys: {
        ed25519: "api.hoptrace.example/log+a9ae6f31+AYYf1wTZCmcg6+FA4XkXfmxZ525vWXvVV1SJOr48zFBQ",
        cosignature: "api.hoptrace.example/log+aa6c3c62+BIYf1wTZCmcg6+FA4XkXfmxZ525vWXvVV1SJOr48zFBQ",
      },
    },
  });

export const InclusionQuerySchema = z.object({
  index: LeafIndex.optional().openapi({ description: "The entry's index. Give this or `statementId`.", example: 5 }),
  statementId: z.string().regex(ENTRY_FORMATS.id).optional().openapi({
    description: "The statement's id, e.g. the `log.id` of a receipt. Give this or `index`.",
    example: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9/req_01JD5ZR3M4N5P6Q7R8S9T0V1W2",
  }),
  treeSize: TreeSize.optional().openapi({ description: "The tree to prove inclusion in; the latest checkpoint's by default.", example: 8 }),
});

export const InclusionProofSchema = z
  .object({
    index: z.number().int().min(0),
    treeSize: z.number().int().min(1),
    leafHash: Base64Hash.openapi({ description: "SHA-256(0x00 ‖ entry)." }),
    proof: z.array(Base64Hash).openapi({ description: "The RFC 9162 audit path, from the leaf's sibling up." }),
    checkpoint: z.string().optional().openapi({ description: "The signed checkpoint of `treeSize`, when it is the latest." }),
  })
  .openapi("InclusionProof", {
    example: {
      index: 5,
      treeSize: 8,
      leafHash: "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
      proof: ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=", "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="],
    },
  });

export const ConsistencyQuerySchema = z.object({
  from: TreeSize.openapi({ description: "The older tree size (a checkpoint you hold).", example: 6 }),
  to: TreeSize.optional().openapi({ description: "The newer tree size; the latest checkpoint's by default.", example: 8 }),
});

export const ConsistencyProofSchema = z
  .object({
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    proof: z.array(Base64Hash).openapi({ description: "The RFC 9162 consistency proof; empty when `from` is 0 or equals `to`." }),
  })
  .openapi("ConsistencyProof", {
    example: {
      from: 6,
      to: 8,
      proof: ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=", "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="],
    },
  });

export const EXAMPLE_ENTRY = {
  v: 1 as const,
  kind: "request" as const,
  id: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9/req_01JD5ZR3M4N5P6Q7R8S9T0V1W2",
  subject: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  time: "2024-06-03T16:05:00.123Z",
  sha256: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
  nonce: "CQkJCQkJCQkJCQkJCQkJCQ",
  receipt: "u5l3Gf0P8y7H2m9Q1c4V6b8N0x2Z4k6M8p0R2t4W6y8",
};

const entry = logEntrySchema.shape;
export const LogEntrySchema = z
  .object({
    ...entry,
    sha256: entry.sha256.meta({ description: "base64url SHA-256 of the statement's bytes." }),
    receipt: entry.receipt.meta({ description: "`request` entries: base64url SHA-256 of the receipt JWS returned for the request." }),
  })
  .strict()
  .openapi("LogEntry", {
    description:
      "A log entry. Its bytes (the leaf the tree commits to) are its RFC 8785 canonical JSON. A request's entry also holds the digest of its receipt; the receipt's `log` claim holds the rest of the entry.",
    example: EXAMPLE_ENTRY,
  });

/**
 * The log's part of an evidence bundle: entries with their inclusion proofs in one checkpoint,
 * and optionally the consistency of that checkpoint with an older or newer one the reader trusts.
 */
export const LogEvidenceSchema = z
  .object({
    checkpoint: z.string().max(16_384),
    entries: z
      .array(
        z
          .object({
            entry: LogEntrySchema,
            index: z
              .number()
              .int()
              .min(0)
              .max(Number.MAX_SAFE_INTEGER - 1),
            proof: z.array(Base64Hash).max(64),
            statement: z.unknown().optional().openapi({ description: "The statement itself: a signed request, a receipt JWS or a decision." }),
          })
          .strict(),
      )
      .max(1_000_000),
    consistency: z
      .object({ from: z.number().int().min(0), to: z.number().int().min(0), proof: z.array(Base64Hash).max(128) })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("LogEvidence");

export type LogEvidence = z.infer<typeof LogEvidenceSchema>;
export type LogCheckpointBody = z.infer<typeof LogCheckpointSchema>;
export type InclusionProofBody = z.infer<typeof InclusionProofSchema>;
export type ConsistencyProofBody = z.infer<typeof ConsistencyProofSchema>;
