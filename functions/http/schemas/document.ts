/**
 * The published contract: the document generated from the route definitions, completed with what
 * routes cannot express (the webhooks the hub sends, the problem codes, the conventions). The
 * script writing openapi/openapi.json, the contract test and the hub's /openapi.json share it, so
 * the three cannot drift apart. It takes the generated document as an argument rather than
 * importing the app, which itself serves the result.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { EventSchema } from "./webhooks.js";
import { problemResponseObject } from "./common.js";
import { RECEIPT_HEADER } from "../middleware/receipt.js";
import { PROBLEM_CODES, problemCodesTable } from "./problems.js";
import { exampleDeliveries, type ExampleDelivery } from "./webhook-examples.js";

export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

const CONVENTIONS = `## Signed requests

Every request under \`/v1\` carries an RFC 9421 HTTP Message Signature made with an Ed25519 key registered for the calling account; see the \`httpSignature\` security scheme for the covered components and parameters. Any failure is the same \`401 unauthenticated\`. Two exceptions serve a person who has no key yet: \`GET /v1/enrolments/{token}\` is unsigned (the invitation token is the credential), and \`POST /v1/enrolments/{token}\` is signed by the key it enrols (\`enrolmentSignature\`). Each signature is accepted once: sign every request with a fresh random \`nonce\` parameter, or two identical requests within the same second are one signature and the second is refused as a replay.

## Keys

A key is registered only with a \`proof\` that its holder asked for it: the key's Ed25519 signature (unpadded base64url) over the UTF-8 bytes of exactly \`hoptrace-key-proof-v1\\n<accountId>\\n<keyId>\`, where \`<keyId>\` is the RFC 7638 thumbprint of the public JWK. A new provider or initiator therefore chooses its account \`id\` (\`acc_\` and a ULID) before the consortium registers it. Keys of small order, non-canonically encoded or outside the prime-order subgroup are refused (\`422 weak_key\`); an account holds at most 10 active keys; a key, even revoked, belongs to one account for good.

Accepted hop answers return a \`Hoptrace-Receipt\`: a compact JWS signed by the hub key over the response and the provider's signature. The hub's public keys are at \`/.well-known/jwks.json\`.

## Idempotency

Every POST needs an \`Idempotency-Key\` header (1 to 255 visible ASCII characters; a random UUID is a good choice), covered by the signature. Keys are scoped to the calling account and kept at least 72 hours.

- Same key, same method, path and body: the stored response is replayed byte for byte, receipt included, with \`Idempotent-Replayed: true\`.
- Same key, another request: \`422 idempotency_key_reused\`.
- Same key while the first request is still running: \`409 request_in_flight\` with \`Retry-After\`.
- Creating an invitation and enrolling are replayed from what they wrote, since their responses hold a credential the hub does not keep: the same invitation, token and link, or the same key, as they stand now, with a fresh receipt and \`Idempotent-Replayed: true\`.

## Pagination

Every list takes \`limit\` (1 to 100, default 25) and \`cursor\`, and answers \`{ "items": [...], "nextCursor": "..." }\`. \`nextCursor\` is absent on the last page; pass it unchanged as \`cursor\` to read the next one. Cursors are opaque and sealed by the hub to the list they came from (the path, the caller and every filter but \`limit\`): edited, made up or used anywhere else, a cursor is \`400 invalid_cursor\`. A cursor stays valid as long as the hub key that sealed it.

## Problems

Errors are RFC 9457 \`application/problem+json\` with \`type\` (\`urn:hoptrace:problem:<code>\`), \`title\`, \`status\`, \`detail\`, a stable \`code\` and the \`request_id\` to quote when reporting. Validation problems list JSON Pointers in \`errors\`. Branch on \`code\`, never on \`detail\`. The codes (also listed in \`x-problem-codes\`):

${problemCodesTable()}

## Webhooks

Push is a convenience, never the only path: \`GET /v1/hop-requests\` and the event feed \`GET /v1/events\` always hold the same information. A delivery's body is the event exactly as the feed lists it (one \`Event\` schema, \`version\` 2, camelCase): thin (ids, due time, the \`path\` to fetch through the signed API, relative to the API's base URL) and without personal data. An endpoint registered with \`includeHopRequest\` also gets, in the hop request notices addressed to its owner, \`data.hopRequest\`: the hop request as \`GET data.path\` returns it, so that an automated provider answers without reading it first. Each event type is described under \`webhooks\`.

- **Standard Webhooks** (standardwebhooks.com): \`webhook-id\` (the event id, identical on every retry: deduplicate on it), \`webhook-timestamp\` (Unix seconds of this attempt), \`webhook-signature\` (\`v1,<base64 HMAC-SHA256>\` of \`{webhook-id}.{webhook-timestamp}.{body}\` keyed with the base64 part of the endpoint's \`whsec_\` secret; several space-separated entries while a secret is being rotated). Any Standard Webhooks library verifies deliveries unchanged. Refuse timestamps more than 5 minutes from your clock.
- **Hub signature**: an RFC 9421 signature by the hub key (Ed25519, \`tag="hoptrace-v1"\`) over \`content-type\`, \`content-digest\`, \`webhook-id\` and \`webhook-timestamp\`, with \`Content-Digest\` (RFC 9530) over the body. Verify it against \`/.well-known/jwks.json\` (\`keyid\` is the key's \`kid\`) for non-repudiation.
- **Delivery**: success is a 2xx within 10 seconds; redirects are failures. \`410 Gone\` disables the endpoint. \`429\` and \`503\` with \`Retry-After\` are obeyed. Everything else is retried with jitter, front-loaded over 24 hours (about 10 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h). Repeated failures pause the endpoint (an \`endpoint.paused\` event says so); every attempt is listed under the endpoint's deliveries and any event can be delivered again.`;

const EVENT_DESCRIPTIONS: Record<ExampleDelivery["type"], { summary: string; description: string }> = {
  "hop_request.created": {
    summary: "A hop request is addressed to you",
    description:
      "You terminated the call, or a downstream provider named you as its upstream. Fetch the request at `data.path` (or read it in `data.hopRequest`, when the endpoint asked for it), then answer it before `data.dueAt`.",
  },
  "hop_request.reminder": {
    summary: "A hop request addressed to you is still unanswered",
    description: "Sent at the reminder times of the deadline policy, before `data.dueAt`.",
  },
  "hop_request.overdue": {
    summary: "A hop request addressed to you passed its due time",
    description: "The request stays answerable; a late answer is recorded as late.",
  },
  "hop_request.cancelled": {
    summary: "A hop request addressed to you was cancelled",
    description: "Its traceback was closed before you answered; nothing more is expected of you.",
  },
  "traceback.completed": {
    summary: "Your traceback ended",
    description: "Sent to the initiator. `data.outcome` says how it ended; read the chain at `data.path`.",
  },
  "endpoint.test": {
    summary: "A test delivery",
    description: "Requested through `POST /v1/webhook-endpoints/{endpointId}/test`; always sent, whatever the endpoint subscribes to.",
  },
  "endpoint.paused": {
    summary: "One of your endpoints was paused",
    description: "Deliveries kept failing. Fix the receiver, enable the endpoint again, and ask for redelivery since the pause.",
  },
};

const HEADER_DESCRIPTIONS: Record<string, string> = {
  "webhook-id": "The event id, identical on every retry of the event: deduplicate on it. Equals the payload's `id`.",
  "webhook-timestamp": "Unix seconds when this attempt was signed. Refuse deliveries more than 5 minutes from your clock.",
  "webhook-signature":
    'Standard Webhooks signature: space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` entries, one per active endpoint secret.',
  "content-digest": "RFC 9530 digest of the exact body bytes: `sha-256=:<base64>:`.",
  "signature-input":
    "RFC 9421 signature parameters of the hub signature: covers `content-type`, `content-digest`, `webhook-id`, `webhook-timestamp`; `keyid` names the hub key in `/.well-known/jwks.json`.",
  signature: "RFC 9421 Ed25519 signature by the hub key, for receivers that want non-repudiation.",
};

const WEBHOOK_SECURITY = "webhookSignature";

const retryAfter = {
  "Retry-After": { description: "Seconds, or an HTTP date, before the next attempt; obeyed.", schema: { type: "string" as const, example: "120" } },
};

function registerWebhook(app: OpenAPIHono, delivery: ExampleDelivery): void {
  const header = (name: string) =>
    z
      .string()
      .openapi({ param: { name, in: "header", required: true, description: HEADER_DESCRIPTIONS[name] ?? name }, example: delivery.headers[name] ?? "" });
  const words = delivery.type.split(/[._]/);
  app.openAPIRegistry.registerWebhook({
    method: "post",
    path: delivery.type,
    operationId: `${words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("")}Webhook`,
    tags: ["Webhooks"],
    security: [{ [WEBHOOK_SECURITY]: [] }],
    ...EVENT_DESCRIPTIONS[delivery.type],
    request: {
      headers: z.object(Object.fromEntries(Object.keys(HEADER_DESCRIPTIONS).map((name) => [name, header(name)]))),
      body: { required: true, content: { "application/json": { schema: EventSchema, example: delivery.payload } } },
    },
    responses: {
      "2XX": { description: "Received. Answer within 10 seconds; do the work afterwards." },
      "410": { description: "Gone: the endpoint is disabled and receives nothing more until it is enabled again." },
      "429": { description: "Too many requests: the next attempt waits for `Retry-After`.", headers: retryAfter },
      "503": { description: "Unavailable: the next attempt waits for `Retry-After`.", headers: retryAfter },
      default: { description: "Any other answer, a redirect, a timeout or a connection failure: retried on the schedule." },
    },
  });
}

function webhooksDocument(): OpenApiDocument {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent("securitySchemes", WEBHOOK_SECURITY, {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      "How a receiver authenticates the hub's deliveries: the Standard Webhooks HMAC in `webhook-signature` with the endpoint's `whsec_` secret (returned when the endpoint is registered or its secret rotated). The hub's RFC 9421 signature (`signature-input`, `signature`) can be checked in addition.",
  });
  for (const delivery of exampleDeliveries()) registerWebhook(app, delivery);
  return app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "webhooks", version: "0" } });
}

/**
 * The routes' components with the webhooks document's added. A component both generate must have
 * the same shape; its descriptions are the routes' copy's, which is kept: the generator, meeting
 * a component first through a reference that carries a description of its own (the hop request a
 * webhook may carry refers to `Signer` so), sets that description on the component or drops it.
 */
