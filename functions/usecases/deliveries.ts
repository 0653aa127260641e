/**
 * The delivery worker's logic. An event fans out to the recipient's endpoints with the first
 * attempt made at once (in parallel, so a dead endpoint delays nobody else) and its delivery
 * written once, with the attempt's result: until then the event's own fan-out marker, the queue's
 * redelivery and the reconciler stand for it, and a repeat sends under the same `webhook-id`.
 * Failed attempts come back as delayed queue messages; the reconciler re-enqueues any retry whose
 * message was lost. Every later attempt number is claimed by a conditional write before the
 * request is sent.
 */
import type { HubEvent } from "../domain/events.js";
import type { AttemptRecord, Delivery } from "../domain/webhooks/delivery.js";
import { afterAttempt, type AttemptResult } from "../domain/webhooks/delivery.js";
import { isMailChannel, mailChannelOf, mailedInstead, mailRecipients, mayBeMailed, noticeOf } from "../domain/mail-notices.js";
import { activeSecrets, carriesHopRequest, receives, recordResult, type Endpoint } from "../domain/webhooks/endpoint.js";
import { hopRequestView, type HopRequestView } from "../domain/access.js";
import { parseHopId } from "../domain/ids.js";
import { sqsDelayFor } from "../domain/webhooks/retry-schedule.js";
import { ConflictError } from "../domain/errors.js";
import type { DeliveryMessage } from "./delivery-messages.js";
import { MailSendError } from "./people-ports.js";
import type { WebhookDeps } from "./webhook-ports.js";
import { webhookRequest } from "./webhook-request.js";

/**
 * `redelivered`: the queue delivered this message before (its first receipt may still be at
 * work, when it outlived its visibility timeout).
 */
export async function handleDeliveryMessage(deps: WebhookDeps, message: DeliveryMessage, opts: { redelivered?: boolean } = {}): Promise<void> {
  if (message.kind === "event") return fanOut(deps, message.event, opts.redelivered ? "redelivered" : message.recovered ? "recovered" : "first");
  return attempt(deps, message);
}

/**
 * Makes the event's first attempts and writes their deliveries, then clears its fan-out marker:
 * from there on each delivery's own state carries its retries. A kill before a delivery is
 * written leaves the marker (and the message), and the queue's redelivery or the reconciler's
 * repeat hands the deliveries not written over to the slow lane.
 *
 * A healthy endpoint's first attempt goes out right here. An endpoint whose last attempt failed
 * (it may time out after 10 s) gets its first attempt through the slow lane instead, due now, so
 * that it holds up no other endpoint's webhook in this batch or behind it.
 */
async function fanOut(deps: WebhookDeps, event: HubEvent, copy: "first" | "recovered" | "redelivered"): Promise<void> {
  const all = await deps.webhooks.allEndpointsOf(event.recipientId);
  const endpoints = all.filter((e) => e.status === "active" && receives(e, event));
  // A provider no active endpoint of which takes the event gets it by e-mail instead.
  const mailed = endpoints.length === 0 && mayBeMailed(event) && mailedInstead(event, await deps.accounts.getAccount(event.recipientId), 0);
  const targets: Array<{ channel: string; endpoint?: Endpoint }> = [
    ...endpoints.map((endpoint) => ({ channel: endpoint.id, endpoint })),
    ...(mailed ? [{ channel: mailChannelOf(event.recipientId) }] : []),
  ];
  if (copy !== "first") return handOver(deps, event, targets, copy === "redelivered");
  const now = deps.clock.now();
  const hopRequest = hopRequestReader(deps, event);
  const slow = targets.filter((t) => t.endpoint && failing(t.endpoint));
  const outcomes = await Promise.allSettled([
    slow.length > 0 &&
      toSlowLane(
        deps,
        event,
        slow.map((t) => dueInSlowLane(event, t.channel, now, now)),
      ),
    ...targets
      .filter((t) => !slow.includes(t))
      .map(({ channel, endpoint }) => {
        // Never written as such: the first attempt's delivery is written once, with its result.
        const first: Delivery = { ...newDelivery(event, channel, now), status: "sending", attemptCount: 1 };
        return endpoint ? send(deps, first, endpoint, event, true, hopRequest) : sendMail(deps, first, event, true);
      }),
  ]);
  // The others are written before the message fails: its redelivery then skips them.
  const failure = outcomes.find((o) => o.status === "rejected");
  if (failure) throw failure.reason;
  await deps.webhooks.markFannedOut(event);
}

