/** Tracebacks: started by the consortium or an initiator, read with their whole chain. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import * as tracebacks from "../../usecases/tracebacks.js";
import { evidenceBundle } from "../../usecases/evidence-bundle.js";
import { hubJwks } from "../jwks.js";
import { EvidenceBundleSchema, EvidenceQuerySchema } from "../schemas/evidence-bundle.js";
import { intakeBatch } from "../../usecases/intake.js";
import { problemOf } from "../problem.js";
import type { AppDeps, AppEnv } from "../env.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, problemResponses } from "../schemas/common.js";
import { AccountIdParam } from "../schemas/accounts.js";
import {
  ChainSchema,
  CloseTracebackSchema,
  CreateTracebackSchema,
  ResponsivenessSchema,
  TracebackBatchResultSchema,
  TracebackBatchSchema,
  TracebackListQuerySchema,
  TracebackSchema,
} from "../schemas/tracebacks.js";
import { pager } from "./paging.js";
import { requestStatementOf } from "../middleware/receipt.js";

const security = [{ httpSignature: [] }];
const TracebackIdParam = z.object({
  tracebackId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "tracebackId", in: "path" }, example: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
});

export function tracebackRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/tracebacks",
      operationId: "createTraceback",
      tags: ["Tracebacks"],
      summary: "Start a traceback",
      description: "Hop 1 is addressed to the terminating provider at once; it is notified by webhook and can list it.",
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: CreateTracebackSchema } } } },
      responses: {
        201: { description: "The traceback and its first hop", content: { "application/json": { schema: ChainSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const chain = await tracebacks.createTraceback(deps, c.get("principal"), c.req.valid("json"), deps.settings.defaultDeadlinePolicy, c.get("attempt"));
      c.set("subject", chain.traceback.id);
      c.set("acceptedAt", new Date(chain.traceback.createdAt));
      return c.json(chain, 201, { location: `/v1/tracebacks/${chain.traceback.id}` });
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/tracebacks:batch",
      operationId: "createTracebackBatch",
      tags: ["Tracebacks"],
      summary: "Start tracebacks for a batch of captured calls (a surveillance feed)",
      description:
        "Each call is started on its own, as `POST /v1/tracebacks` would, and is idempotent by its `callKey` and call time: a call sent again, in this batch or a later one, answers `exists` with the traceback it started. " +
        "A call that breaks a rule is `rejected` with its problem; the others go ahead. Tracebacks are placed in campaigns as they are started.",
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: TracebackBatchSchema } } } },
      responses: {
        200: { description: "One result per call, in the order sent", content: { "application/json": { schema: TracebackBatchResultSchema } } },
        ...problemResponses(...AUTH_ERRORS),
      },
    }),
    async (c) => {
      // The batch concerns many tracebacks: it is logged under its caller, and each traceback it starts names it.
      const results = await intakeBatch(deps, c.get("principal"), c.req.valid("json"), deps.settings.defaultDeadlinePolicy, requestStatementOf(c));
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return c.json(
        {
          created: count("created"),
          existing: count("exists"),
          rejected: count("rejected"),
          failed: count("failed"),
          results: results.map((r) =>
            r.status === "rejected"
              ? { index: r.index, callKey: r.callKey, status: r.status, problem: problemOf(r.error, `/calls/${r.index}`) }
              : r.status === "failed"
                ? {
                    index: r.index,
                    callKey: r.callKey,
                    status: r.status,
                    problem: { status: 500, code: "internal_error", detail: "this call met an internal error; send it again" },
                  }
                : r,
          ),
        },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tracebacks",
      operationId: "listTracebacks",
      tags: ["Tracebacks"],
      summary: "List tracebacks by filter (initiators: their own; consortium: all, or one initiator's)",
      description:
        "Newest first. Filters combine (all must hold). Each query reads one index partition within the creation dates asked for (a number, a provider, a campaign, or a status or outcome over its shards) and checks the other filters on what it finds, so a page may hold fewer than `limit` tracebacks and still carry a `nextCursor`: keep paging until it is absent.",
      security,
      request: { query: TracebackListQuerySchema },
      responses: {
        200: { description: "A page of tracebacks, newest first", content: { "application/json": { schema: pageOf(TracebackSchema, "TracebacksPage") } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, cursor, createdFrom, createdTo, overdue, ...filters } = c.req.valid("query");
      const page = pager(deps, c, { limit, cursor, createdFrom, createdTo, overdue, ...filters });
      const query = {
        ...filters,
        ...(overdue === "true" && { overdue: true }),
        ...(createdFrom !== undefined && { createdFrom: new Date(createdFrom).toISOString() }),
        ...(createdTo !== undefined && { createdTo: new Date(createdTo).toISOString() }),
      };
      return c.json(page.body(await tracebacks.listTracebacks(deps, c.get("principal"), page.request, query)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tracebacks/{tracebackId}",
      operationId: "getTraceback",
      tags: ["Tracebacks"],
      summary: "Read a traceback with its whole chain and timings",
      security,
      request: { params: TracebackIdParam },
      responses: { 200: { description: "The chain", content: { "application/json": { schema: ChainSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(await tracebacks.getChain(deps, c.get("principal"), c.req.valid("param").tracebackId), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tracebacks/{tracebackId}/evidence",
      operationId: "getTracebackEvidence",
      tags: ["Tracebacks"],
      summary: "The evidence bundle of a traceback, verifiable without the hub (consortium and the initiator)",
      description:
        "One self-contained document: the chain, every signed request about the traceback verbatim with its signer's key as it was and its receipt, the hub's decisions, the signers' certificates and the STIR/SHAKEN evaluation, findings, and the log entry of every statement with its inclusion proof in a signed checkpoint. Check it with `npx hoptrace-verify bundle.json --jwks hub-jwks.json`. 409 `not_integrated` while a statement waits for the integrator (a second or so).",
      security,
      request: { params: TracebackIdParam, query: EvidenceQuerySchema },
      responses: {
        200: { description: "The bundle", content: { "application/json": { schema: EvidenceBundleSchema } } },
        ...problemResponses(400, 401, 404, 409, 422),
      },
    }),
    async (c) => {
      const hub = { issuer: deps.settings.publicUrl, jwks: hubJwks(deps) };
      const bundle = await evidenceBundle(deps, c.get("principal"), c.req.valid("param").tracebackId, hub, c.req.valid("query"));
      return c.json(bundle, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/tracebacks/{tracebackId}/close",
      operationId: "closeTraceback",
      tags: ["Tracebacks"],
      summary: "Close a traceback (its initiator or the consortium), cancelling the open hop",
      security,
      request: {
        params: TracebackIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: CloseTracebackSchema } } },
      },
      responses: {
        200: { description: "The closed traceback", content: { "application/json": { schema: TracebackSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const { tracebackId } = c.req.valid("param");
      c.set("subject", tracebackId);
      const closed = await tracebacks.closeTracebackBy(deps, c.get("principal"), tracebackId, c.req.valid("json").reason);
      if (closed.result) c.set("acceptedAt", new Date(closed.result.decidedAt));
      return c.json(closed, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/tracebacks/{tracebackId}/reopen",
      operationId: "reopenTraceback",
      tags: ["Tracebacks"],
      summary: "Reopen a non-responsive traceback with the late answer it has since received",
      security,
      request: { params: TracebackIdParam, headers: IdempotencyKeyHeader },
      responses: {
        200: { description: "The reopened traceback, moved on by the late answer", content: { "application/json": { schema: TracebackSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const { tracebackId } = c.req.valid("param");
      c.set("subject", tracebackId);
      return c.json(await tracebacks.reopenTraceback(deps, c.get("principal"), tracebackId), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/providers/{accountId}/responsiveness",
      operationId: "getProviderResponsiveness",
      tags: ["Providers"],
      summary: "A provider's responsiveness over a period (consortium, or the provider itself)",
      description:
        "Counts hop requests created in [from, to): answered, late, open, overdue, non-responsive, and the median and 90th-percentile answer time measured from the clock start.",
      security,
      request: {
        params: AccountIdParam,
        query: z
          .object({
            from: z.string().datetime({ offset: true }).openapi({ example: "2024-06-01T00:00:00Z" }),
            to: z.string().datetime({ offset: true }).openapi({ example: "2024-07-01T00:00:00Z", description: "After `from`." }),
          })
          .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" }),
      },
      responses: { 200: { description: "The figures", content: { "application/json": { schema: ResponsivenessSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const from = new Date(q.from).toISOString();
      const to = new Date(q.to).toISOString();
      return c.json(await tracebacks.providerResponsiveness(deps, c.get("principal"), c.req.valid("param").accountId, from, to), 200);
    },
  );
}