function mergeComponents(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...into };
  for (const [name, schema] of Object.entries(from)) {
    if (name in merged) {
      if (JSON.stringify(shapeOf(merged[name])) !== JSON.stringify(shapeOf(schema))) throw new Error(`component ${name} is generated twice, differently`);
      continue;
    }
    merged[name] = schema;
  }
  return merged;
}

/** A schema without its descriptions, a described reference (`allOf: [{ $ref }, { description }]`) as the bare reference. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (!isObject(value)) return value;
  const { allOf } = value;
  if (Array.isArray(allOf) && allOf.length === 2 && isObject(allOf[1]) && Object.keys(allOf[1]).join() === "description") return shapeOf(allOf[0]);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => k !== "description" || typeof v !== "string")
      .map(([k, v]) => [k, shapeOf(v)]),
  );
}

/** Tags the routes use that the document configuration does not describe. */
const EXTRA_TAGS = [
  { name: "STIR/SHAKEN", description: "The trust store for signer certificates, and findings about providers as signers of calls." },
  { name: "Webhooks", description: "Endpoints that receive events, their deliveries, the event feed, and the events the hub sends." },
  {
    name: "Campaigns",
    description:
      "Tracebacks grouped by what their calls carry (transcript, numbers, signer, the originator's customer), placed as they are created and completed; the consortium reads and decides on them.",
  },
  {
    name: "RMD",
    description:
      "Snapshots of the FCC's Robocall Mitigation Database export, their diffs, listings as of a date, and the know-your-upstream findings of a traceback against them.",
  },
];

