/**
 * What authenticating a signed request costs in DynamoDB calls: the key comes from the
 * instance's cache and a replay is refused without a write of its own, so a provider's read of
 * its hop request is the hop's one Query, and its answer touches no key or signature item.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrument } from "../bench/counters.js";
import { CALL, EVIDENCE, startTestHub, type Party, type TestHub } from "../support/hub.js";
import { send, signedPost } from "./raw.js";

let t: TestHub;
let terminating: Party;
let upstream: Party;
let calls: string[] = [];

/** A call as `<command> <partition kind>`: `GetItem KEY`, `Query TRACEBACK`. */
function described(command: string, input: Record<string, unknown>): string {
  const item = (input.Key ?? input.Item) as { pk?: string } | undefined;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const pk = item?.pk ?? (typeof values?.[":pk"] === "string" ? (values[":pk"] as string) : undefined);
  return `${command.replace(/Command$/, "")} ${pk?.split("#")[0] ?? "?"}`;
}

async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  calls = [];
  const result = await run();
  return { result, calls: [...calls] };
}

/**
 * The whole answer, its follow-up included (the hop's read, the traceback and upstream reads, the
 * hop, log and next-hop writes, the event): before the key cache and the state-borne replay
 * refusal it was 13, the key's GetItem and the signature's PutItem among them; the answer's
 * evidence, an item of its own that no index projects, is one PutItem more (fewer write units).
 */
const ANSWER_CALLS = 12;
const authCalls = (list: string[]) => list.filter((c) => / (KEY|SIGNATURE)$/.test(c));

beforeAll(async () => {
  t = await startTestHub({ env: { LOG_LEVEL: "ERROR" } });
  terminating = await t.registerProvider("Counted Terminating Co");
  upstream = await t.registerProvider("Counted Upstream Co");
  instrument(t.hub.runtime.db, t.hub.runtime.sqs, { onDynamo: (command, input) => calls.push(described(command, input)) });
});
afterAll(async () => {
  await t?.stop();
});

describe("DynamoDB calls per signed request", () => {
  it("a signed GET of a hop request is the hop's one Query", async () => {
    const hopId = (await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id })).body.hops[0].id;
    // The first request of a key on this instance reads it; every later one is served from the cache.
    await terminating.api.get("/v1/hop-requests?limit=1");
    const { result, calls } = await counted(() => terminating.api.get(`/v1/hop-requests/${hopId}`));
    expect(result.status).toBe(200);
    // Before: ["GetItem KEY", "PutItem SIGNATURE", "Query TRACEBACK"].
    expect(calls).toEqual(["Query TRACEBACK"]);
  });

  it("an answer POST reads no key and writes no signature; the same signed request again writes nothing", async () => {
    const hopId = (await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id })).body.hops[0].id;
    const target = `${t.url}/v1/hop-requests/${hopId}/answer`;
    const body = JSON.stringify({ type: "upstream_identified", upstream: { providerId: upstream.id }, evidence: EVIDENCE });
    const headers = signedPost(target, terminating.key, body);
    const { result: first, calls: answering } = await counted(() => send(target, { method: "POST", headers, body }));
    expect(first.status).toBe(200);
    expect(authCalls(answering)).toEqual([]);
    // A ceiling, so that a saving cannot be lost unnoticed.
    expect(answering.length).toBeLessThanOrEqual(ANSWER_CALLS);

    // A copy of the very request (same signature, nonce and Idempotency-Key), as a replayer would send it.
    const { result: again, calls: replaying } = await counted(() => send(target, { method: "POST", headers, body }));
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("hoptrace-receipt")).toBe(first.headers.get("hoptrace-receipt"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // The hop's read, which finds the answer and its evidence; nothing is written.
    expect(replaying).toEqual(["Query TRACEBACK"]);
  });
});
