/**
 * The few calls the responder makes to the hub, through the signed, typed client. Every answer
 * carries an Idempotency-Key derived from the hop id: a redelivered webhook, a sweep racing a
 * webhook, or a restart mid-answer all send the same key, so the hub answers once and replays.
 */
import { createHoptraceClient, type components, type HoptraceClient, type SigningKey } from "../../openapi/client/index.js";
import type { HopAnswer } from "../domain/answer-schema.js";

export type HopRequest = components["schemas"]["HopRequest"];
export type WebhookEndpoint = components["schemas"]["WebhookEndpoint"];

export const answerIdempotencyKey = (hopId: string) => `responder-answer.${hopId}`;

export type AnswerResult =
  | { kind: "answered"; hop: HopRequest; replayed: boolean }
  /** Someone (a person, another instance) already answered, or the request closed meanwhile. */
  | { kind: "not_open"; code: string }
  /** This key was used with another body: an earlier run answered differently. */
  | { kind: "conflicting_earlier_answer" }
  | { kind: "failed"; status: number; code: string };

export interface HubApi {
  getHop(hopId: string): Promise<{ hop: HopRequest } | { status: number; code: string }>;
  answer(hopId: string, answer: HopAnswer): Promise<AnswerResult>;
  listOpen(limit: number): Promise<HopRequest[]>;
  /** Registers an endpoint whose hop request notices carry the hop request, so that answering one needs no read. */
  registerEndpoint(url: string, eventTypes: readonly EventType[], description?: string): Promise<{ endpointId: string; secret: string }>;
  /** Every webhook endpoint of the calling account. */
  listEndpoints(): Promise<WebhookEndpoint[]>;
  rotateEndpointSecret(endpointId: string): Promise<string>;
  setEndpointEnabled(endpointId: string, enabled: boolean): Promise<WebhookEndpoint>;
}

type EventType = WebhookEndpoint["eventTypes"][number];

export class HubRequestError extends Error {
  readonly code = "hub_request_failed";
}

export interface HubApiOptions {
  baseUrl: string;
  key: SigningKey;
  now?: () => number;
  fetch?: typeof fetch;
  /** Waits between retries of an answer still in flight under the same key. */
  sleep?: (ms: number) => Promise<void>;
}

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "unknown";

export function hubApi(opts: HubApiOptions): HubApi {
  const client: HoptraceClient = createHoptraceClient({
    baseUrl: opts.baseUrl,
    key: opts.key,
    ...(opts.now && { now: opts.now }),
    ...(opts.fetch && { fetch: opts.fetch }),
  });
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    getHop: async (hopId) => {
      const { data, error, response } = await client.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId } } });
      return data ? { hop: data } : { status: response.status, code: codeOf(error) };
    },
    answer: async (hopId, answer) => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { data, error, response } = await client.POST("/v1/hop-requests/{hopId}/answer", {
          params: { path: { hopId }, header: { "idempotency-key": answerIdempotencyKey(hopId) } },
          body: answer,
        });
        if (data) return { kind: "answered", hop: data, replayed: response.headers.get("idempotent-replayed") === "true" };
        const code = codeOf(error);
        if (response.status === 409 && code === "request_in_flight") {
          await sleep(1000);
          continue;
        }
        if (response.status === 409) return { kind: "not_open", code };
        if (response.status === 422 && code === "idempotency_key_reused") return { kind: "conflicting_earlier_answer" };
        return { kind: "failed", status: response.status, code };
      }
      return { kind: "failed", status: 409, code: "request_in_flight" };
    },
    listOpen: async (limit) => {
      const out: HopRequest[] = [];
      let cursor: string | undefined;
      do {
        const { data, response } = await client.GET("/v1/hop-requests", {
          params: { query: { status: "open", limit: Math.min(100, limit), ...(cursor && { cursor }) } },
        });
        if (!data) throw new HubRequestError(`listing open hop requests failed with HTTP ${response.status}`);
        out.push(...data.items);
        cursor = data.nextCursor;
      } while (cursor && out.length < limit);
      return out.slice(0, limit);
    },
    registerEndpoint: async (url, eventTypes, description) => {
      const { data, error, response } = await client.POST("/v1/webhook-endpoints", {
        body: { url, eventTypes: [...eventTypes], includeHopRequest: true, ...(description && { description }) },
      });
      if (!data) throw new HubRequestError(`registering the webhook endpoint failed with HTTP ${response.status} ${codeOf(error)}`);
      return { endpointId: data.endpoint.id, secret: data.secret };
    },
    listEndpoints: async () => {
      const out: WebhookEndpoint[] = [];
      let cursor: string | undefined;
      do {
        const { data, error, response } = await client.GET("/v1/webhook-endpoints", { params: { query: { limit: 100, ...(cursor && { cursor }) } } });
        if (!data) throw new HubRequestError(`listing the webhook endpoints failed with HTTP ${response.status} ${codeOf(error)}`);
        out.push(...data.items);
        cursor = data.nextCursor;
      } while (cursor);
      return out;
    },
    rotateEndpointSecret: async (endpointId) => {
      const { data, error, response } = await client.POST("/v1/webhook-endpoints/{endpointId}/rotate-secret", { params: { path: { endpointId } } });
      if (!data) throw new HubRequestError(`rotating the secret of endpoint ${endpointId} failed with HTTP ${response.status} ${codeOf(error)}`);
      return data.secret;
    },
    setEndpointEnabled: async (endpointId, enabled) => {
      const path = enabled ? "/v1/webhook-endpoints/{endpointId}/enable" : "/v1/webhook-endpoints/{endpointId}/disable";
      const { data, error, response } = await client.POST(path, { params: { path: { endpointId } } });
      if (!data) throw new HubRequestError(`${enabled ? "enabling" : "disabling"} endpoint ${endpointId} failed with HTTP ${response.status} ${codeOf(error)}`);
      return data;
    },
  };
}
