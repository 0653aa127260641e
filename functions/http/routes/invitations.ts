/** Invitations of persons, and the enrolment of a person's key with one. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import * as enrolments from "../../usecases/enrolments.js";
import * as invitations from "../../usecases/invitations.js";
import type { AppDeps, AppEnv } from "../env.js";
import { heldBy } from "../middleware/authenticate.js";
import { requestFingerprint } from "../middleware/idempotency.js";
import { KeySchema, NewKeySchema } from "../schemas/accounts.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import { CreatedInvitationSchema, EnrolmentSchema, InvitationSchema, NewInvitationSchema, TokenParam } from "../schemas/people.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];
const tags = ["Persons"];
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const InvitationIdParam = z.object({
  invitationId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "invitationId", in: "path" }, example: "inv_7Q2M4ZK9X1V6B3N8R5T0W2C4YJ" }),
});

export function invitationRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invitations",
      operationId: "createInvitation",
      tags,
      summary: "Invite a person to an account (the consortium to any, an admin person to its own)",
      description:
        "E-mails the person a single-use enrolment link and returns it with its `token`, which is shown only here. A retry under the same `Idempotency-Key` returns the same invitation and token (and sends the e-mail if it had not gone out); the key names that invitation for good.",
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewInvitationSchema } } } },
      responses: { 201: json(CreatedInvitationSchema, "The invitation, its token and its link"), ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => {
      const signed = c.get("signed");
      const input = c.req.valid("json");
      c.set("subject", input.accountId);
      const created = await invitations.createInvitation(deps, c.get("principal"), input, {
        idempotencyKey: signed.idempotencyKey!,
        fingerprint: requestFingerprint(signed),
      });
      c.header("cache-control", "no-store");
      if (created.replayed) c.header("idempotent-replayed", "true");
      return c.json({ invitation: created.invitation, token: created.token, url: created.url }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invitations",
      operationId: "listInvitations",
      tags,
      summary: "List invitations (the consortium: all, or one account's; an admin person: its account's)",
      security,
      request: { query: PageQuerySchema.extend({ accountId: z.string().min(1).max(64).optional() }) },
      responses: { 200: json(pageOf(InvitationSchema, "InvitationsPage"), "A page of invitations, newest first"), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = pager(deps, c, q);
      return c.json(page.body(await invitations.listInvitations(deps, c.get("principal"), page.request, q.accountId)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invitations/{invitationId}/revoke",
      operationId: "revokeInvitation",
      tags,
      summary: "Revoke a pending invitation",
      description: "Revoking a revoked invitation returns it unchanged; an accepted one is 409 `invitation_accepted` (revoke its key instead).",
      security,
      request: { params: InvitationIdParam, headers: IdempotencyKeyHeader },
      responses: { 200: json(InvitationSchema, "The revoked invitation"), ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => {
      const revoked = await invitations.revokeInvitation(deps, c.get("principal"), c.req.valid("param").invitationId);
      c.set("subject", revoked.accountId);
      return c.json(revoked, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/enrolments/{token}",
      operationId: "getEnrolment",
      tags,
      summary: "Open an invitation (public: the token is the credential)",
      description:
        "Unsigned, and limited per client address. What the invitation offers: the account, the person and the role. 404 `not_found` for a token no invitation has; 410 `invitation_used`, `invitation_expired` or `invitation_revoked` for one that can no longer be used.",
      security: [],
      request: { params: TokenParam },
      responses: { 200: json(EnrolmentSchema, "The invitation"), ...problemResponses(400, 404, 410) },
    }),
    async (c) => {
      c.header("cache-control", "no-store");
      return c.json(await enrolments.readEnrolment(deps, c.req.valid("param").token), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/enrolments/{token}",
      operationId: "enrol",
      tags,
      summary: "Enrol a person's key with an invitation",
      description:
        "Signed (RFC 9421, as every request) by the key being enrolled: `keyid` is the thumbprint of `publicJwk` in the body, and the `proof` names the invitation's account. The key is registered on that account as a person key with the invitation's name, e-mail and role, and the invitation is used up: of two enrolments with one invitation exactly one succeeds (the other is 410 `invitation_used`). A retry by the same key returns the same key.",
      security: [{ enrolmentSignature: [] }],
      request: { params: TokenParam, headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewKeySchema } } } },
      responses: { 201: json(KeySchema, "The person key"), ...problemResponses(...AUTH_ERRORS, 409, 410) },
    }),
    async (c) => {
      const { key, principal, replayed } = await enrolments.enrol(deps, c.get("enrolling"), c.req.valid("param").token, c.req.valid("json"));
      // From here the request is the new key's: its receipt names the account it joined, and its
      // log entry keeps the key as registered, with its proof and its person.
      c.set("principal", principal);
      c.set("signed", { ...c.get("signed"), ...heldBy(key) });
      if (replayed) c.header("idempotent-replayed", "true");
      return c.json(key, 201);
    },
  );
}
