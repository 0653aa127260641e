/**
 * What the deadline sweeper does to an open hop, and when it next needs to look at it. Pure:
 * the sweeper reads hops through an index ordered by `nextSweepAt` and applies `sweepAction`.
 *
 * An open hop goes through: reminders (each once, in order) -> overdue at the due time ->
 * escalated at `escalateAt` (the traceback ends as non_responsive_provider). A deferred hop
 * (weekly cap) opens at `deferredUntil`. The hop stays answerable throughout: a late answer is
 * recorded as late.
 */
import type { Hop } from "../traceback.js";

export type SweepAction = { kind: "remind"; index: number } | { kind: "overdue" } | { kind: "escalate" } | { kind: "open_deferred" };

export function nextSweepAt(hop: Hop): string | undefined {
  if (hop.status === "deferred") return hop.deferredUntil;
  if (hop.status !== "open" || !hop.deadline || hop.escalatedAt) return undefined;
  const reminders = hop.deadline.reminders ?? [];
  const sent = hop.remindersSent ?? 0;
  if (!hop.overdueAt && sent < reminders.length) return reminders[sent];
  if (!hop.overdueAt) return hop.deadline.dueAt;
  return hop.deadline.escalateAt;
}

export function sweepAction(hop: Hop, now: Date): SweepAction | undefined {
  const at = nextSweepAt(hop);
  if (!at || Date.parse(at) > now.getTime()) return undefined;
  if (hop.status === "deferred") return { kind: "open_deferred" };
  const reminders = hop.deadline?.reminders ?? [];
  const sent = hop.remindersSent ?? 0;
  if (!hop.overdueAt && sent < reminders.length) {
    // Reminders whose time has passed together with the due time are skipped: overdue says more.
    return Date.parse(hop.deadline!.dueAt) <= now.getTime() ? { kind: "overdue" } : { kind: "remind", index: sent };
  }
  if (!hop.overdueAt) return { kind: "overdue" };
  return { kind: "escalate" };
}

export function applySweep(hop: Hop, action: SweepAction, now: Date): Hop {
  const at = now.toISOString();
  switch (action.kind) {
    case "remind":
      return { ...hop, remindersSent: action.index + 1 };
    case "overdue":
      return { ...hop, overdueAt: at, remindersSent: hop.deadline?.reminders?.length ?? 0 };
    case "escalate":
      return { ...hop, escalatedAt: at };
    case "open_deferred":
      return hop;
  }
}
