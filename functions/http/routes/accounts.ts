/** Providers, initiators and their signing keys. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AccountKind } from "../../domain/account.js";
import * as accounts from "../../usecases/accounts.js";
import type { AppDeps, AppEnv } from "../env.js";
import {
  AccountIdParam,
  AccountSchema,
  KeySchema,
  NewKeySchema,
  RegisteredAccountSchema,
  RegisterInitiatorSchema,
  RegisterProviderSchema,
} from "../schemas/accounts.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];

function registerAccountRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps, kind: Exclude<AccountKind, "consortium">, plural: string) {
  const tag = kind === "provider" ? "Providers" : "Initiators";
  const name = kind === "provider" ? "Provider" : "Initiator";
  const schema = kind === "provider" ? RegisterProviderSchema : RegisterInitiatorSchema;
  app.openapi(
    createRoute({
      method: "post",
      path: `/v1/${plural}`,
      operationId: `register${name}`,
      tags: [tag],
      summary: `Register a ${kind} (consortium)`,
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema } } } },
      responses: {
        201: { description: `The ${kind} and its keys`, content: { "application/json": { schema: RegisteredAccountSchema } } },
        ...problemResponses(...AUTH_ERRORS, 409),
      },
    }),
    async (c) => {
      const result = await accounts.registerAccount(deps, c.get("principal"), kind, c.req.valid("json"));
      c.set("subject", result.account.id);
      return c.json(result, 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: `/v1/${plural}`,
      operationId: `list${tag}`,
      tags: [tag],
      summary: `List ${plural}`,
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: { description: `A page of ${plural}`, content: { "application/json": { schema: pageOf(AccountSchema, `${tag}Page`) } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await accounts.listAccounts(deps, c.get("principal"), kind, page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: `/v1/${plural}/{accountId}`,
      operationId: `get${name}`,
      tags: [tag],
      summary: `Read a ${kind}`,
      security,
      request: { params: AccountIdParam },
      responses: { 200: { description: `The ${kind}`, content: { "application/json": { schema: AccountSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(await accounts.getAccount(deps, c.get("principal"), c.req.valid("param").accountId, kind), 200),
  );
}

export function accountRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  registerAccountRoutes(app, deps, "provider", "providers");
  registerAccountRoutes(app, deps, "initiator", "initiators");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{accountId}/keys",
      operationId: "addKey",
      tags: ["Keys"],
      summary: "Add a signing key (the account itself, or the consortium)",
      description:
        "Several keys (at most 10) may be active at once, for rotation: add the new key, move signing to it, then revoke the old one. The `proof` names this account: `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>` signed by the new key.",
      security,
      request: { params: AccountIdParam, headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewKeySchema } } } },
      responses: { 201: { description: "The key", content: { "application/json": { schema: KeySchema } } }, ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => {
      const { accountId } = c.req.valid("param");
      c.set("subject", accountId);
      return c.json(await accounts.addKey(deps, c.get("principal"), accountId, c.req.valid("json")), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{accountId}/keys",
      operationId: "listKeys",
      tags: ["Keys"],
      summary: "List an account's signing keys",
      security,
      request: { params: AccountIdParam, query: PageQuerySchema },
      responses: {
        200: { description: "A page of keys", content: { "application/json": { schema: pageOf(KeySchema, "KeysPage") } } },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await accounts.listKeys(deps, c.get("principal"), c.req.valid("param").accountId, page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{accountId}/keys/{keyId}/revoke",
      operationId: "revokeKey",
      tags: ["Keys"],
      summary: "Revoke a signing key",
      description: "Final. A key cannot revoke itself: sign the request with another active key of the account, or as the consortium.",
      security,
      request: {
        params: AccountIdParam.extend({
          keyId: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: "keyId", in: "path" }, example: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" }),
        }),
        headers: IdempotencyKeyHeader,
      },
      responses: { 200: { description: "The revoked key", content: { "application/json": { schema: KeySchema } } }, ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => {
      const { accountId, keyId } = c.req.valid("param");
      c.set("subject", accountId);
      return c.json(await accounts.revokeKey(deps, c.get("principal"), accountId, keyId), 200);
    },
  );
}
