/**
 * A whole traceback driven through the generated client only: every call is type-checked against
 * the `paths` generated from openapi/openapi.json, so a contract change that breaks integrators
 * breaks this file's compilation or its run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHoptraceClient,
  keyProof,
  newAccountId,
  verifyHubSignature,
  verifyWebhook,
  type components,
  type HoptraceClient,
} from "../../openapi/client/index.js";
import { newKey, startTestHub, type TestHub } from "../support/hub.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

type Schemas = components["schemas"];

const evidence: Schemas["CallEvidence"] = { ingressTrunk: "TRUNK-7", sipCallId: "a84b4c76e66710@pc33.example" };

describe("the generated client against the embedded hub", () => {
  let t: TestHub;
  let receiver: Receiver;
  let consortium: HoptraceClient;

  beforeAll(async () => {
    t = await startTestHub({ background: true, sweepIntervalMs: 60_000 });
    receiver = await startReceiver();
    consortium = createHoptraceClient({ baseUrl: t.url, key: t.consortium.key });
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  async function registerProvider(name: string, frn: string): Promise<{ id: string; client: HoptraceClient }> {
    const { key, publicJwk } = await newKey();
    // The newcomer picks its account id and proves its key for it; the consortium registers both.
    const id = newAccountId();
    const { data, error, response } = await consortium.POST("/v1/providers", {
      body: { id, name, frn, contact: { name: "Traceback desk", email: "traceback@carrier.example" }, keys: [{ publicJwk, proof: keyProof(key, id) }] },
    });
    expect(error, JSON.stringify(error)).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data!.keys[0]!.keyId).toBe(key.keyId);
    return { id: data!.account.id, client: createHoptraceClient({ baseUrl: t.url, key }) };
  }

  async function openRequestFor(client: HoptraceClient, tracebackId: string): Promise<Schemas["HopRequest"]> {
    const { data } = await client.GET("/v1/hop-requests", { params: { query: { status: "open", limit: 10 } } });
    const hop = data!.items.find((h) => h.tracebackId === tracebackId);
    expect(hop?.status).toBe("open");
    return hop!;
  }

  it("runs a traceback through three hops to the originator, with a verified webhook on the way", async () => {
    const terminating = await registerProvider("Terminating Co", "0090000001");
    const transit = await registerProvider("Transit Co", "0090000002");
    const origin = await registerProvider("Origin Co", "0090000003");

    const endpoint = await origin.client.POST("/v1/webhook-endpoints", { body: { url: receiver.url, eventTypes: ["hop_request.created"] } });
    expect(endpoint.response.status).toBe(201);
    const secret = endpoint.data!.secret;

    const created = await consortium.POST("/v1/tracebacks", {
      body: { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T12:00:00-04:00", terminatingProviderId: terminating.id },
    });
    expect(created.response.status).toBe(201);
    const tracebackId = created.data!.traceback.id;

    // Hop 1: the terminating provider lists, reads and names its upstream.
    const hop1 = await openRequestFor(terminating.client, tracebackId);
    const read = await terminating.client.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId: hop1.id } } });
    expect(read.data!.call.callingNumber).toBe("+13055550123");
    const answer1 = await terminating.client.POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId: hop1.id } },
      body: { type: "upstream_identified", upstream: { providerId: transit.id }, evidence },
    });
    expect(answer1.response.status).toBe(200);
    expect(answer1.data!.status).toBe("answered");
    expect(answer1.response.headers.get("hoptrace-receipt")).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    // Hop 2: the transit provider names the originating one.
    const hop2 = await openRequestFor(transit.client, tracebackId);
    expect(hop2.namedBy.accountId).toBe(terminating.id);
    const answer2 = await transit.client.POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId: hop2.id } },
      body: { type: "upstream_identified", upstream: { providerId: origin.id }, evidence },
    });
    expect(answer2.response.status).toBe(200);

    // Hop 3 reaches the originating provider by webhook; it verifies the delivery before acting on it.
    const [delivery] = await receiver.waitFor((r) => r.length >= 1, 10_000);
    const payload = verifyWebhook({ secret, headers: delivery!.headers, body: delivery!.body });
    expect(payload.type).toBe("hop_request.created");
    expect(payload.recipientId).toBe(origin.id);
    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const { keyId } = await verifyHubSignature({ headers: delivery!.headers, body: delivery!.body, jwks });
    expect(jwks.keys.map((k) => (k as { kid: string }).kid)).toContain(keyId);

    const hopId = payload.data.hopId!;
    expect(payload.data.path).toBe(`/v1/hop-requests/${hopId}`);
    const hop3 = await origin.client.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId } } });
    expect(hop3.data!.tracebackId).toBe(tracebackId);
    expect(hop3.data!.namedBy.accountId).toBe(transit.id);

    const finalAnswer: Schemas["HopAnswer"] = {
      type: "originator_identified",
      customer: { name: "Example Dialer LLC", accountReference: "CUST-4471" },
      actionTaken: "terminated",
      evidence,
    };
    const idempotencyKey = "answer-hop-3-once";
    const answer3 = await origin.client.POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId }, header: { "idempotency-key": idempotencyKey } },
      body: finalAnswer,
    });
    expect(answer3.response.status).toBe(200);
    const retried = await origin.client.POST("/v1/hop-requests/{hopId}/answer", {
      params: { path: { hopId }, header: { "idempotency-key": idempotencyKey } },
      body: finalAnswer,
    });
    expect(retried.response.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.data).toEqual(answer3.data);
    expect(retried.response.headers.get("hoptrace-receipt")).toBe(answer3.response.headers.get("hoptrace-receipt"));

    // The consortium reads the whole chain.
    const chain = await consortium.GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId } } });
    expect(chain.data!.traceback.status).toBe("completed");
    expect(chain.data!.traceback.result?.outcome).toBe("originator_found");
    expect(chain.data!.traceback.path).toEqual([terminating.id, transit.id, origin.id]);
    expect(chain.data!.hops.map((h) => [h.seq, h.providerId, h.status, h.answer?.type])).toEqual([
      [1, terminating.id, "answered", "upstream_identified"],
      [2, transit.id, "answered", "upstream_identified"],
      [3, origin.id, "answered", "originator_identified"],
    ]);
  });

  it("gives each POST its own Idempotency-Key unless the caller passes one", async () => {
    const p = await registerProvider("Keys Co", "0090000004");
    const first = await p.client.POST("/v1/webhook-endpoints", { body: { url: receiver.url, eventTypes: ["hop_request.reminder"] } });
    const second = await p.client.POST("/v1/webhook-endpoints", { body: { url: receiver.url, eventTypes: ["hop_request.reminder"] } });
    expect(first.response.status).toBe(201);
    expect(second.response.status).toBe(201);
    expect(second.data!.endpoint.id).not.toBe(first.data!.endpoint.id);
    expect(second.response.headers.get("idempotent-replayed")).toBeNull();

    // A POST without a body is signed with an empty one, as the hub requires of every POST.
    const test = await p.client.POST("/v1/webhook-endpoints/{endpointId}/test", { params: { path: { endpointId: first.data!.endpoint.id } } });
    expect(test.response.status).toBe(202);
    expect(test.data!.type).toBe("endpoint.test");
  });

  it("returns problems as typed errors with a stable code", async () => {
    const p = await registerProvider("Problem Co", "0090000005");
    const missing = await p.client.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_9" } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.code).toBe("not_found");
    expect(missing.error?.request_id).toMatch(/^req_/);
    const forbidden = await p.client.POST("/v1/providers", { body: { name: "Nope", contact: { name: "x", email: "x@y.example" } } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error?.code).toBe("forbidden");
  });
});

/** Never called: compiled only, so that a contract change breaking these calls fails `tsc`. */
// biome-ignore lint/suspicious/noExportsInTest: exported so that tsc keeps it without a caller
export function contractShapes(client: HoptraceClient): void {
  // @ts-expect-error no such path in the contract
  void client.GET("/v1/hop-request");
  // @ts-expect-error a traceback needs its terminating provider
  void client.POST("/v1/tracebacks", { body: { callingNumber: "+13055550123", calledNumber: "+12025550143", callTime: "2024-06-03T12:00:00Z" } });
  // @ts-expect-error an answer type the contract does not know
  void client.POST("/v1/hop-requests/{hopId}/answer", { params: { path: { hopId: "h" } }, body: { type: "maybe" } });
  // @ts-expect-error the hop id is a required path parameter
  void client.GET("/v1/hop-requests/{hopId}", {});
}
