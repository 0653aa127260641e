/**
 * What the hub's e-mails say: plain text and a simple HTML part with the same content. They carry
 * only what their recipient may see (their own invitation; that a hop request addressed to their
 * organisation is waiting, and when it is due) and a link into the console, never the call.
 */
import type { PersonRole } from "./account.js";

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const ROLE_NAMES: Record<PersonRole, string> = {
  analyst: "analyst",
  initiator: "initiator staff",
  staff: "provider staff",
  admin: "administrator",
};

export function invitationMail(m: { name: string; accountName: string; role: PersonRole; url: string; expiresAt: string }): MailContent {
  const lines = [
    `Hello ${m.name},`,
    "",
    `you are invited to Hoptrace as ${ROLE_NAMES[m.role]} of ${m.accountName}.`,
    "Open this link in the browser you will work in; it makes your signing key there and registers it:",
    "",
    m.url,
    "",
    `The link can be used once, until ${m.expiresAt}. If you did not expect this invitation, ignore this message.`,
  ];
  return { subject: `Your Hoptrace invitation for ${m.accountName}`, text: lines.join("\n"), html: htmlOf(lines, m.url) };
}

export type HopMailKind = "created" | "reminder" | "overdue";

const HOP_SUBJECTS: Record<HopMailKind, string> = {
  created: "A traceback hop request is addressed to",
  reminder: "Reminder: a traceback hop request is still open for",
  overdue: "Overdue: a traceback hop request is past its due time for",
};

export function hopRequestMail(m: { kind: HopMailKind; providerName: string; hopId: string; dueAt?: string; url: string }): MailContent {
  const due = m.dueAt
    ? m.kind === "overdue"
      ? `It was due at ${m.dueAt}; a late answer is still recorded.`
      : `Please answer by ${m.dueAt}.`
    : "Please answer it.";
  const lines = [
    `Hop request ${m.hopId} asks ${m.providerName} which provider handed it a call.`,
    due,
    "",
    "Read and answer it in the Hoptrace console:",
    "",
    m.url,
    "",
    "You receive this e-mail because your organisation has no active webhook endpoint for hop requests.",
  ];
  return { subject: `${HOP_SUBJECTS[m.kind]} ${m.providerName}`, text: lines.join("\n"), html: htmlOf(lines, m.url) };
}

/** The text's paragraphs as HTML, the link a link; everything escaped. */
function htmlOf(lines: string[], url: string): string {
  const paragraphs = lines
    .join("\n")
    .split("\n\n")
    .map((p) => (p === url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`));
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">${paragraphs.join("")}</body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}