const EXAMPLE_CURSOR = "eyJwayI6IlRCIzAxSkQ1WlE3WTNTMVEwTTBDOFcyRjRUNkI5In0";

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** A page of a list has, for example, one item: the example of the item's schema. */
function addPageExamples(schemas: JsonObject): void {
  for (const schema of Object.values(schemas)) {
    if (!isObject(schema) || schema.example !== undefined || !isObject(schema.properties)) continue;
    const { items, nextCursor } = schema.properties;
    if (!isObject(items) || items.type !== "array" || !isObject(items.items) || nextCursor === undefined) continue;
    const ref = items.items.$ref;
    const item = typeof ref === "string" ? schemas[ref.replace("#/components/schemas/", "")] : items.items;
    if (isObject(item) && item.example !== undefined) schema.example = { items: [item.example], nextCursor: EXAMPLE_CURSOR };
  }
}

/** Headers and responses the shared middleware adds to every route, declared once and referenced. */
const SHARED_HEADERS = {
  HoptraceReceipt: {
    description: `Compact JWS signed by the hub key (\`/.well-known/jwks.json\`) over the response status, the digest of this body and the caller's own signature (header \`${RECEIPT_HEADER}\`). Its \`log\` claim is the request's transparency log entry but for this receipt's own digest: the entry follows from the receipt, and \`/log/v1/proofs/inclusion?statementId=<log.id>\` proves it is in the log.`,
    schema: { type: "string" },
  },
  ContentDigest: {
    description: "RFC 9530 digest of the exact body bytes the receipt covers.",
    schema: { type: "string", example: "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:" },
  },
  RetryAfter: { description: "Seconds to wait before retrying.", required: true, schema: { type: "string", example: "1" } },
};
const SHARED_RESPONSES = {
  Conflict: problemResponseObject(409),
  PayloadTooLarge: problemResponseObject(413),
  UnsupportedMediaType: problemResponseObject(415),
  RateLimited: { ...problemResponseObject(429), headers: { "Retry-After": { $ref: "#/components/headers/RetryAfter" } } },
  HeaderTooLarge: problemResponseObject(431),
  InternalError: problemResponseObject(500),
};
const ref = (kind: "responses" | "headers", name: string) => ({ $ref: `#/components/${kind}/${name}` });

