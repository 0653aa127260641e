/**
 * The provider-side auto-responder as a library: receives Hoptrace webhooks, which carry the hop
 * request (its endpoint asks for it; else it fetches the request through the signed API), looks the call up in the provider's records, and answers, or
 * sets the call aside for a person when the records do not settle it. `sweepOpen` answers what
 * is open regardless of webhooks, so a missed delivery only delays an answer.
 */
import { readFile } from "node:fs/promises";
import type { SigningKey } from "../../openapi/client/signing.js";
import { signingKeyFromJwk } from "../../openapi/client/signing.js";
import type { WebhookPayload } from "../../openapi/client/webhooks.js";
import type { AnswerType } from "../domain/answer.js";
import { numberKey, toE164 } from "../domain/phone.js";
import { fileSource, type CallQuery, type CallRecordSource } from "./cdr.js";
import type { ResponderConfig } from "./config.js";
import { decide } from "./decide.js";
import { ensureOwnEndpoint } from "./endpoint.js";
import { hubApi, type HubApi, type HopRequest, type WebhookEndpoint } from "./hub-api.js";
import { readState, writeState } from "./state.js";
import { startWebhookServer, type WebhookServer } from "./webhook-server.js";

export type HandledOutcome = "answered" | "needs_person" | "not_open" | "failed";

export interface HopHandled {
  hopId: string;
  tracebackId?: string;
  via: "webhook" | "sweep";
  outcome: HandledOutcome;
  answerType?: AnswerType;
  /** Why a person is needed, or why it failed. */
  reason?: string;
  /** Whole handling time (from the webhook's arrival when there was one), and the part spent waiting on the hub. */
  totalMs: number;
  hubMs: number;
}

export interface LogEntry {
  level: "info" | "warn" | "error";
  msg: string;
  [field: string]: unknown;
}

export interface ResponderOptions {
  /** The provider's key; read from `config.keyFile` when absent. */
  key?: SigningKey;
  /** Where calls are looked up; the configured CDR file when absent. */
  source?: CallRecordSource;
  /** Milliseconds since the epoch as the hub counts them (signatures and webhook timestamps). */
  now?: () => number;
  fetch?: typeof fetch;
  log?: (entry: LogEntry) => void;
  onHandled?: (handled: HopHandled) => void;
  /** Every verified delivery, before it is acted on (counting, auditing). */
  onWebhook?: (payload: WebhookPayload) => void;
}

export interface Responder {
  /** Where the responder receives webhooks. */
  url: string;
  endpointId?: string;
  /** Calls set aside for a person, by hop id, with the reason. */
  needsPerson: ReadonlyMap<string, string>;
  handleHop(hopId: string, via?: HopHandled["via"]): Promise<HopHandled>;
  sweepOpen(limit?: number): Promise<HopHandled[]>;
  stop(): Promise<void>;
}

type EventType = WebhookEndpoint["eventTypes"][number];
/** The events the responder acts on, and so those its endpoint is registered for. */
const ACTIONABLE = new Set<string>(["hop_request.created", "hop_request.reminder", "hop_request.overdue"] satisfies EventType[]);
/** After a failure (hub unreachable, a 5xx), a webhook-triggered hop is tried again this much later. */
const RETRY_DELAYS_MS = [2_000, 15_000, 60_000];

export const jsonLinesLog =
  (write: (line: string) => void = (l) => process.stderr.write(l)) =>
  (entry: LogEntry) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

