/**
 * The kill -9 harness: a real `npm start` (see hub-process.ts) under a stream of signed traceback
 * creations and answers from several clients, killed with SIGKILL at random instants (right
 * after it answered 200/201, at a random moment of its life, or while it is still starting) and
 * started again on the same data folder. Clients retry what a kill cut off as real clients would
 * (same Idempotency-Key, a fresh signature). When the kills are done the hub is left to settle,
 * and check.ts judges what it stored and what the webhook receiver got.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hopIdOf } from "../../functions/domain/ids.js";
import { buildHub } from "../../functions/local/build.js";
import { signingKeyFromJwk } from "../../openapi/client/signing.js";
import { apiFor, CALL, EVIDENCE, providerRegistration, registerAccount, type Api, type ApiResponse, type Party } from "../support/hub.js";
import { startReceiver } from "../support/receiver.js";
import { holds, judge, type Acknowledged, type FeedEvent, type Findings, type StoredChain, type Webhook } from "./check.js";
import { freePort, HubProcess } from "./hub-process.js";

export interface ChaosOptions {
  kills: number;
  /** Stop killing after this long even if fewer kills were made (the bounded run in the suite). */
  maxKillingMs?: number;
  /** How long the hub may take to settle after the last kill. */
  settleMs?: number;
  clients?: number;
  providers?: number;
  /** The share of lives killed while the hub is still starting (default 0.15); the rest are killed serving. */
  startUpShare?: number;
  seed?: number;
  /**
   * Kill moments drawn at random (default), or taken in turn (after a 2xx, a random moment, during
   * start-up, ...) so that a short run meets every one of them.
   */
  moments?: "random" | "in turn";
  keepData?: boolean;
  progress?: (line: string) => void;
  /** The hub's bundle to run; built from the source first when not given (`npm run chaos`). */
  hubEntry?: string;
}

/** The instants a life is ended at, in the order "in turn" takes them. */
export const KILL_MOMENTS = ["after a 2xx", "random moment", "during start-up"] as const;
export type KillMoment = (typeof KILL_MOMENTS)[number];

export interface ChaosReport {
  seed: number;
  dataDir: string;
  wallMs: number;
  kills: Record<KillMoment, number> & { total: number };
  starts: number;
  /** Mean time from spawn to serving, and mean life from spawn to the kill, over the killed lives. */
  meanStartMs: number;
  meanLifeMs: number;
  /** From the last kill until everything checked out (or the settle time ran out). */
  settleMs: number;
  /** Starts that ended by themselves, without a kill: a hub that cannot start on its own data. */
  selfExits: number;
  creationsAcknowledged: number;
  answersAccepted: number;
  webhooksReceived: number;
  /** Responses of 500 or more other than the 503 of a hub still starting. */
  serverErrors: string[];
  /** Requests that ended in a refusal although they were valid (e.g. a retried answer refused). */
  refusals: string[];
  findings: Findings;
  ok: boolean;
}

/** Hub settings for the run: short leases and graces, so what a kill interrupted comes back in seconds. */
const HUB_ENV = {
  LOG_LEVEL: "WARN",
  RATE_LIMIT_PER_SECOND: "100000",
  RATE_LIMIT_BURST: "100000",
  OUTBOX_GRACE_SECONDS: "1",
  IDEMPOTENCY_LEASE_SECONDS: "2",
  DELIVERY_LEASE_SECONDS: "2",
  DELIVERY_RECOVERY_GRACE_SECONDS: "1",
  WEBHOOK_TIMEOUT_MS: "2000",
};
const PATIENCE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));

