/**
 * The Robocall Mitigation Database as the consortium imports it: snapshots of the FCC's CSV
 * export, their diffs, "was this provider listed on that date?", and the findings of a
 * traceback's chain against the snapshot in effect at its call.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ExportResult } from "../../domain/rmd/export.js";
import * as rmd from "../../usecases/rmd-lookup.js";
import { assertCanImport, importRmdExport } from "../../usecases/rmd-import.js";
import type { AppDeps, AppEnv } from "../env.js";
import { idempotency } from "../middleware/idempotency.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { receipts } from "../middleware/receipt.js";
import { uploadBody, uploaded, uploadSignature } from "../middleware/streamed-upload.js";
import { ProblemError } from "../problem.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { AccountIdParam } from "../schemas/accounts.js";
import { DateOrInstant, FilingChangeSchema, ProviderRmdMatchSchema, RmdImportSchema, RmdLookupSchema, TracebackRmdFindingsSchema } from "../schemas/rmd.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];
const tags = ["RMD"];

/** The FCC's export is about 10 MB for some 10,000 filings; this leaves room to grow. */
export const RMD_UPLOAD_MAX_BYTES = 48 * 1024 * 1024;
export const RMD_MAX_FILINGS = 200_000;

const ImportIdParam = z.object({
  importId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "importId", in: "path" }, example: "rmd_01K3F8Q2W4E6R8T0Y2U4I6O8P0" }),
});

const EXAMPLE_CSV =
  "number,filing_url,frn,business_name,business_address,foreign_voice_provider,country,other_frns,other_dba_names,previous_dba_names,robocall_mitigation_contact_name,contact_title,contact_department,contact_business_address,contact_country,contact_telephone_number,contact_phone_extension,implementation,voice_service_provider_choice,gateway_provider_choice,intermediate_provider_choice,last_updated,last_recertified\n" +
  'RMD0900003,https://rmd.example/filing?sys_id=rmd0900003,0099000003,Make-Believe Gateway Corp.,"300 Placeholder Ave\nNowhere FL 33101",No,United States,None,None,None,Pat Example,Compliance Officer,Legal,"300 Placeholder Ave\nNowhere FL 33101",United States,+12025550100,,Complete STIR/SHAKEN Implementation,No,Yes,Yes,2025-03-14,2025-03-01\n';

/**
 * The upload streams past the API's body limit, so it is registered ahead of the shared
 * middleware and brings its own: signature over the headers, rate, role, the streamed body with
 * its digest, idempotency and receipt, in that order.
 */
export function rmdUploadRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/rmd/imports",
      operationId: "importRmdExport",
      tags,
      summary: "Import the FCC's RMD CSV export as a new snapshot (consortium)",
      description: [
        "The body is the export as downloaded (`text/csv`, UTF-8, with or without a byte order mark, CRLF or LF, quoted fields with commas and line breaks), streamed and signed like any request: `Content-Digest` covers every byte.",
        `Every row is read and checked before anything is written: one bad row refuses the whole file (\`422 rmd_rows_invalid\`, each problem in \`errors\` as \`/lines/<line>/<column>\`). The snapshot then becomes visible at once, whole: its diff against the previous snapshot is at \`/v1/rmd/imports/{importId}/changes\`.`,
        "A snapshot must be of a later export than the one in effect; one that removes more than a quarter of the previous snapshot is refused unless `allowMassRemoval=true`.",
        `At most ${RMD_UPLOAD_MAX_BYTES} bytes and ${RMD_MAX_FILINGS} filings.`,
      ].join("\n\n"),
      security,
      request: {
        headers: IdempotencyKeyHeader,
        query: z.object({
          asOf: DateOrInstant.optional().openapi({ description: "When the export was taken (default: now)." }),
          allowMassRemoval: z
            .enum(["true", "false"])
            .optional()
            .openapi({ description: "Accept a snapshot that removes more than a quarter of the previous one." }),
        }),
        body: { required: true, content: { "text/csv": { schema: z.string().openapi({ example: EXAMPLE_CSV }) } } },
      },
      responses: {
        201: { description: "The committed snapshot", content: { "application/json": { schema: RmdImportSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
      middleware: lazily([
        () => uploadSignature(deps, { mediaType: "text/csv", maxBytes: RMD_UPLOAD_MAX_BYTES }),
        () => rateLimit(deps.settings.rateLimit, deps.settings.publicRateLimit),
        () => async (c, next) => {
          assertCanImport(c.get("principal"));
          await next();
        },
        () => uploadBody(deps, (body) => deps.readRmdExport(body, { maxFilings: RMD_MAX_FILINGS })),
        () => idempotency(deps),
        () => receipts(deps),
      ]),
    }),
    async (c) => {
      const { result, bytes, sha256 } = uploaded<ExportResult>(c);
      if (!result.ok) {
        const errors = result.problems.map((p) => ({ pointer: `/lines/${p.line}/${p.column}`, detail: `line ${p.line}: ${p.detail}` }));
        throw new ProblemError(422, "rmd_rows_invalid", `${result.problemCount} problem(s) in the export; nothing was imported`, errors);
      }
      const q = c.req.valid("query");
      const imp = await importRmdExport(deps, c.get("principal"), {
        filings: result.filings,
        asOf: q.asOf ?? deps.clock.now().toISOString(),
        fileSha256: sha256,
        fileBytes: bytes,
        allowMassRemoval: q.allowMassRemoval === "true",
      });
      return c.json(imp, 201, { location: `/v1/rmd/imports/${imp.id}` });
    },
  );
}

