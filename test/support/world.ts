/**
 * A small populated hub: every listing of the API holds at least two items, and there is one
 * resource of each kind to read, answer, amend or act on. Built through the signed API where the
 * API can build it, and through the stores for what only the background work would write
 * (findings, deliveries, events, a second key).
 */
import { readFileSync } from "node:fs";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { hopIdOf } from "../../functions/domain/ids.js";
import { CALL, EVIDENCE, type HubParties, type Party } from "./api.js";

export interface World {
  providerA: Party;
  providerB: Party;
  initiatorA: Party;
  initiatorB: Party;
  tracebackIds: string[];
  /** Hop 1 of the first traceback, answered by provider A (upstream B); its hop 2 is open at B. */
  answeredHopId: string;
  nextHopId: string;
  openHopIds: string[];
  endpointIds: string[];
  anchorFingerprints: string[];
  eventIds: string[];
  /** A second key of provider A, not the one it signs with. */
  spareKeyId: string;
  /** A time before every event of provider A, for `since`. */
  since: string;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/shaken/${name}`, import.meta.url), "utf8");

function expect201(res: { status: number; text: string }, what: string): void {
  if (res.status !== 201 && res.status !== 200) throw new Error(`${what}: ${res.status} ${res.text}`);
}

export async function populate(t: HubParties): Promise<World> {
  const deps = t.deps;
  const since = new Date(deps.clock.now().getTime() - 60_000).toISOString();
  const providerA = await t.registerProvider("World Carrier A");
  const providerB = await t.registerProvider("World Carrier B");
  const initiatorA = await t.registerInitiator("World Initiator A");
  const initiatorB = await t.registerInitiator("World Initiator B");

  const tracebackIds: string[] = [];
  const hop1: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await initiatorA.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: providerA.id });
    expect201(res, "traceback");
    tracebackIds.push(res.body.traceback.id);
    hop1.push(res.body.hops[0].id);
  }
  expect201(await initiatorB.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: providerB.id }), "traceback");
  expect201(await initiatorB.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: providerB.id }), "traceback");
  const answeredHopId = hop1[0]!;
  expect201(
    await providerA.api.post(`/v1/hop-requests/${answeredHopId}/answer`, {
      type: "upstream_identified",
      upstream: { providerId: providerB.id },
      evidence: EVIDENCE,
    }),
    "answer",
  );

  const endpointIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await providerA.api.post("/v1/webhook-endpoints", {
      url: `http://127.0.0.1:9/world-${i}`,
      eventTypes: ["hop_request.created", "endpoint.test"],
    });
    expect201(res, "endpoint");
    endpointIds.push(res.body.endpoint.id);
  }

  const anchorFingerprints: string[] = [];
  for (const pem of ["root.pem", "cert-567J.pem"]) {
    const res = await t.consortium.api.post("/v1/trust-anchors", { pem: fixture(pem), label: `TEST ONLY ${pem}` });
    expect201(res, "trust anchor");
    anchorFingerprints.push(res.body.fingerprint);
  }

  const now = deps.clock.now();
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const second = await generateSigningKey();
  await deps.accounts.addKey(
    {
      keyId: second.kid,
      accountId: providerA.id,
      accountKind: "provider",
      publicJwk: second.publicJwk,
      status: "active",
      label: "second",
      createdAt: at(0),
      createdBy: t.consortium.id,
    },
    10,
  );
  const eventIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    await deps.evidence.putFinding({
      id: `fnd_world_${i}`,
      providerId: providerA.id,
      tracebackId: tracebackIds[i]!,
      recordedAt: at(i),
      code: "invalid_signature",
      severity: "critical",
      detail: "the signature does not verify",
    });
    const eventId = `evt_world_${i}`;
    eventIds.push(eventId);
    await deps.webhooks.markFannedOut({
      id: eventId,
      type: "endpoint.test",
      createdAt: at(i),
      recipientId: providerA.id,
      data: { endpointId: endpointIds[0]! },
    });
    await deps.webhooks.createDelivery({
      eventId,
      endpointId: endpointIds[0]!,
      accountId: providerA.id,
      eventType: "endpoint.test",
      status: "delivered",
      attemptCount: 1,
      attempts: [{ attempt: 1, at: at(i), outcome: "delivered", status: 204, latencyMs: 3 }],
      createdAt: at(i),
      updatedAt: at(i),
    });
  }
  return {
    providerA,
    providerB,
    initiatorA,
    initiatorB,
    tracebackIds,
    answeredHopId,
    nextHopId: hopIdOf(tracebackIds[0]!, 2),
    openHopIds: hop1.slice(1),
    endpointIds,
    anchorFingerprints,
    eventIds,
    spareKeyId: second.kid,
    since,
  };
}
