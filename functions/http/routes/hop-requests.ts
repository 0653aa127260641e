/** Hop requests as a provider's system sees them: list, read, answer. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import * as hops from "../../usecases/hops.js";
import * as accounts from "../../usecases/accounts.js";
import type { AppDeps, AppEnv } from "../env.js";
import { sealedJson, signedExchange } from "../middleware/receipt.js";
import { parseHopId } from "../../domain/ids.js";
import { AnswerSchema } from "../schemas/answers.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { AmendmentSchema, HopRequestSchema, NewAmendmentSchema } from "../schemas/tracebacks.js";
import type { Context } from "hono";
import type { AnswerContext } from "../../usecases/hops.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];
const AssignSchema = z
  .object({ providerId: z.string().min(1).max(64) })
  .strict()
  .openapi("AssignHopRequest", { example: { providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" } });
const HopIdParam = z.object({
  hopId: z
    .string()
    .min(1)
    .max(80)
    .openapi({ param: { name: "hopId", in: "path" }, example: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2" }),
});

export function hopRequestRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/hop-requests",
      operationId: "listHopRequests",
      tags: ["Hop requests"],
      summary: "List the hop requests addressed to the calling provider",
      description: "`status=open` (default): the requests still waiting for an answer, oldest first. `status=all`: every request, newest first.",
      security,
      request: { query: PageQuerySchema.extend({ status: z.enum(["open", "all"]).default("open") }) },
      responses: {
        200: { description: "A page of hop requests", content: { "application/json": { schema: pageOf(HopRequestSchema, "HopRequestsPage") } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const list = q.status === "open" ? hops.listOpenHopRequests : hops.listAllHopRequests;
      const page = pager(deps, c, q);
      return c.json(page.body(await list(deps, c.get("principal"), page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/hop-requests/{hopId}",
      operationId: "getHopRequest",
      tags: ["Hop requests"],
      summary: "Read a hop request addressed to the caller",
      security,
      request: { params: HopIdParam },
      responses: { 200: { description: "The hop request", content: { "application/json": { schema: HopRequestSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(await hops.getHopRequest(deps, c.get("principal"), c.req.valid("param").hopId), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/hop-requests/{hopId}/answer",
      operationId: "answerHopRequest",
      tags: ["Hop requests"],
      summary: "Answer a hop request",
      description:
        "One primary answer per hop request: a second, different answer is 409. The response carries a receipt signed by the hub key (`Hoptrace-Receipt`), kept with the signed request as evidence.",
      security,
      request: { params: HopIdParam, headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: AnswerSchema } } } },
      responses: {
        200: {
          description: "The answered hop request",
          content: { "application/json": { schema: HopRequestSchema } },
        },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const { hopId } = c.req.valid("param");
      const answered = await hops.answerHopRequest(deps, c.get("principal"), hopId, c.req.valid("json"), answerContext(c, hopId));
      const res = sealedJson(answered.body, 200, answered.receipt);
      if (answered.replayed) res.headers.set("idempotent-replayed", "true");
      return res as never;
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/hop-requests/{hopId}/amendments",
      tags: ["Hop requests"],
      operationId: "amendHopAnswer",
      summary: "Amend an answer already given",
      description:
        "Keeps the original answer and its evidence; the amendment is signed, receipted and shown beside it on the hop request and in the chain. It does not move the chain by itself. The response is the amendment alone.",
      security,
      request: { params: HopIdParam, headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewAmendmentSchema } } } },
      responses: {
        201: {
          description: "The amendment, as recorded",
          content: { "application/json": { schema: AmendmentSchema } },
        },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { hopId } = c.req.valid("param");
      const amended = await hops.amendHopAnswer(deps, c.get("principal"), hopId, body.answer, body.reason, answerContext(c, hopId));
      const res = sealedJson(amended.body, 201, amended.receipt);
      if (amended.replayed) res.headers.set("idempotent-replayed", "true");
      return res as never;
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/hop-requests/{hopId}/assign",
      tags: ["Hop requests"],
      operationId: "assignWaitingHopRequest",
      summary: "Address a hop request waiting on an unregistered upstream to a registered provider (consortium)",
      description: "For upstreams named without an FRN or RMD number a registration could match. The provider is asked at once, with a fresh deadline.",
      security,
      request: {
        params: HopIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: AssignSchema } } },
      },
      responses: {
        200: { description: "The hop request, now open", content: { "application/json": { schema: HopRequestSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const { hopId } = c.req.valid("param");
      aboutHop(c, hopId);
      await accounts.assignPendingHop(deps, c.get("principal"), hopId, c.req.valid("json").providerId);
      return c.json(await hops.getHopRequest(deps, c.get("principal"), hopId), 200);
    },
  );
}

/** The evidence of a signed write, for answers and amendments, which seal their own receipts. */
function answerContext(c: Context<AppEnv>, hopId: string): AnswerContext {
  aboutHop(c, hopId);
  return { ...signedExchange(c), requestId: c.get("requestId") };
}

/** A write to a hop request is a statement about its traceback. */
function aboutHop(c: Context<AppEnv>, hopId: string): void {
  const ref = parseHopId(hopId);
  if (ref) c.set("subject", ref.tracebackId);
}
