/**
 * The responder's own webhook endpoint at the hub, kept to one across restarts. An endpoint the
 * hub cannot reach is retried for hours and then paused, so every run that registered a new one
 * and went away would leave the hub retrying a dead URL. Instead the responder looks for its
 * endpoint among the account's, by URL: it reuses it (re-enabling it when the hub paused or
 * disabled it), disables the duplicates earlier runs left at the same URL or at the URL the state
 * file last named, and registers a new endpoint only when there is none. An endpoint at its URL
 * whose webhooks do not carry the hop request (registered by an earlier version) is one of those
 * duplicates: the new one carries it.
 */
import type { HubApi, WebhookEndpoint } from "./hub-api.js";
import type { ResponderState } from "./state.js";

export interface OwnEndpoint {
  endpointId: string;
  secret: string;
  /** What was done at the hub, for the log. */
  actions: string[];
}

type EventType = WebhookEndpoint["eventTypes"][number];

const serves = (e: WebhookEndpoint, types: readonly EventType[]) => types.every((t) => e.eventTypes.includes(t));

export async function ensureOwnEndpoint(
  api: HubApi,
  want: { url: string; eventTypes: readonly EventType[]; description?: string },
  remembered: ResponderState["endpoint"] | undefined,
): Promise<OwnEndpoint> {
  const all = await api.listEndpoints();
  const atUrl = all.filter((e) => e.url === want.url && serves(e, want.eventTypes)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  // Only an endpoint whose webhooks carry the hop request is kept: with any other, each answer costs a read first.
  const carrying = atUrl.filter((e) => e.includeHopRequest === true);
  const keep = carrying.find((e) => e.id === remembered?.id) ?? carrying[0];
  const actions: string[] = [];

  let endpointId: string;
  let secret: string;
  if (!keep) {
    ({ endpointId, secret } = await api.registerEndpoint(want.url, want.eventTypes, want.description));
    actions.push(`registered ${endpointId}`);
  } else {
    endpointId = keep.id;
    if (remembered?.id === keep.id) {
      secret = remembered.secret;
      actions.push(`reused ${endpointId} with the secret kept from the last run`);
    } else {
      secret = await api.rotateEndpointSecret(keep.id);
      actions.push(`reused ${endpointId} with a rotated secret`);
    }
    if (keep.status !== "active") {
      await api.setEndpointEnabled(keep.id, true);
      actions.push(`re-enabled ${endpointId} (it was ${keep.status}${keep.statusReason ? `: ${keep.statusReason}` : ""})`);
    }
  }

  // Left by earlier runs: more endpoints at this URL, or the one the last run used at another URL.
  const orphans = all.filter((e) => e.id !== endpointId && e.status !== "disabled" && (atUrl.includes(e) || e.id === remembered?.id));
  for (const orphan of orphans) {
    await api.setEndpointEnabled(orphan.id, false);
    actions.push(`disabled ${orphan.id} at ${orphan.url}, left by an earlier run`);
  }
  return { endpointId, secret, actions };
}