/**
 * Middleware built on the first request: the contract is generated from the routes with no
 * dependencies to read.
 */
function lazily(makers: Array<() => MiddlewareHandler<AppEnv>>): MiddlewareHandler<AppEnv>[] {
  return makers.map((make) => {
    let middleware: MiddlewareHandler<AppEnv> | undefined;
    return (c, next) => (middleware ??= make())(c, next);
  });
}

export function rmdRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/rmd/imports",
      operationId: "listRmdImports",
      tags,
      summary: "List the RMD snapshots, newest export first (consortium)",
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: { description: "A page of snapshots", content: { "application/json": { schema: pageOf(RmdImportSchema, "RmdImportsPage") } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await rmd.listImports(deps, c.get("principal"), page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/rmd/imports/{importId}",
      operationId: "getRmdImport",
      tags,
      summary: "Read an RMD import and its counts (consortium)",
      security,
      request: { params: ImportIdParam },
      responses: { 200: { description: "The import", content: { "application/json": { schema: RmdImportSchema } } }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json(await rmd.getImport(deps, c.get("principal"), c.req.valid("param").importId), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/rmd/imports/{importId}/changes",
      operationId: "listRmdImportChanges",
      tags,
      summary: "What an import added, changed and removed against the previous snapshot (consortium)",
      description: "By kind, then filing number. A change lists every column that differs, before and after.",
      security,
      request: { params: ImportIdParam, query: PageQuerySchema.extend({ kind: z.enum(["added", "changed", "removed"]).optional() }) },
      responses: {
        200: { description: "A page of changes", content: { "application/json": { schema: pageOf(FilingChangeSchema, "RmdFilingChangesPage") } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = pager(deps, c, q);
      return c.json(page.body(await rmd.listImportChanges(deps, c.get("principal"), c.req.valid("param").importId, page.request, q.kind)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/rmd/lookup",
      operationId: "lookUpRmd",
      tags,
      summary: "Was a provider in the RMD on a date? (consortium)",
      description:
        "Answered from the snapshot in effect at `at` (the latest taken at or before it), by RMD number and/or FRN. A name alone is never decided: it only suggests filings.",
      security,
      request: {
        query: z
          .object({
            rmdNumber: z
              .string()
              .regex(/^[Rr][Mm][Dd]\d{4,10}$/)
              .optional()
              .openapi({ example: "RMD0900008" }),
            frn: z
              .string()
              .regex(/^\d{10}$/)
              .optional()
              .openapi({ example: "0099000008" }),
            name: z.string().min(1).max(200).optional(),
            at: DateOrInstant.optional().openapi({ description: "The date or instant asked about (default: now)." }),
          })
          .refine((q) => q.rmdNumber || q.frn || q.name, { message: "give an rmdNumber, an frn or a name", path: ["rmdNumber"] }),
      },
      responses: { 200: { description: "The standing", content: { "application/json": { schema: RmdLookupSchema } } }, ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const identity = { ...(q.rmdNumber && { rmdNumber: q.rmdNumber.toUpperCase() }), ...(q.frn && { frn: q.frn }), ...(q.name && { name: q.name }) };
      return c.json(await rmd.lookUp(deps, c.get("principal"), identity, q.at ?? deps.clock.now().toISOString()), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tracebacks/{tracebackId}/rmd-findings",
      operationId: "getTracebackRmdFindings",
      tags,
      summary: "The traceback's chain checked against the RMD as it stood at the call",
      description:
        "Upstreams named in answers that were not listed (or were removed before the call), the providers that accepted the call from them, points of entry not filed as gateway providers, A attestations by providers whose filing says STIR/SHAKEN is not implemented, and registered providers whose FRN or RMD number no longer matches a filing. For the consortium and the traceback's initiator.",
      security,
      request: {
        params: z.object({
          tracebackId: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: "tracebackId", in: "path" }, example: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
        }),
      },
      responses: {
        200: { description: "The findings", content: { "application/json": { schema: TracebackRmdFindingsSchema } } },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => c.json(await rmd.tracebackFindings(deps, c.get("principal"), c.req.valid("param").tracebackId), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/providers/{accountId}/rmd-match",
      operationId: "getProviderRmdMatch",
      tags,
      summary: "A registered provider's RMD filing, matched by RMD number and FRN (consortium, or the provider itself)",
      description: "When neither matches, filings of the same name are suggested, never matched.",
      security,
      request: {
        params: AccountIdParam,
        query: z.object({ at: DateOrInstant.optional().openapi({ description: "The date or instant asked about (default: now)." }) }),
      },
      responses: { 200: { description: "The match", content: { "application/json": { schema: ProviderRmdMatchSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) =>
      c.json(await rmd.providerMatch(deps, c.get("principal"), c.req.valid("param").accountId, c.req.valid("query").at ?? deps.clock.now().toISOString()), 200),
  );
}