/**
 * A repeated fan-out. Each delivery not written yet is written here, due in the slow lane: at
 * once when the first copy is over (the reconciler waits until it must be, a restart leaves
 * nothing running), else once its attempt would have ended (a redelivery, whose first copy may
 * still be at work). A first copy still alive then writes its result over it (and that queued
 * attempt finds it taken), else the slow lane makes the attempt.
 */
async function handOver(deps: WebhookDeps, event: HubEvent, targets: Array<{ channel: string }>, firstMayRun: boolean): Promise<void> {
  const found = await Promise.all(targets.map((t) => deps.webhooks.getDelivery(event.id, t.channel)));
  const now = deps.clock.now();
  const due = new Date(now.getTime() + (firstMayRun ? attemptSpanMs(deps) : 0));
  await toSlowLane(
    deps,
    event,
    targets.filter((_, i) => !found[i]).map((t) => dueInSlowLane(event, t.channel, now, due)),
  );
  await deps.webhooks.markFannedOut(event);
}

/**
 * How long a first attempt can take on the hub's clock: the webhook timeout (real time, however
 * fast the clock runs) with room for its writes and an e-mail's sending.
 */
export function attemptSpanMs(deps: Pick<WebhookDeps, "clock" | "webhookSettings">): number {
  const realPerClockMs = deps.clock.realDelayMs(1000) / 1000;
  return realPerClockMs > 0 ? (deps.webhookSettings.attemptTimeoutMs + ATTEMPT_WRITES_MS) / realPerClockMs : 0;
}

const ATTEMPT_WRITES_MS = 2000;

/** Writes deliveries due in the slow lane (an endpoint whose last attempt failed, a handed-over one) and queues their first attempt. */
async function toSlowLane(deps: WebhookDeps, event: HubEvent, deliveries: Delivery[]): Promise<void> {
  // A duplicate of the event message finds the delivery there: its own message path owns it.
  const created = await Promise.all(deliveries.map((d) => deps.webhooks.createDelivery(d)));
  const fresh = deliveries.filter((_, i) => created[i]);
  if (fresh.length === 0) return;
  const now = deps.clock.now().getTime();
  await deps.queue.send(
    fresh.map((d) => {
      const notBefore = Math.max(0, Date.parse(d.nextAttemptAt!));
      return {
        message: { kind: "attempt", eventId: event.id, endpointId: d.endpointId, attempt: 1, notBefore, event },
        delaySeconds: realDelaySeconds(deps, notBefore - now),
        lane: "slow",
      };
    }),
  );
}

