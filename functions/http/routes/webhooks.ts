/** Webhook endpoints, their deliveries, and the event feed that makes push optional. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { publishedEvent } from "../../domain/events.js";
import * as webhooks from "../../usecases/webhook-endpoints.js";
import type { AppDeps, AppEnv } from "../env.js";
import { AUTH_ERRORS, IdempotencyKeyHeader, pageOf, PageQuerySchema, problemResponses } from "../schemas/common.js";
import {
  DeliverySchema,
  EndpointSchema,
  EndpointWithSecretSchema,
  EventSchema,
  NewEndpointSchema,
  QueuedSchema,
  RedeliverEventSchema,
  RedeliverSinceSchema,
} from "../schemas/webhooks.js";
import { pager } from "./paging.js";

const security = [{ httpSignature: [] }];
const tags = ["Webhooks"];
const EndpointIdParam = z.object({
  endpointId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "endpointId", in: "path" }, example: "ep_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9" }),
});
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

export function webhookRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints",
      operationId: "createWebhookEndpoint",
      tags,
      summary: "Register a webhook endpoint",
      description: "The URL is checked against the SSRF rules now and at every delivery. The `whsec_` secret is returned once.",
      security,
      request: { headers: IdempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: NewEndpointSchema } } } },
      responses: { 201: json(EndpointWithSecretSchema, "The endpoint and its signing secret"), ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => c.json(await webhooks.registerEndpoint(deps, c.get("principal"), c.req.valid("json")), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints",
      operationId: "listWebhookEndpoints",
      tags,
      summary: "List the caller's webhook endpoints",
      security,
      request: { query: PageQuerySchema },
      responses: { 200: json(pageOf(EndpointSchema, "WebhookEndpointsPage"), "A page of endpoints"), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await webhooks.listEndpoints(deps, c.get("principal"), page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints/{endpointId}",
      operationId: "getWebhookEndpoint",
      tags,
      summary: "Read a webhook endpoint",
      security,
      request: { params: EndpointIdParam },
      responses: { 200: json(EndpointSchema, "The endpoint"), ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(await webhooks.getEndpoint(deps, c.get("principal"), c.req.valid("param").endpointId), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{endpointId}/rotate-secret",
      operationId: "rotateWebhookEndpointSecret",
      tags,
      summary: "Rotate the endpoint's secret",
      description:
        "Deliveries are signed with the new and the previous secret during the grace period (24 h by default). Only the endpoint's owner rotates its secret.",
      security,
      request: { params: EndpointIdParam, headers: IdempotencyKeyHeader },
      responses: { 200: json(EndpointWithSecretSchema, "The new secret"), ...problemResponses(...AUTH_ERRORS, 409) },
    }),
    async (c) => c.json(await webhooks.rotateEndpointSecret(deps, c.get("principal"), c.req.valid("param").endpointId), 200),
  );
  for (const action of ["enable", "disable"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/v1/webhook-endpoints/{endpointId}/${action}`,
        operationId: `${action}WebhookEndpoint`,
        tags,
        summary: action === "enable" ? "Enable a paused or disabled endpoint" : "Disable an endpoint",
        security,
        request: { params: EndpointIdParam, headers: IdempotencyKeyHeader },
        responses: { 200: json(EndpointSchema, "The endpoint"), ...problemResponses(...AUTH_ERRORS, 409) },
      }),
      async (c) =>
        c.json(await webhooks.setEndpointStatus(deps, c.get("principal"), c.req.valid("param").endpointId, action === "enable" ? "active" : "disabled"), 200),
    );
  }
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{endpointId}/test",
      operationId: "testWebhookEndpoint",
      tags,
      summary: "Send an `endpoint.test` event to this endpoint",
      security,
      request: { params: EndpointIdParam, headers: IdempotencyKeyHeader },
      responses: { 202: json(EventSchema, "The test event, queued for delivery"), ...problemResponses(...AUTH_ERRORS) },
    }),
    async (c) => c.json(publishedEvent(await webhooks.sendTestEvent(deps, c.get("principal"), c.req.valid("param").endpointId)), 202),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{endpointId}/redeliver",
      operationId: "redeliverToWebhookEndpoint",
      tags,
      summary: "Deliver again every event since a time to this endpoint",
      security,
      request: {
        params: EndpointIdParam,
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: RedeliverSinceSchema } } },
      },
      responses: { 202: json(QueuedSchema, "How many deliveries were queued"), ...problemResponses(...AUTH_ERRORS) },
    }),
    async (c) => c.json({ queued: await webhooks.redeliverSince(deps, c.get("principal"), c.req.valid("param").endpointId, c.req.valid("json").since) }, 202),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/mail-deliveries",
      operationId: "listMailDeliveries",
      tags,
      summary: "List the e-mail notices of an account with every attempt (its own; the consortium any account's)",
      description:
        "A provider none of whose active endpoints takes a hop request, reminder or overdue notice gets it by e-mail instead: to its staff and admin persons, or its contact when it has none, with a link to the hop request in the console. Each notice is a delivery like a webhook's (`endpointId` is `mail_<accountId>`), retried on the same schedule. Newest first.",
      security,
      request: {
        query: PageQuerySchema.extend({ accountId: z.string().min(1).max(64).optional().openapi({ description: "Consortium only: another account's." }) }),
      },
      responses: { 200: json(pageOf(DeliverySchema, "MailDeliveriesPage"), "A page of e-mail deliveries"), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = pager(deps, c, q);
      return c.json(page.body(await webhooks.listMailDeliveries(deps, c.get("principal"), page.request, q.accountId)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints/{endpointId}/deliveries",
      operationId: "listWebhookDeliveries",
      tags,
      summary: "List deliveries to this endpoint with every attempt",
      description: "Newest first. Each delivery lists its attempts (time, HTTP status, latency, outcome) and, while retrying, the next attempt.",
      security,
      request: { params: EndpointIdParam, query: PageQuerySchema },
      responses: { 200: json(pageOf(DeliverySchema, "DeliveriesPage"), "A page of deliveries"), ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const page = pager(deps, c, c.req.valid("query"));
      return c.json(page.body(await webhooks.listDeliveries(deps, c.get("principal"), c.req.valid("param").endpointId, page.request)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events",
      operationId: "listEvents",
      tags,
      summary: "Read the caller's event feed",
      description:
        "Every event addressed to the caller, oldest first, whether or not a webhook delivered it. Page with `cursor`; `since` starts at a time. The consortium may read another account's feed with `recipientId`.",
      security,
      request: { query: PageQuerySchema.extend({ since: z.string().datetime({ offset: true }).optional(), recipientId: z.string().max(64).optional() }) },
      responses: { 200: json(pageOf(EventSchema, "EventsPage"), "A page of events"), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const opts = { ...(q.since && { since: new Date(q.since).toISOString() }), ...(q.recipientId && { recipientId: q.recipientId }) };
      const page = pager(deps, c, q);
      const events = await webhooks.listEvents(deps, c.get("principal"), page.request, opts);
      return c.json(page.body({ ...events, items: events.items.map((e) => publishedEvent(e)) }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/events/{eventId}/redeliver",
      operationId: "redeliverEvent",
      tags,
      summary: "Deliver an event again (same `webhook-id`)",
      description:
        "To every active endpoint of the event's recipient that takes its type, or to the one named by `endpointId`. An endpoint of any other account is not found (404), whoever asks.",
      security,
      request: {
        params: z.object({
          eventId: z
            .string()
            .min(1)
            .max(120)
            .openapi({ param: { name: "eventId", in: "path" }, example: "evt_hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2.created" }),
        }),
        headers: IdempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: RedeliverEventSchema } } },
      },
      responses: { 202: json(QueuedSchema, "How many deliveries were queued"), ...problemResponses(...AUTH_ERRORS) },
    }),
    async (c) => c.json({ queued: await webhooks.redeliverEvent(deps, c.get("principal"), c.req.valid("param").eventId, c.req.valid("json").endpointId) }, 202),
  );
}
