/** Campaigns, for the consortium: the groups the clustering placed tracebacks in, and the analyst's decisions on them. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import * as campaigns from "../../usecases/campaigns.js";
import type { AppDeps, AppEnv } from "../env.js";
import { CampaignSchema, CampaignViewSchema, MergeCampaignsSchema, RenameCampaignSchema, SplitCampaignSchema } from "../schemas/campaigns.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];
const tags = ["Campaigns"];
const CampaignIdParam = z.object({
  campaignId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "campaignId", in: "path" }, example: "cmp_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
});
const view = { 200: { description: "The campaign as it now stands", content: { "application/json": { schema: CampaignViewSchema } } } };

export function campaignRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/campaigns",
      operationId: "listCampaigns",
      tags,
      summary: "List campaigns, newest first (consortium)",
      description: "Campaigns merged into another are left out; read them through the one they joined.",
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: { description: "A page of campaigns", content: { "application/json": { schema: pageOf(CampaignSchema, "CampaignsPage") } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await campaigns.listCampaigns(deps, c.get("principal"), page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/campaigns/{campaignId}",
      operationId: "getCampaign",
      tags,
      summary: "A campaign: its tracebacks and why each is in it, originators, providers on its paths, points of entry, signers, calls per day (consortium)",
      description: "A campaign merged into another answers with that one, naming the one asked for in `requestedId`.",
      security,
      request: { params: CampaignIdParam },
      responses: { ...view, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json(await campaigns.getCampaign(deps, c.get("principal"), c.req.valid("param").campaignId), 200),
  );
  const decision = (path: string, operationId: string, summary: string, description?: string) =>
    createRoute({
      method: "post",
      path: `/v1/campaigns/{campaignId}/${path}`,
      operationId,
      tags,
      summary,
      ...(description && { description }),
      security,
      request: { params: CampaignIdParam, headers: IdempotencyKeyHeader },
      responses: { ...view, ...problemResponses(...AUTH_ERRORS, 409) },
    });
  app.openapi(
    decision(
      "confirm",
      "confirmCampaign",
      "Confirm a campaign (consortium)",
      "From then on it is decided: the clustering still places new calls in it, but never merges it with another.",
    ),
    async (c) => c.json(await campaigns.confirmCampaign(deps, c.get("principal"), decided(c, c.req.valid("param").campaignId)), 200),
  );
  app.openapi(
    createRoute({
      ...decision("rename", "renameCampaign", "Name a campaign (consortium); it counts as confirmed"),
      request: {
        params: CampaignIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: RenameCampaignSchema } } },
      },
    }),
    async (c) => c.json(await campaigns.renameCampaign(deps, c.get("principal"), decided(c, c.req.valid("param").campaignId), c.req.valid("json").name), 200),
  );
  app.openapi(
    createRoute({
      ...decision(
        "split",
        "splitCampaign",
        "Move some of a campaign's tracebacks into a new campaign (consortium)",
        "Both are decided from then on. Answers with the new campaign; `422 not_in_campaign` names a traceback not in it.",
      ),
      request: {
        params: CampaignIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: SplitCampaignSchema } } },
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await campaigns.splitCampaign(deps, c.get("principal"), decided(c, c.req.valid("param").campaignId), body.tracebackIds, body.name), 200);
    },
  );
  app.openapi(
    createRoute({
      ...decision(
        "merge",
        "mergeCampaigns",
        "Merge other campaigns into this one (consortium)",
        "Their tracebacks are read through this one from then on, and it is decided.",
      ),
      request: {
        params: CampaignIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: MergeCampaignsSchema } } },
      },
    }),
    async (c) =>
      c.json(await campaigns.mergeCampaigns(deps, c.get("principal"), decided(c, c.req.valid("param").campaignId), c.req.valid("json").campaignIds), 200),
  );
}

/** A decision about a campaign is logged under the campaign, so its statements are read together. */
function decided(c: Context<AppEnv>, campaignId: string): string {
  c.set("subject", campaignId);
  return campaignId;
}
