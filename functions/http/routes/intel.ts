/** The analyst's figures: a provider's scorecard (JSON or CSV) and the repeat offenders of a period. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { repeatOffenders } from "../../usecases/offenders.js";
import { providerScorecard, scorecardRows } from "../../usecases/scorecards.js";
import type { AppDeps, AppEnv } from "../env.js";
import { problemResponses } from "../schemas/common.js";
import { AccountIdParam } from "../schemas/accounts.js";
import { RepeatOffendersQuerySchema, RepeatOffendersSchema, ScorecardQuerySchema, ScorecardSchema } from "../schemas/intel.js";

const security = [{ httpSignature: [] }];
const YEAR_MS = 365 * 86_400_000;

/** A CSV field, quoted when it holds a comma, a quote or a line break; a leading formula character is neutralised. */
function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function intelRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/providers/{accountId}/scorecard",
      operationId: "getProviderScorecard",
      tags: ["Providers"],
      summary: "A provider's scorecard over a period, as JSON or CSV (consortium, or the provider itself)",
      description:
        "Completed tracebacks of calls in [from, to) by the part the provider played (on the path, originator, point of entry, signer) and their findings; its hop requests answered, late, overdue and non-responsive with median and 90th-percentile answer times; its RMD standing and filing history; the repeat-offender customers it named. " +
        "Send `Accept: text/csv` for rows of `section,item,value`.",
      security,
      request: {
        params: AccountIdParam,
        query: ScorecardQuerySchema,
      },
      responses: {
        200: {
          description: "The scorecard",
          content: {
            "application/json": { schema: ScorecardSchema },
            "text/csv": { schema: z.string().openapi({ example: "section,item,value\nprovider,id,acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9\ntracebacks,on_path,3\n" }) },
          },
        },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const to = new Date(q.to ?? deps.clock.now()).toISOString();
      const from = q.from ? new Date(q.from).toISOString() : new Date(Date.parse(to) - YEAR_MS).toISOString();
      const card = await providerScorecard(deps, c.get("principal"), c.req.valid("param").accountId, from, to);
      if ((c.req.header("accept") ?? "").includes("text/csv")) {
        const csv =
          scorecardRows(card)
            .map((row) => row.map(csvField).join(","))
            .join("\r\n") + "\r\n";
        return c.body(csv, 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="scorecard-${card.providerId}.csv"`,
        }) as never;
      }
      return c.json(card, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/repeat-offenders",
      operationId: "listRepeatOffenders",
      tags: ["Providers"],
      summary: "Repeat offenders of a period (consortium)",
      description:
        "Customers that originators named in several completed tracebacks, or behind several providers, matched by any normalised key (business name, account reference at its provider, e-mail, phone); and providers that were the originator or point of entry of at least `minTracebacks` tracebacks, or of tracebacks of at least `minCampaigns` campaigns, of calls in [from, to).",
      security,
      request: { query: RepeatOffendersQuerySchema },
      responses: {
        200: { description: "The repeat offenders", content: { "application/json": { schema: RepeatOffendersSchema } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const out = await repeatOffenders(deps, c.get("principal"), {
        from: new Date(q.from).toISOString(),
        to: new Date(q.to).toISOString(),
        minTracebacks: q.minTracebacks,
        minCampaigns: q.minCampaigns,
      });
      return c.json(out, 200);
    },
  );
}