function newDelivery(event: HubEvent, channel: string, now: Date) {
  return {
    eventId: event.id,
    endpointId: channel,
    accountId: event.recipientId,
    eventType: event.type,
    attempts: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** A delivery whose first attempt is the slow lane's, from `due` on. */
function dueInSlowLane(event: HubEvent, channel: string, now: Date, due: Date): Delivery {
  return { ...newDelivery(event, channel, now), status: "retrying", attemptCount: 0, nextAttemptAt: due.toISOString() };
}

/** Whether an endpoint's last attempt failed: its attempts then travel in the slow lane. */
const failing = (e: Endpoint) => e.consecutiveFailures > 0;

async function attempt(deps: WebhookDeps, m: Extract<DeliveryMessage, { kind: "attempt" }>): Promise<void> {
  const now = deps.clock.now();
  if (now.getTime() < m.notBefore) {
    // SQS delays at most 15 minutes: a longer wait travels as several delayed hops, in the lane
    // of a retry (only retries wait that long).
    await deps.queue.send([{ message: m, delaySeconds: Math.max(1, realDelaySeconds(deps, m.notBefore - now.getTime())), lane: "slow" }]);
    return;
  }
  const d = await deps.webhooks.getDelivery(m.eventId, m.endpointId);
  if (!d) return;
  const claimable =
    (d.status === "retrying" && d.attemptCount === m.attempt - 1) ||
    (d.status === "sending" && d.attemptCount === m.attempt && d.leaseUntil !== undefined && Date.parse(d.leaseUntil) < now.getTime());
  if (!claimable) return;
  const { nextAttemptAt: _n, ...rest } = d;
  const claimed: Delivery = { ...rest, status: "sending", attemptCount: m.attempt, leaseUntil: leaseUntil(deps, now), updatedAt: now.toISOString() };
  // The message carries its event; a retry the reconciler re-enqueued reads it.
  const eventOf = async () => (m.event?.id === m.eventId ? m.event : deps.webhooks.getEvent(m.eventId));
  // An expired claim keeps its status and number when taken over: its lease tells two takers apart.
  if (
    !(await deps.webhooks.replaceDelivery(claimed, {
      status: d.status,
      attemptCount: d.attemptCount,
      ...(d.leaseUntil !== undefined && { leaseUntil: d.leaseUntil }),
    }))
  )
    return;

  if (isMailChannel(m.endpointId)) {
    const event = await eventOf();
    return event ? sendMail(deps, claimed, event, false) : cancel(deps, claimed, now);
  }
  const [endpoint, event] = await Promise.all([deps.webhooks.getEndpoint(m.endpointId), eventOf()]);
  if (!endpoint || !event || endpoint.status !== "active") return cancel(deps, claimed, now);
  await send(deps, claimed, endpoint, event, false, hopRequestReader(deps, event));
}

/**
 * Reads the hop request an event is about once, for every endpoint of the fan-out that carries
 * it, and only if one does: one strongly consistent GetItem at delivery time, rather than the
 * view stored with the event (kept, queued and rewritten when its fan-out ends, each write billed
 * by the larger item). Read when sent, it is what `GET` returns then; a hop that is not the
 * recipient's, or is gone, is not carried.
 */
function hopRequestReader(deps: WebhookDeps, event: HubEvent): () => Promise<HopRequestView | undefined> {
  let read: Promise<HopRequestView | undefined> | undefined;
  const load = async () => {
    const ref = event.data.hopId === undefined ? undefined : parseHopId(event.data.hopId);
    const hop = ref && (await deps.tracebacks.getHop(ref.tracebackId, ref.seq, true))?.value;
    return hop && hop.providerId === event.recipientId ? hopRequestView(hop) : undefined;
  };
  return () => {
    read ??= load().catch((err: unknown) => {
      // The webhook still goes, as it would without the option: its receiver fetches the hop.
      deps.log.warn("hop request not read for its webhook", { eventId: event.id, error: String(err) });
      return undefined;
    });
    return read;
  };
}

async function cancel(deps: WebhookDeps, claimed: Delivery, now: Date): Promise<void> {
  const { leaseUntil: _l, ...base } = claimed;
  await deps.webhooks.replaceDelivery(
    { ...base, status: "cancelled", updatedAt: now.toISOString() },
    { status: "sending", attemptCount: claimed.attemptCount },
  );
}

/**
 * Sends an attempt (the first one, or one claimed), records its result on the delivery and the
 * endpoint, schedules a retry.
 */
async function send(
  deps: WebhookDeps,
  d: Delivery,
  endpoint: Endpoint,
  event: HubEvent,
  first: boolean,
  hopRequest: () => Promise<HopRequestView | undefined>,
): Promise<void> {
  const carried = carriesHopRequest(endpoint, event) ? await hopRequest() : undefined;
  const at = deps.clock.now();
  const request = webhookRequest(event, activeSecrets(endpoint, at), deps.hubKey, at, carried);
  const result = await deps.send({ url: endpoint.url, ...request });
  const done = await settle(deps, d, event, first, {
    outcome: result.outcome,
    latencyMs: result.latencyMs,
    ...(result.status !== undefined && { status: result.status }),
    ...(result.error !== undefined && { error: result.error }),
    ...(result.retryAfterSeconds !== undefined && { retryAfterSeconds: result.retryAfterSeconds }),
  });
  if (!done) return;
  // A success on an endpoint with no failures to forget changes nothing: skip the read.
  const outcome = result.outcome;
  if (outcome === "failed" || outcome === "gone" || (outcome === "delivered" && endpoint.consecutiveFailures > 0)) {
    await recordOnEndpoint(deps, endpoint.id, outcome, done);
  }
}

/**
 * Sends an attempt of an e-mail notice to the provider's persons (or its contact) and records it
 * like a webhook attempt; a refusal or an unreachable mail server is retried on the same
 * schedule. The Message-ID is the event's, so a repeat after a crash reads as one message.
 */
async function sendMail(deps: WebhookDeps, d: Delivery, event: HubEvent, first: boolean): Promise<void> {
  const [account, keys] = await Promise.all([deps.accounts.getAccount(d.accountId), deps.accounts.allKeysOf(d.accountId)]);
  const to = account ? mailRecipients(account, keys) : [];
  const content = account && noticeOf(event, account, deps.webhookSettings.publicUrl);
  if (!content || to.length === 0) {
    await settle(deps, d, event, first, { outcome: "refused", latencyMs: 0, error: "the account has no e-mail address to send to" });
    return;
  }
  const started = performance.now();
  let result: AttemptResult;
  try {
    await deps.mailer.send({ to, ...content, messageId: `<${d.eventId}.${d.endpointId}@hoptrace>` });
    result = { outcome: "delivered", latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (!(err instanceof MailSendError)) throw err;
    result = { outcome: "failed", latencyMs: Math.round(performance.now() - started), error: err.message };
  }
  await settle(deps, d, event, first, result);
}

/**
 * Records the attempt's result on its delivery and schedules the retry it calls for: a first
 * attempt creates the delivery with it, a later one replaces its claim. Undefined when another
 * worker got there first (its result is the one that decides; this attempt is only listed).
 */
async function settle(deps: WebhookDeps, d: Delivery, event: HubEvent, first: boolean, result: AttemptResult): Promise<Date | undefined> {
  const done = deps.clock.now();
  const next = afterAttempt(d, result, done, deps.random);
  const written = first ? await writeFirst(deps, next) : await deps.webhooks.replaceDelivery(next, { status: "sending", attemptCount: d.attemptCount });
  if (!written) {
    // A duplicate of the event message made the first attempt too: both are listed.
    if (first) await deps.webhooks.appendAttempt(d.eventId, d.endpointId, next.attempts.at(-1) as AttemptRecord);
    return undefined;
  }
  deps.log.info(isMailChannel(d.endpointId) ? "mail attempt" : "webhook attempt", {
    eventId: d.eventId,
    endpointId: d.endpointId,
    attempt: d.attemptCount,
    outcome: result.outcome,
    status: result.status,
    latencyMs: result.latencyMs,
  });
  if (next.status === "retrying" && next.nextAttemptAt) {
    const notBefore = Date.parse(next.nextAttemptAt);
    await deps.queue.send([
      {
        message: { kind: "attempt", eventId: d.eventId, endpointId: d.endpointId, attempt: d.attemptCount + 1, notBefore, event },
        delaySeconds: realDelaySeconds(deps, notBefore - done.getTime()),
        lane: "slow",
      },
    ]);
  }
  return done;
}

/**
 * Writes a first attempt's delivery with its result; over a repeated fan-out's hand-over too,
 * while the slow lane has not taken it (the attempt it queued then finds it done).
 */
async function writeFirst(deps: WebhookDeps, next: Delivery): Promise<boolean> {
  return (await deps.webhooks.createDelivery(next)) || deps.webhooks.replaceDelivery(next, { status: "retrying", attemptCount: 0 });
}

async function recordOnEndpoint(deps: WebhookDeps, endpointId: string, outcome: "delivered" | "failed" | "gone", now: Date): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const current = await deps.webhooks.getEndpoint(endpointId);
    if (!current || current.status !== "active") return;
    const { endpoint, change } = recordResult(current, outcome, now, deps.webhookSettings.pausePolicy);
    if (outcome === "delivered" && current.consecutiveFailures === 0) return;
    try {
      await deps.webhooks.putEndpoint(endpoint, { status: current.status, consecutiveFailures: current.consecutiveFailures });
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    if (change) {
      deps.log.warn("webhook endpoint " + change, { endpointId, accountId: endpoint.accountId });
      await deps.events.publish([
        {
          id: deps.ids.next("evt"),
          type: "endpoint.paused",
          createdAt: now.toISOString(),
          recipientId: endpoint.accountId,
          data: { endpointId, reason: endpoint.statusReason ?? change },
        },
      ]);
    }
    return;
  }
}

/**
 * Re-enqueues retries whose queue message is overdue (lost in a crash or a restart of the local
 * queue) and claims abandoned by a crashed worker. Duplicates are harmless: attempts are claimed.
 */
export async function recoverDeliveries(deps: WebhookDeps, limit = 100): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.webhookSettings.recoveryGraceSeconds * 1000).toISOString();
  const due = await deps.webhooks.dueDeliveries(before, limit);
  const messages = due.map((d) => ({
    message: {
      kind: "attempt" as const,
      eventId: d.eventId,
      endpointId: d.endpointId,
      attempt: d.status === "retrying" ? d.attemptCount + 1 : d.attemptCount,
      notBefore: 0,
    },
    lane: "slow" as const,
  }));
  if (messages.length > 0) await deps.queue.send(messages);
  return messages.length;
}

function leaseUntil(deps: WebhookDeps, now: Date): string {
  return new Date(now.getTime() + deps.webhookSettings.leaseSeconds * 1000).toISOString();
}

/** The SQS delay for a wait of `clockMs` on the hub's clock, in hops of at most 15 minutes. */
function realDelaySeconds(deps: WebhookDeps, clockMs: number): number {
  return sqsDelayFor(new Date(deps.clock.realDelayMs(clockMs)), new Date(0)).delaySeconds;
}
