/**
 * The names of the deadline policies (policy.ts), apart from their rules so that the settings
 * and the contract can list them without loading the calendars.
 */
export const DEADLINE_POLICY_NAMES = ["us-24h", "ca-2bd", "fixed"] as const;
export type DeadlinePolicyName = (typeof DEADLINE_POLICY_NAMES)[number];

export const isDeadlinePolicyName = (name: string): name is DeadlinePolicyName => (DEADLINE_POLICY_NAMES as readonly string[]).includes(name);
