/** The signed-in caller, and the local mode's mailbox. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { isConsortium } from "../../domain/account.js";
import { ForbiddenError, NotFoundError } from "../../domain/errors.js";
import { whoAmI } from "../../usecases/me.js";
import type { AppDeps, AppEnv } from "../env.js";
import { pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { LocalMailSchema, MeSchema } from "../schemas/people.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];

export function meRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/me",
      operationId: "getMe",
      tags: ["Persons"],
      summary: "Who is signed in: the calling account and key, the account's keys and webhook endpoints",
      security,
      responses: { 200: { description: "The caller", content: { "application/json": { schema: MeSchema } } }, ...problemResponses(401) },
    }),
    async (c) => c.json(await whoAmI(deps, c.get("principal")), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/local/mail",
      operationId: "listLocalMail",
      tags: ["Persons"],
      summary: "The e-mails the local server wrote to disk (local mode without SMTP; consortium)",
      description:
        "Without `SMTP_URL`, `npm start` writes every e-mail as an `.eml` file under the data folder's `mail/`; this lists them, newest first, so the local operator can open invitations. 404 elsewhere.",
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: { description: "A page of messages", content: { "application/json": { schema: pageOf(LocalMailSchema, "LocalMailPage") } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      if (!deps.localMailbox) throw new NotFoundError("e-mails are not written to disk by this server");
      if (!isConsortium(c.get("principal"))) throw new ForbiddenError("only the consortium reads the local mailbox");
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await deps.localMailbox.list(page.request)), 200);
    },
  );
}