export async function startResponder(config: ResponderConfig, opts: ResponderOptions = {}): Promise<Responder> {
  const log = opts.log ?? jsonLinesLog();
  const now = opts.now ?? Date.now;
  const key = opts.key ?? (await signingKeyFromJwk(JSON.parse(await readFile(config.keyFile, "utf8"))));
  const source =
    opts.source ??
    (config.cdr ? fileSource(config.cdr, (rows) => log({ level: "warn", msg: "CDR rows skipped", count: rows.length, first: rows.slice(0, 5) })) : undefined);
  if (!source) throw new Error("the responder needs call records: configure `cdr` or pass a source");
  const api: HubApi = hubApi({ baseUrl: config.hubUrl, key, now, ...(opts.fetch && { fetch: opts.fetch }) });
  const secrets = [...config.webhook.secrets];
  const needsPerson = new Map<string, string>();
  const inFlight = new Map<string, Promise<HopHandled>>();
  let stopped = false;

  const process_ = async (hopId: string, via: HopHandled["via"], known?: HopRequest, since?: number): Promise<HopHandled> => {
    const started = since ?? performance.now();
    let hubMs = 0;
    const timed = async <T>(p: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await p();
      } finally {
        hubMs += performance.now() - t;
      }
    };
    const done = (h: Omit<HopHandled, "hopId" | "via" | "totalMs" | "hubMs">): HopHandled => ({
      hopId,
      via,
      ...h,
      totalMs: performance.now() - started,
      hubMs,
    });
    let hop = known;
    if (!hop) {
      const got = await timed(() => api.getHop(hopId));
      if (!("hop" in got)) return done({ outcome: "failed", reason: `reading the hop request failed: HTTP ${got.status} ${got.code}` });
      hop = got.hop;
    }
    const base = { tracebackId: hop.tracebackId };
    if (hop.status !== "open") return done({ ...base, outcome: "not_open", reason: hop.status });
    const called = toE164(hop.call.calledNumber);
    if (!called) return done({ ...base, outcome: "needs_person", reason: `the called number ${JSON.stringify(hop.call.calledNumber)} cannot be read` });
    const call: CallQuery = { calling: numberKey(hop.call.callingNumber), called, at: new Date(hop.call.callTimeUtc) };
    const [found, unreadable] = await Promise.all([source.find(call, config.matchWindowSeconds), source.unreadable?.(call, config.matchWindowSeconds) ?? []]);
    const decision = decide(call, found, config.trunks, config.matchWindowSeconds, unreadable);
    if ("needsPerson" in decision) return done({ ...base, outcome: "needs_person", reason: decision.needsPerson });
    const result = await timed(() => api.answer(hopId, decision.answer));
    switch (result.kind) {
      case "answered":
        return done({ ...base, outcome: "answered", answerType: decision.answer.type });
      case "not_open":
        return done({ ...base, outcome: "not_open", reason: result.code });
      case "conflicting_earlier_answer":
        return done({ ...base, outcome: "needs_person", reason: "an earlier run answered this hop request differently; the records have changed since" });
      case "failed":
        return done({ ...base, outcome: "failed", reason: `answering failed: HTTP ${result.status} ${result.code}` });
    }
  };

  const handleHop = (hopId: string, via: HopHandled["via"] = "webhook", known?: HopRequest, since?: number): Promise<HopHandled> => {
    const running = inFlight.get(hopId);
    if (running) return running;
    const p = process_(hopId, via, known, since)
      .catch((err: unknown): HopHandled => ({ hopId, via, outcome: "failed", reason: String(err), totalMs: 0, hubMs: 0 }))
      .then((handled) => {
        if (handled.outcome === "needs_person") needsPerson.set(hopId, handled.reason ?? "");
        else needsPerson.delete(hopId);
        report(handled);
        return handled;
      })
      .finally(() => inFlight.delete(hopId));
    inFlight.set(hopId, p);
    return p;
  };

  const report = (h: HopHandled) => {
    const fields = {
      hopId: h.hopId,
      tracebackId: h.tracebackId,
      via: h.via,
      ...(h.answerType && { answerType: h.answerType }),
      ...(h.reason && { reason: h.reason }),
      ms: Math.round(h.totalMs),
    };
    if (h.outcome === "answered") log({ level: "info", msg: "answered hop request", ...fields });
    else if (h.outcome === "needs_person") log({ level: "warn", msg: "hop request needs a person", ...fields });
    else if (h.outcome === "not_open") log({ level: "info", msg: "hop request no longer open", ...fields });
    else log({ level: "error", msg: "hop request not answered", ...fields });
    opts.onHandled?.(h);
  };

  const retryTimers = new Set<NodeJS.Timeout>();
  const onWebhook = (payload: WebhookPayload, receivedAt: number): void => {
    opts.onWebhook?.(payload);
    const hopId = payload.data.hopId;
    if (!ACTIONABLE.has(payload.type) || typeof hopId !== "string") return;
    // The hop request as the hub read it when it sent this (signed) webhook: answered without a
    // read. A retry reads it afresh, since the hop may have moved on since.
    const carried = payload.data.hopRequest?.id === hopId ? payload.data.hopRequest : undefined;
    const attempt = (n: number, since?: number): void => {
      void handleHop(hopId, "webhook", n === 0 ? carried : undefined, since).then((handled) => {
        const delay = RETRY_DELAYS_MS[n];
        if (handled.outcome !== "failed" || delay === undefined || stopped) return;
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          attempt(n + 1);
        }, delay);
        timer.unref();
        retryTimers.add(timer);
      });
    };
    attempt(0, receivedAt);
  };

  const server: WebhookServer = await startWebhookServer({
    host: config.webhook.host,
    port: config.webhook.port,
    path: config.webhook.path,
    secrets: () => secrets,
    now,
    handle: onWebhook,
    onRejected: (reason) => log({ level: "warn", msg: "webhook refused", reason }),
  });

  let endpointId: string | undefined;
  try {
    if (config.webhook.register)
      endpointId = await keepEndpoint(config, config.webhook.register, api, config.webhook.register.publicUrl ?? server.url, secrets, log);
  } catch (err) {
    await server.close();
    throw err;
  }

  const sweepOpen = async (limit = 500): Promise<HopHandled[]> => {
    const open = await api.listOpen(limit);
    const handled: HopHandled[] = [];
    for (const hop of open) {
      if (needsPerson.has(hop.id)) continue;
      handled.push(await handleHop(hop.id, "sweep", hop));
    }
    return handled;
  };

  let sweeping: Promise<unknown> = Promise.resolve();
  const timer =
    config.sweepIntervalSeconds > 0
      ? setInterval(() => {
          sweeping = sweepOpen().catch((err: unknown) => log({ level: "error", msg: "sweep failed", error: String(err) }));
        }, config.sweepIntervalSeconds * 1000)
      : undefined;
  timer?.unref();

  log({ level: "info", msg: "responder listening", url: server.url, trunks: Object.keys(config.trunks).length });
  return {
    url: server.url,
    ...(endpointId && { endpointId }),
    needsPerson,
    handleHop: (hopId, via) => handleHop(hopId, via),
    sweepOpen,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      for (const t of retryTimers) clearTimeout(t);
      await sweeping;
      await server.close();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

/**
 * Finds or registers the responder's endpoint (endpoint.ts), adds its secret to those the webhook
 * server accepts, and keeps id and secret in the state file for the next run.
 */
async function keepEndpoint(
  config: ResponderConfig,
  register: NonNullable<ResponderConfig["webhook"]["register"]>,
  api: HubApi,
  url: string,
  secrets: string[],
  log: (entry: LogEntry) => void,
): Promise<string> {
  const read = config.stateFile ? await readState(config.stateFile) : { state: undefined };
  if ("problem" in read && read.problem) log({ level: "warn", msg: "state file ignored; the endpoint's secret will be rotated", reason: read.problem });
  const own = await ensureOwnEndpoint(
    api,
    { url, eventTypes: [...ACTIONABLE] as EventType[], ...(register.description && { description: register.description }) },
    read.state?.endpoint,
  );
  secrets.push(own.secret);
  if (config.stateFile) await writeState(config.stateFile, { version: 1, endpoint: { id: own.endpointId, url, secret: own.secret } });
  log({ level: "info", msg: "webhook endpoint ready", endpointId: own.endpointId, url, actions: own.actions });
  return own.endpointId;
}
