/** The deadline policies a deployment offers, by name, from its configuration. */
import { DEADLINE_POLICY_NAMES, isDeadlinePolicyName, type DeadlinePolicyName } from "../domain/deadlines/names.js";
import { capDecision, computeDeadline, defaultPolicy, reminderTimes, weekWindow, type DeadlinePolicy } from "../domain/deadlines/policy.js";
import type { DeadlinePolicies } from "../usecases/ports.js";
import type { Config } from "./config.js";

export function deadlinePolicies(
  config: Pick<Config, "FIXED_DEADLINE_SECONDS"> & Partial<Pick<Config, "REMINDER_SECONDS_BEFORE_DUE" | "OVERDUE_GRACE_SECONDS" | "WEEKLY_CAP_PER_PROVIDER">>,
): DeadlinePolicies & { policy(name: string): DeadlinePolicy } {
  // Built on first use: a calendar's time zone is checked by building its Intl formatter, which
  // loads the zone data (tens of ms), and most functions never compute a deadline.
  const builders: Record<DeadlinePolicyName, () => DeadlinePolicy> = {
    "us-24h": () => defaultPolicy("us-24h"),
    "ca-2bd": () => defaultPolicy("ca-2bd", config.WEEKLY_CAP_PER_PROVIDER ? { weeklyCapPerProvider: config.WEEKLY_CAP_PER_PROVIDER } : {}),
    fixed: () => defaultPolicy("fixed", { durationSeconds: config.FIXED_DEADLINE_SECONDS }),
  };
  const built = new Map<string, DeadlinePolicy>();
  const policy = (name: string): DeadlinePolicy => {
    const build = isDeadlinePolicyName(name) ? builders[name] : undefined;
    if (!build) throw new Error(`unknown deadline policy ${name}; known: ${DEADLINE_POLICY_NAMES.join(", ")}`);
    let found = built.get(name);
    if (!found) built.set(name, (found = build()));
    return found;
  };
  const forName = (name: string) => {
    const p = policy(name);
    return (receivedAt: Date) => {
      const d = computeDeadline(p, receivedAt);
      return {
        clockStartsAt: d.clockStartsAt.toISOString(),
        dueAt: d.dueAt.toISOString(),
        reminders: reminderTimes(d.clockStartsAt, d.dueAt, config.REMINDER_SECONDS_BEFORE_DUE ?? []).map((r) => r.toISOString()),
        escalateAt: new Date(d.dueAt.getTime() + (config.OVERDUE_GRACE_SECONDS ?? 86_400) * 1000).toISOString(),
      };
    };
  };
  const weeklyCap = (name: string, at: Date) => {
    const p = policy(name);
    if (p.kind !== "ca-2bd") return undefined;
    const week = weekWindow(at, p.calendar);
    const full = capDecision(p, p.weeklyCapPerProvider, at);
    return {
      cap: p.weeklyCapPerProvider,
      weekStart: week.start.toISOString(),
      weekEnd: week.end.toISOString(),
      fullReason: full.allowed ? "" : full.reason,
    };
  };
  return Object.assign(forName, { policy, weeklyCap });
}
