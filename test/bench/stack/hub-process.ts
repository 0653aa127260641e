/**
 * The hub for the bench, in a process of its own: the embedded hub (API, delivery poller,
 * reconciler, sweeper, integrator) on emulators that run in another process. It measures only
 * itself and answers the parent over IPC: its CPU time (process.cpuUsage), the DynamoDB and SQS
 * calls it made (counters.ts), the requests it served and how long each took (Node's
 * `http.server.*` diagnostics channels), how long each delivery batch ran (from its receive to
 * its delete), and, while tracing, when each DynamoDB call started and whether background work
 * (integrator, sweeper, reconciler) made it.
 */
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { startEmbeddedHub } from "../../../functions/local/embedded.js";
import type { Emulators } from "../../../functions/local/emulators.js";
import { ensureConsortium } from "../../../functions/usecases/bootstrap.js";
import { instrument } from "../counters.js";
import { serveParent, toParent } from "./ipc.js";

const endpoints = JSON.parse(process.env.BENCH_EMULATORS!) as Omit<Emulators, "stop">;
const consortiumJwk = JSON.parse(process.env.BENCH_CONSORTIUM_JWK!) as unknown;

const hub = await startEmbeddedHub({
  emulators: { ...endpoints, stop: async () => {} },
  sweepIntervalMs: 60_000,
  env: { LOG_LEVEL: "ERROR", RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" },
});
const { accountId } = await ensureConsortium(hub.runtime.deps, consortiumJwk);

/** Work a trigger other than a request or a queue message starts; seen in the call's async stack. */
const BACKGROUND = /integratePending|sweepDeadlines|reconcileOutbox|recoverFanOuts|recoverDeliveries/;
let tracing = false;
let trace: Array<{ at: number; command: string; background: boolean }> = [];
const epochMs = () => performance.timeOrigin + performance.now();

const requestsSeen = () => ({ count: 0, ms: 0, byRoute: {} as Record<string, number> });
let requests = requestsSeen();
const started = new WeakMap<IncomingMessage, number>();
dc.subscribe("http.server.request.start", (m) => started.set((m as { request: IncomingMessage }).request, performance.now()));
dc.subscribe("http.server.response.finish", (m) => {
  const req = (m as { request: IncomingMessage }).request;
  const t0 = started.get(req);
  if (t0 === undefined) return;
  requests.count++;
  requests.ms += performance.now() - t0;
  const route = `${req.method} ${(req.url ?? "").replace(/\?.*$/, "").replace(/\/(hop|tb|acc|ep|evt|req)_[^/]+/g, "/{id}")}`;
  requests.byRoute[route] = (requests.byRoute[route] ?? 0) + 1;
});

let batches = { count: 0, ms: 0, messages: 0 };
const receivedAt = new Map<string, number>();

Error.stackTraceLimit = 60;
const counters = instrument(hub.runtime.db, hub.runtime.sqs, {
  onDynamo: (command) => {
    if (!tracing) return;
    trace.push({ at: epochMs(), command, background: BACKGROUND.test(new Error().stack ?? "") });
  },
  onSqs: (command, input, output) => {
    if (command === "ReceiveMessage") {
      const at = performance.now();
      for (const m of (output.Messages as Array<{ ReceiptHandle: string }> | undefined) ?? []) receivedAt.set(m.ReceiptHandle, at);
    } else if (command === "DeleteMessageBatch") {
      const handles = ((input.Entries as Array<{ ReceiptHandle: string }> | undefined) ?? []).map((e) => e.ReceiptHandle);
      const first = Math.min(...handles.map((h) => receivedAt.get(h) ?? Infinity));
      for (const h of handles) receivedAt.delete(h);
      if (!Number.isFinite(first)) return;
      batches.count++;
      batches.messages += handles.length;
      batches.ms += performance.now() - first;
    }
  },
});

serveParent(
  {
    snapshot: () => ({ counts: counters.snapshot(), cpu: process.cpuUsage(), requests, batches, trace }),
    reset: (m) => {
      counters.reset();
      requests = requestsSeen();
      batches = { count: 0, ms: 0, messages: 0 };
      trace = [];
      tracing = m.trace === true;
      return {};
    },
  },
  () => hub.stop(),
);
toParent({ type: "ready", url: hub.url, consortiumAccountId: accountId });
