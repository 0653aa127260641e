/** A traceback whose first hop is answered, naming the next provider: what amendments are sent to. */
import { expect } from "vitest";
import { CALL, EVIDENCE, type HubParties, type Party } from "../support/api.js";

export async function answeredHop(t: HubParties, terminating: Party, named: Party): Promise<{ tracebackId: string; hopId: string }> {
  const tb = await t.consortium.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: terminating.id });
  const hopId = tb.body.hops[0].id as string;
  expect(
    (await terminating.api.post(`/v1/hop-requests/${hopId}/answer`, { type: "upstream_identified", upstream: { providerId: named.id }, evidence: EVIDENCE }))
      .status,
  ).toBe(200);
  return { tracebackId: tb.body.traceback.id, hopId };
}
