import { describe, expect, it } from "vitest";
import { hopRequestCancelled, hopRequestCreated, hopRequestOverdue, hopRequestReminder, type HubEvent } from "../../../functions/domain/events.js";
import type { Hop } from "../../../functions/domain/traceback.js";
import { carriesHopRequest, type Endpoint } from "../../../functions/domain/webhooks/endpoint.js";

const hop = {
  id: "hop_tb1_2",
  tracebackId: "tb1",
  seq: 2,
  status: "open",
  providerId: "acc_upstream",
  call: { callingNumber: "+13055550123", calledNumber: "+12025550143", callTimeUtc: "2024-06-03T16:00:00.000Z" },
  namedBy: { accountId: "acc_terminating", hopId: "hop_tb1_1" },
  createdAt: "2024-06-03T16:05:00.000Z",
  deadline: { policy: "standard", dueAt: "2024-06-04T16:05:00.000Z", reminders: ["2024-06-04T12:05:00.000Z"] },
  overdueAt: "2024-06-04T16:05:00.000Z",
} as unknown as Hop;

const endpointOf = (accountId: string, includeHopRequest?: boolean): Endpoint => ({
  id: "ep_1",
  accountId,
  url: "https://hooks.example/h",
  eventTypes: ["hop_request.created", "hop_request.reminder", "hop_request.overdue", "hop_request.cancelled"],
  status: "active",
  secrets: [],
  createdAt: "2024-06-01T00:00:00.000Z",
  consecutiveFailures: 0,
  ...(includeHopRequest !== undefined && { includeHopRequest }),
});

describe("which webhooks carry the hop request", () => {
  const [overdueToProvider, overdueToInitiator] = hopRequestOverdue(hop, "acc_initiator") as [HubEvent, HubEvent];

  it("the notices of a hop request to the provider asked, at an endpoint that asked for it", () => {
    const e = endpointOf("acc_upstream", true);
    for (const event of [hopRequestCreated(hop), hopRequestReminder(hop, 0), overdueToProvider]) expect(carriesHopRequest(e, event), event.type).toBe(true);
  });

  it("nothing else: without the option, a cancellation, the initiator's overdue notice, another account's endpoint", () => {
    expect(carriesHopRequest(endpointOf("acc_upstream"), hopRequestCreated(hop))).toBe(false);
    expect(carriesHopRequest(endpointOf("acc_upstream", false), hopRequestCreated(hop))).toBe(false);
    expect(carriesHopRequest(endpointOf("acc_upstream", true), hopRequestCancelled(hop, "2024-06-04T00:00:00.000Z"))).toBe(false);
    expect(carriesHopRequest(endpointOf("acc_initiator", true), overdueToInitiator)).toBe(false);
    expect(carriesHopRequest(endpointOf("acc_terminating", true), hopRequestCreated(hop))).toBe(false);
  });
});
