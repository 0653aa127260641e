/**
 * Repeat offenders over a period. A customer is the same one when two answers share any of its
 * normalised keys (name, account reference at its provider, e-mail, phone); it is a repeat
 * offender when it stands behind several tracebacks or behind several providers. A provider is
 * one when it was the originator or the point of entry of at least N tracebacks, or of tracebacks
 * of at least N campaigns.
 */
import { z } from "zod";
import type { CustomerRef, ProviderRole } from "./roles.js";

/** A customer flagged as a repeat offender: the contract's `RepeatCustomer` is built from it. */
export const repeatCustomerSchema = z.object({
  names: z.array(z.string()),
  keys: z.array(z.string()),
  tracebackIds: z.array(z.string()),
  providerIds: z.array(z.string()),
  campaignIds: z.array(z.string()),
  firstCallAt: z.string(),
  lastCallAt: z.string(),
  /** Why it is flagged. */
  flags: z.array(z.enum(["several_tracebacks", "several_providers"])),
});
export type RepeatCustomer = z.infer<typeof repeatCustomerSchema>;

export function repeatCustomers(refs: readonly CustomerRef[], minTracebacks = 2, minProviders = 2): RepeatCustomer[] {
  const parent = refs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const holder = new Map<string, number>();
  refs.forEach((r, i) => {
    for (const k of r.customer.keys) {
      const j = holder.get(k);
      if (j === undefined) holder.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, CustomerRef[]>();
  refs.forEach((r, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), r]));
  const out: RepeatCustomer[] = [];
  for (const group of groups.values()) {
    const tracebackIds = [...new Set(group.map((r) => r.tracebackId))].sort();
    const providerIds = [...new Set(group.map((r) => r.providerId))].sort();
    const flags: RepeatCustomer["flags"] = [];
    if (tracebackIds.length >= minTracebacks) flags.push("several_tracebacks");
    if (providerIds.length >= minProviders) flags.push("several_providers");
    if (flags.length === 0) continue;
    const times = group.map((r) => r.callTime).sort();
    out.push({
      names: [...new Set(group.map((r) => r.customer.name))].sort(),
      keys: [...new Set(group.flatMap((r) => r.customer.keys))].sort(),
      tracebackIds,
      providerIds,
      campaignIds: [...new Set(group.flatMap((r) => (r.campaignId ? [r.campaignId] : [])))].sort(),
      firstCallAt: times[0]!,
      lastCallAt: times[times.length - 1]!,
      flags,
    });
  }
  return out.sort((a, b) => b.tracebackIds.length - a.tracebackIds.length || a.keys[0]!.localeCompare(b.keys[0]!));
}

export interface RepeatProvider {
  providerId: string;
  asOriginator: number;
  asPointOfEntry: number;
  tracebackIds: string[];
  campaignIds: string[];
  flags: Array<"tracebacks" | "campaigns">;
}

export function repeatProviders(roles: readonly ProviderRole[], minTracebacks: number, minCampaigns: number): RepeatProvider[] {
  const by = new Map<string, ProviderRole[]>();
  for (const r of roles) if (r.roles.includes("originator") || r.roles.includes("point_of_entry")) by.set(r.providerId, [...(by.get(r.providerId) ?? []), r]);
  const out: RepeatProvider[] = [];
  for (const [providerId, list] of by) {
    const tracebackIds = [...new Set(list.map((r) => r.tracebackId))].sort();
    const campaignIds = [...new Set(list.flatMap((r) => (r.campaignId ? [r.campaignId] : [])))].sort();
    const flags: RepeatProvider["flags"] = [];
    if (tracebackIds.length >= minTracebacks) flags.push("tracebacks");
    if (campaignIds.length >= minCampaigns) flags.push("campaigns");
    if (flags.length === 0) continue;
    out.push({
      providerId,
      asOriginator: list.filter((r) => r.roles.includes("originator")).length,
      asPointOfEntry: list.filter((r) => r.roles.includes("point_of_entry")).length,
      tracebackIds,
      campaignIds,
      flags,
    });
  }
  return out.sort((a, b) => b.tracebackIds.length - a.tracebackIds.length || a.providerId.localeCompare(b.providerId));
}