/**
 * The statuses that the middleware in front of every route can answer, declared on each
 * operation so generated clients know them: the rate guard (429), the header and body limits
 * (431; 413 and 415 for operations with a body), the idempotency guard (409 on every POST) and
 * the unexpected fault (500). Every accepted POST carries its receipt.
 */
function declareSharedResponses(paths: JsonObject): Set<string> {
  const used = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith("/v1/") || !isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || !isObject(op.responses)) continue;
      const responses = op.responses as JsonObject;
      const shared: Record<string, JsonObject> = {
        ...(op.requestBody !== undefined && { 413: ref("responses", "PayloadTooLarge"), 415: ref("responses", "UnsupportedMediaType") }),
        // Any POST can meet its own Idempotency-Key still in flight.
        ...(method === "post" && { 409: ref("responses", "Conflict") }),
        429: ref("responses", "RateLimited"),
        431: ref("responses", "HeaderTooLarge"),
        500: ref("responses", "InternalError"),
      };
      for (const [status, response] of Object.entries(shared)) {
        if (responses[status] !== undefined) continue;
        responses[status] = response;
        used.add(String(response.$ref).split("/").pop()!);
      }
      if (method === "post") {
        for (const [status, response] of Object.entries(responses)) {
          if (!/^2\d\d$/.test(status) || !isObject(response)) continue;
          response.headers = {
            "Hoptrace-Receipt": ref("headers", "HoptraceReceipt"),
            "Content-Digest": ref("headers", "ContentDigest"),
            ...(isObject(response.headers) ? response.headers : {}),
          };
        }
      }
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return used;
}

/** The full contract from the document the routes generate (`openApiDocument()`). */
export function buildDocument(generated: OpenApiDocument): OpenApiDocument {
  const base = structuredClone(generated);
  const hooks = webhooksDocument();
  const tags = base.tags ?? [];
  const components = base.components ?? {};
  // Assigning onto a copy keeps the generated key order; new keys come last.
  const out: OpenApiDocument & Record<`x-${string}`, unknown> = { ...base };
  out.info = { ...base.info, description: `${base.info.description ?? ""}\n\n${CONVENTIONS}` };
  out.tags = [...tags, ...EXTRA_TAGS.filter((extra) => !tags.some((t) => t.name === extra.name))];
  out.components = {
    ...components,
    securitySchemes: mergeComponents(components.securitySchemes ?? {}, hooks.components?.securitySchemes ?? {}) as typeof components.securitySchemes,
    schemas: mergeComponents(components.schemas ?? {}, hooks.components?.schemas ?? {}) as typeof components.schemas,
  };
  addPageExamples(out.components.schemas as JsonObject);
  const used = declareSharedResponses(out.paths as JsonObject);
  out.components.responses = {
    ...out.components.responses,
    ...Object.fromEntries(Object.entries(SHARED_RESPONSES).filter(([name]) => used.has(name))),
  } as typeof components.responses;
  out.components.headers = { ...out.components.headers, ...SHARED_HEADERS } as typeof components.headers;
  out.webhooks = hooks.webhooks ?? {};
  out["x-problem-codes"] = PROBLEM_CODES.map((p) => ({ ...p }));
  return out;
}

/** The bytes of openapi/openapi.json. */
export function serializeDocument(doc: OpenApiDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
