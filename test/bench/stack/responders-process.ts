/**
 * The five providers' auto-responders, in a process of their own, each answering the hop
 * requests addressed to it from a switch that carried every call. Each webhook received and each
 * answer accepted is reported to the parent with its wall-clock time (epoch ms, sub-millisecond),
 * so the parent can line them up with the hub's calls.
 */
import type { CallRecordSource } from "../../../functions/responder/cdr.js";
import { parseResponderConfig, type TrunkMap } from "../../../functions/responder/config.js";
import { startResponder, type Responder } from "../../../functions/responder/responder.js";
import { signingKeyFromJwk } from "../../../openapi/client/index.js";
import { serveParent, toParent } from "./ipc.js";

interface Provider {
  id: string;
  name: string;
  privateJwk: Record<string, unknown>;
}

const hubUrl = process.env.BENCH_HUB_URL!;
const providers = JSON.parse(process.env.BENCH_PROVIDERS!) as Provider[];
const epochMs = () => performance.timeOrigin + performance.now();

/** A switch that carried every call: each lookup finds exactly one record, on the trunk "IN". */
const everyCall: CallRecordSource = {
  find: async (call) => [{ startTime: call.at, calling: call.calling, called: call.called, ingressTrunk: "IN", sipCallId: "bench@sip.example" }],
};

const responders: Responder[] = [];
for (const [i, p] of providers.entries()) {
  const trunks: TrunkMap = {
    IN:
      i < providers.length - 1
        ? { upstream: { providerId: providers[i + 1]!.id } }
        : { customer: { name: "Bench Dialer LLC", accountReference: "B-1" }, actionTaken: "suspended" },
  };
  const config = parseResponderConfig({
    hubUrl,
    keyFile: "in-memory",
    webhook: { port: 0, register: { description: `${p.name} responder` } },
    trunks,
    sweepIntervalSeconds: 0,
  });
  responders.push(
    await startResponder(config, {
      log: () => {},
      key: await signingKeyFromJwk(p.privateJwk),
      source: everyCall,
      onWebhook: (payload) => toParent({ type: "webhook", at: epochMs(), webhookId: payload.id, eventType: payload.type, hopId: payload.data.hopId ?? null }),
      onHandled: (h) =>
        toParent({
          type: "handled",
          at: epochMs(),
          hopId: h.hopId,
          tracebackId: h.tracebackId ?? null,
          outcome: h.outcome,
          totalMs: h.totalMs,
          hubMs: h.hubMs,
        }),
    }),
  );
}

serveParent({ cpu: () => ({ cpu: process.cpuUsage() }) }, async () => void (await Promise.all(responders.map((r) => r.stop()))));
toParent({ type: "ready" });
