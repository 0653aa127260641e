/** The STIR/SHAKEN trust store (consortium) and findings filed per provider. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { trustAnchorSchema } from "../../usecases/ports.js";
import * as signatures from "../../usecases/signatures.js";
import type { AppDeps, AppEnv } from "../env.js";
import { AccountIdParam } from "../schemas/accounts.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { FindingSchema } from "../schemas/tracebacks.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];

const TrustAnchorSchema = z
  .object({
    ...trustAnchorSchema.shape,
    fingerprint: trustAnchorSchema.shape.fingerprint.meta({ description: "Hex SHA-256 of the certificate's DER." }),
  })
  .openapi("TrustAnchor", {
    example: {
      fingerprint: "3f6d8e2a9b1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
      pem: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----",
      subject: "CN=STI-PA Root CA",
      notAfter: "2034-01-01T00:00:00.000Z",
      label: "STI-PA root",
      addedAt: "2024-06-01T14:00:00.000Z",
      addedBy: "acc_consortium",
    },
  });

const NewTrustAnchorSchema = z
  .object({ pem: z.string().min(1).max(16_384), label: z.string().max(200).optional() })
  .strict()
  .openapi("NewTrustAnchor", { example: { pem: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----", label: "STI-PA root" } });

const ProviderFindingSchema = FindingSchema.extend({ id: z.string(), providerId: z.string(), tracebackId: z.string(), recordedAt: z.string() }).openapi(
  "ProviderFinding",
  {
    example: {
      id: "fnd_01JD5ZV2C3D4E5F6G7H8J9K0M1",
      providerId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      recordedAt: "2024-06-03T16:00:00.000Z",
      code: "spc_not_registered",
      severity: "warning",
      detail: "the certificate's SPC 567J belongs to no registered provider",
      identityIndex: 0,
    },
  },
);

export function evidenceRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/trust-anchors",
      operationId: "addTrustAnchor",
      tags: ["STIR/SHAKEN"],
      summary: "Add a trust anchor (consortium)",
      description: "Signer certificate chains are validated against these roots, at the time of the call.",
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewTrustAnchorSchema } } } },
      responses: {
        201: { description: "The anchor", content: { "application/json": { schema: TrustAnchorSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await signatures.addTrustAnchor(deps, c.get("principal"), body.pem, body.label), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/trust-anchors",
      operationId: "listTrustAnchors",
      tags: ["STIR/SHAKEN"],
      summary: "List the trust anchors (consortium)",
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: { description: "A page of anchors", content: { "application/json": { schema: pageOf(TrustAnchorSchema, "TrustAnchorsPage") } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await signatures.listTrustAnchors(deps, c.get("principal"), page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/trust-anchors/{fingerprint}/remove",
      operationId: "removeTrustAnchor",
      tags: ["STIR/SHAKEN"],
      summary: "Remove a trust anchor (consortium)",
      security,
      request: {
        params: z.object({
          fingerprint: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .openapi({ param: { name: "fingerprint", in: "path" }, example: "3f6d8e2a9b1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6" }),
        }),
        headers: IdempotencyKeyHeader,
      },
      responses: {
        200: {
          description: "Removed",
          content: { "application/json": { schema: z.object({ removed: z.literal(true) }).openapi("Removed", { example: { removed: true } }) } },
        },
        ...problemResponses(...AUTH_ERRORS),
      },
    }),
    async (c) => {
      await signatures.removeTrustAnchor(deps, c.get("principal"), c.req.valid("param").fingerprint);
      return c.json({ removed: true as const }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/providers/{accountId}/findings",
      operationId: "listProviderFindings",
      tags: ["STIR/SHAKEN"],
      summary: "Findings concerning a provider as a signer (consortium, or the provider itself)",
      security,
      request: {
        params: AccountIdParam,
        query: PageQuerySchema,
      },
      responses: {
        200: {
          description: "A page of findings, newest first",
          content: { "application/json": { schema: pageOf(ProviderFindingSchema, "ProviderFindingsPage") } },
        },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await signatures.listProviderFindings(deps, c.get("principal"), c.req.valid("param").accountId, page.request)), 200);
    },
  );
}
