/**
 * E-mail for providers without an integration: a hop request, its reminders and its overdue
 * notice go by e-mail to a provider when no active webhook endpoint of its own takes them. The
 * e-mail is a delivery like a webhook's, on a channel of its own per account, so it is retried
 * and its attempts are listed the same way.
 */
import type { Account, SigningKeyRecord } from "./account.js";
import type { EventType, HubEvent } from "./events.js";
import { hopRequestMail, type HopMailKind, type MailContent } from "./mail.js";

const MAILED: Partial<Record<EventType, HopMailKind>> = {
  "hop_request.created": "created",
  "hop_request.reminder": "reminder",
  "hop_request.overdue": "overdue",
};

const CHANNEL_PREFIX = "mail_";

/** The delivery "endpoint" of an account's e-mail. */
export const mailChannelOf = (accountId: string) => `${CHANNEL_PREFIX}${accountId}`;
export const isMailChannel = (endpointId: string) => endpointId.startsWith(CHANNEL_PREFIX);

/** Whether the event is of a type that can go by e-mail at all (before reading its recipient). */
export const mayBeMailed = (event: HubEvent) => MAILED[event.type] !== undefined;

/** Whether the event goes by e-mail, given how many active endpoints of its recipient take it. */
export function mailedInstead(event: HubEvent, recipient: Pick<Account, "kind"> | undefined, receivingEndpoints: number): boolean {
  return MAILED[event.type] !== undefined && recipient?.kind === "provider" && receivingEndpoints === 0;
}

/** The provider's staff and admin persons with an active key; its traceback contact when it has none. */
export function mailRecipients(account: Pick<Account, "contact">, keys: SigningKeyRecord[]): string[] {
  const persons = keys
    .filter((k) => k.status === "active" && (k.person?.role === "staff" || k.person?.role === "admin"))
    .map((k) => k.person!.email.toLowerCase());
  if (persons.length > 0) return [...new Set(persons)].sort();
  return account.contact ? [account.contact.email] : [];
}

export const consoleHopUrl = (publicUrl: string, hopId: string) => `${publicUrl.replace(/\/$/, "")}/console/hops/${encodeURIComponent(hopId)}`;

/** What the e-mail of this event says to this provider. */
export function noticeOf(event: HubEvent, provider: Pick<Account, "name">, publicUrl: string): MailContent | undefined {
  const kind = MAILED[event.type];
  const hopId = event.data.hopId;
  if (!kind || !hopId) return undefined;
  return hopRequestMail({
    kind,
    providerName: provider.name,
    hopId,
    ...(event.data.dueAt && { dueAt: event.data.dueAt }),
    url: consoleHopUrl(publicUrl, hopId),
  });
}