/** A small seeded generator, so a run's choices can be replayed with `--seed`. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const progress = opts.progress ?? (() => undefined);
  const dataDir = await mkdtemp(join(tmpdir(), "hoptrace-chaos-"));
  const entry = opts.hubEntry ?? (await buildHub());
  const receiver = await startReceiver();
  const receiverBase = receiver.url.replace(/\/hooks$/, "");
  const hub = new HubProcess(entry, { dataDir, port: await freePort(), env: HUB_ENV, logFile: join(dataDir, "hub.log") });
  const kills: ChaosReport["kills"] = { total: 0, "after a 2xx": 0, "random moment": 0, "during start-up": 0 };
  const serverErrors: string[] = [];
  const refusals: string[] = [];
  const told: Acknowledged = { creations: [], answers: [] };
  let selfExits = 0;
  const startMs: number[] = [];
  const lifeMs: number[] = [];
  /** Armed by a life that ends right after its n-th successful write. */
  let killAfterWrites: { left: number; kill: () => void } | undefined;

  /** One request, retried across kills until the hub gives a real answer. */
  async function call(api: Api, path: string, body?: unknown, o: { idempotencyKey?: string; retryNotFound?: boolean } = {}): Promise<ApiResponse> {
    const deadline = Date.now() + PATIENCE_MS;
    const idempotencyKey = o.idempotencyKey ?? randomUUID();
    for (;;) {
      try {
        const res = body === undefined ? await api.get(path) : await api.post(path, body, { idempotencyKey });
        if (res.status < 300) {
          if (body !== undefined && killAfterWrites && --killAfterWrites.left === 0) killAfterWrites.kill();
          return res;
        }
        const starting = res.status === 503 && res.text === "starting";
        if (res.status >= 500 && !starting) serverErrors.push(`${res.status} ${path}: ${res.text.slice(0, 200)}`);
        const retry = res.status >= 500 || (res.status === 409 && res.body?.code === "request_in_flight") || (res.status === 404 && o.retryNotFound);
        if (!retry || Date.now() > deadline) return res;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${path}: no answer from the hub in ${PATIENCE_MS} ms`, { cause: err });
      }
      await sleep(30);
    }
  }

  /** Waits until the hub serves (as the consortium, once there is one); false if it died first. */
  async function ready(consortium?: Api): Promise<boolean> {
    const deadline = Date.now() + 30_000;
    while (hub.running) {
      try {
        const res = consortium ? await consortium.get("/v1/providers?limit=1") : await fetch(`${hub.url}/openapi.json`);
        if (res.status === 200) return true;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`the hub did not become ready in 30 s; see ${join(dataDir, "hub.log")}`);
      await sleep(20);
    }
    return false;
  }

  // Setup, without kills: the consortium key the hub writes on its first start, accounts, endpoints.
  void hub.start();
  await ready();
  const consortium = apiFor(hub.url, await consortiumKeyOf(dataDir));
  await ready(consortium);
  const providers: Party[] = [];
  for (let i = 0; i < (opts.providers ?? 6); i++) {
    const p = await registerAccount(hub.url, consortium, "providers", providerRegistration(`Chaos Carrier ${i + 1}`));
    const ep = await p.api.post("/v1/webhook-endpoints", { url: `${receiverBase}/hooks/${p.id}`, eventTypes: ["hop_request.created"] });
    if (ep.status !== 201) throw new Error(`endpoint registration failed: ${ep.status} ${ep.text}`);
    providers.push(p);
  }
  progress(`seed ${seed}, data in ${dataDir}, hub on ${hub.url}`);

  let stopping = false;
  let logical = 0;
  async function chain(): Promise<void> {
    const name = `chaos-${++logical}`;
    const path = [...providers].sort(() => random() - 0.5).slice(0, between(1, Math.min(4, providers.length)));
    const created = await call(consortium, "/v1/tracebacks", { ...CALL, terminatingProviderId: path[0]!.id, notes: name });
    if (created.status !== 201) return void refusals.push(`create ${name}: ${created.status} ${created.text.slice(0, 200)}`);
    const tracebackId: string = created.body.traceback.id;
    told.creations.push({ logical: name, tracebackId });
    for (let seq = 1; seq <= path.length; seq++) {
      const named = path[seq]?.id;
      const answer = named
        ? { type: "upstream_identified", upstream: { providerId: named }, evidence: EVIDENCE }
        : { type: "originator_identified", customer: { name: "Chaos Dialer LLC" }, actionTaken: "suspended", evidence: EVIDENCE };
      const hopId = hopIdOf(tracebackId, seq);
      const res = await call(path[seq - 1]!.api, `/v1/hop-requests/${hopId}/answer`, answer, { idempotencyKey: `answer-${hopId}`, retryNotFound: true });
      if (res.status !== 200) return void refusals.push(`answer ${hopId}: ${res.status} ${res.text.slice(0, 200)}`);
      told.answers.push({ tracebackId, seq, ...(named && { named }) });
    }
  }
  const clients = Array.from({ length: opts.clients ?? 4 }, async () => {
    while (!stopping) await chain();
  });

  const nextMoment = (): KillMoment => {
    if (opts.moments === "in turn") return KILL_MOMENTS[kills.total % KILL_MOMENTS.length]!;
    const r = random();
    const serving = 1 - (opts.startUpShare ?? 0.15);
    return r < serving * 0.6 ? "after a 2xx" : r < serving ? "random moment" : "during start-up";
  };

  /** One life of the hub, ended by a kill at an instant of its own; false if it ended by itself. */
  async function life(): Promise<boolean> {
    const spawned = Date.now();
    const ended = hub.start();
    const moment = nextMoment();
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (killed) return;
      killed = true;
      killAfterWrites = undefined;
      clearTimeout(timer);
      void hub.kill();
    };
    // Anywhere in a start as long as the ones seen so far: loading, opening the table, refilling the queue.
    if (moment === "during start-up") timer = setTimeout(kill, between(0, Math.max(500, mean(startMs))));
    else {
      void ready(consortium).then((up) => {
        if (!up || killed) return;
        startMs.push(Date.now() - spawned);
        if (moment === "after a 2xx") killAfterWrites = { left: between(1, 4), kill };
        // A life that no write ends ends at a random moment anyway.
        timer = setTimeout(kill, moment === "after a 2xx" ? 2000 : between(20, 800));
      }, kill);
    }
    await ended;
    if (!killed) return false;
    lifeMs.push(Date.now() - spawned);
    kills.total++;
    kills[moment]++;
    return true;
  }

  const maxKillingMs = opts.maxKillingMs ?? Number.POSITIVE_INFINITY;
  const killing = async () => {
    await hub.kill();
    while (kills.total < opts.kills && Date.now() - started < maxKillingMs) {
      if (!(await life()) && ++selfExits > 3) throw new Error(`the hub keeps ending by itself; see ${join(dataDir, "hub.log")}`);
      else if (kills.total % 5 === 0 || kills.total === opts.kills) {
        progress(
          `kill ${kills.total}/${opts.kills}; tracebacks ${told.creations.length}, answers ${told.answers.length}, webhooks ${receiver.received.length}`,
        );
      }
    }
  };
  let report: ChaosReport | undefined;
  try {
    await killing();
    // The last life runs to the end: the clients finish their chains, then the hub settles.
    void hub.start();
    await ready(consortium);
    stopping = true;
    await Promise.all(clients);
    progress(`kills done (${kills.total}); settling`);
    const settleFrom = Date.now();
    const settleUntil = settleFrom + (opts.settleMs ?? 20_000);
    let findings: Findings;
    for (;;) {
      findings = judge(...(await storedState(call, consortium, providers)), webhooksOf(receiver.received), told);
      if (holds(findings) || Date.now() > settleUntil) break;
      await sleep(500);
    }
    report = {
      seed,
      dataDir,
      wallMs: Date.now() - started,
      kills,
      starts: hub.starts,
      meanStartMs: mean(startMs),
      meanLifeMs: mean(lifeMs),
      settleMs: Date.now() - settleFrom,
      selfExits,
      creationsAcknowledged: told.creations.length,
      answersAccepted: told.answers.length,
      webhooksReceived: receiver.received.length,
      serverErrors,
      refusals,
      findings,
      ok: holds(findings) && serverErrors.length === 0 && refusals.length === 0 && selfExits === 0,
    };
    return report;
  } finally {
    stopping = true;
    await hub.kill();
    await Promise.allSettled(clients);
    await receiver.close();
    // A failed run keeps its data folder and hub.log for a look.
    if (!opts.keepData && report?.ok) await rm(dataDir, { recursive: true, force: true });
  }
}

async function consortiumKeyOf(dataDir: string) {
  for (let i = 0; ; i++) {
    try {
      return await signingKeyFromJwk(JSON.parse(await readFile(join(dataDir, "consortium.private.jwk.json"), "utf8")));
    } catch (err) {
      if (i > 200) throw err;
      await sleep(20);
    }
  }
}

type Caller = (api: Api, path: string) => Promise<ApiResponse>;

/** Every traceback with its chain, and every provider's event feed, as the hub serves them. */
async function storedState(call: Caller, consortium: Api, providers: Party[]): Promise<[StoredChain[], Map<string, FeedEvent[]>]> {
  const tracebacks = await everything<{ id: string }>(call, consortium, "/v1/tracebacks?");
  const chains: StoredChain[] = [];
  for (let i = 0; i < tracebacks.length; i += 8) {
    const batch = await Promise.all(tracebacks.slice(i, i + 8).map((t) => call(consortium, `/v1/tracebacks/${t.id}`)));
    chains.push(...batch.map((res) => res.body as StoredChain));
  }
  const feeds = new Map<string, FeedEvent[]>();
  for (const p of providers) feeds.set(p.id, await everything<FeedEvent>(call, p.api, "/v1/events?"));
  return [chains, feeds];
}

async function everything<T>(call: Caller, api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const res = await call(api, `${path}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

function webhooksOf(received: Array<{ url: string; headers: Record<string, string | string[] | undefined>; body: string }>): Webhook[] {
  return received.map((r) => {
    const payload = JSON.parse(r.body);
    return { path: r.url, webhookId: String(r.headers["webhook-id"]), type: payload.type, hopId: payload.data?.hopId, recipient: payload.recipientId };
  });
}
