/** The WebhookSender port over the HTTP sender, with the deployment's destination policy bound. */
import { checkDestination, type DestinationPolicy, type Resolver } from "../net/ssrf.js";
import type { DestinationGuard, WebhookSender } from "../../usecases/webhook-ports.js";
import { sendWebhook } from "./http-sender.js";

export function webhookSender(policy: DestinationPolicy, timeoutMs = 10_000): WebhookSender {
  return (req) => sendWebhook({ ...req, policy, timeoutMs });
}

export function destinationGuard(policy: DestinationPolicy, resolve?: Resolver): DestinationGuard {
  return async (url) => {
    const result = await checkDestination(url, policy, resolve);
    return result.ok ? { ok: true } : { ok: false, code: result.code, detail: result.detail };
  };
}
