/**
 * The transparency log, public and read-only: the latest checkpoint and proofs against it.
 *
 * These routes sit outside /v1 and are not signed requests, on purpose. A witness, a court's
 * expert or a provider on the other side of a dispute must be able to check the log without an
 * account the hub's operator could revoke, and without telling the hub who is asking (a hub
 * that knew its readers could show each one a different tree). Nothing here needs trust in the
 * transport: every checkpoint is signed by the hub key and every proof is checked against one.
 * They reveal only sizes, hashes and statement ids. Proofs for explicit sizes never change and
 * are cacheable for good.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { logVerifierKeys, readCheckpoint } from "../../crypto/checkpoint.js";
import * as proofs from "../../usecases/log-proofs.js";
import type { AppDeps, AppEnv } from "../env.js";
import { problemResponses } from "../schemas/common.js";
import {
  ConsistencyProofSchema,
  ConsistencyQuerySchema,
  InclusionProofSchema,
  InclusionQuerySchema,
  LogCheckpointSchema,
  type ConsistencyProofBody,
  type InclusionProofBody,
  type LogCheckpointBody,
} from "../schemas/log.js";
import { ProblemError } from "../problem.js";

const tags = ["Transparency log"];
const IMMUTABLE = "public, max-age=31536000, immutable";
const FRESH = "no-store";
const b64 = (h: Uint8Array) => Buffer.from(h).toString("base64");

export function logRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/log/v1/checkpoint",
      operationId: "getLogCheckpoint",
      tags,
      summary: "The latest signed checkpoint of the log (public)",
      description: "Poll it to witness the log: each new checkpoint must be consistent with the last one you saw (`/log/v1/proofs/consistency`).",
      security: [],
      responses: { 200: { description: "The checkpoint", content: { "application/json": { schema: LogCheckpointSchema } } }, ...problemResponses(404, 500) },
    }),
    async (c) => {
      const head = await proofs.latestCheckpoint(deps.transparencyLog);
      const read = readCheckpoint(head.checkpoint);
      const body: LogCheckpointBody = {
        origin: read.origin,
        treeSize: read.size,
        rootHash: b64(read.rootHash),
        timestamp: new Date((read.timestamp ?? 0) * 1000).toISOString(),
        checkpoint: head.checkpoint,
        verifierKeys: logVerifierKeys(read.origin, deps.hubKeys.current.publicJwk),
      };
      c.header("cache-control", FRESH);
      return c.json(body, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/log/v1/proofs/inclusion",
      operationId: "getLogInclusionProof",
      tags,
      summary: "Prove that an entry is in the log (public)",
      description: "By the entry's index or its statement's id. Check it with RFC 9162 section 2.1.3.2 against the root of a checkpoint of `treeSize`.",
      security: [],
      request: { query: InclusionQuerySchema },
      responses: {
        200: { description: "The inclusion proof", content: { "application/json": { schema: InclusionProofSchema } } },
        ...problemResponses(400, 404, 409, 422, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      if ((q.index === undefined) === (q.statementId === undefined)) {
        throw new ProblemError(400, "invalid_parameter", "give exactly one of index and statementId", [
          { pointer: "/index", detail: "give index or statementId" },
        ]);
      }
      const target = q.statementId !== undefined ? { statementId: q.statementId } : { index: q.index! };
      const p = await proofs.inclusionProof(deps.transparencyLog, target, q.treeSize);
      const body: InclusionProofBody = {
        index: p.index,
        treeSize: p.treeSize,
        leafHash: b64(p.leafHash),
        proof: p.proof.map(b64),
        ...(p.checkpoint && { checkpoint: p.checkpoint }),
      };
      c.header("cache-control", q.treeSize !== undefined ? IMMUTABLE : FRESH);
      return c.json(body, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/log/v1/proofs/consistency",
      operationId: "getLogConsistencyProof",
      tags,
      summary: "Prove that an older tree is a prefix of a newer one (public)",
      description: "Check it with RFC 9162 section 2.1.4.2 against the roots of the two checkpoints.",
      security: [],
      request: { query: ConsistencyQuerySchema },
      responses: {
        200: { description: "The consistency proof", content: { "application/json": { schema: ConsistencyProofSchema } } },
        ...problemResponses(400, 404, 422, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const p = await proofs.consistencyProof(deps.transparencyLog, q.from, q.to);
      const body: ConsistencyProofBody = { from: p.from, to: p.to, proof: p.proof.map(b64) };
      c.header("cache-control", q.to !== undefined ? IMMUTABLE : FRESH);
      return c.json(body, 200);
    },
  );
}
