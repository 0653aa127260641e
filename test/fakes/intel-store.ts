/** Provider roles and customer references in memory: the IntelStore contract. */
import type { CustomerRef, ProviderRole } from "../../functions/domain/intel/roles.js";
import type { IntelStore } from "../../functions/usecases/intel-ports.js";
import { copy } from "./paging.js";

const offending = (r: ProviderRole) => r.roles.includes("originator") || r.roles.includes("point_of_entry");

/** Calls in [from, to), in call time order, at most `max`. */
function between<T extends { callTime: string; tracebackId: string }>(items: Iterable<T>, from: string, to: string, max: number, order: (t: T) => string): T[] {
  return [...items]
    .filter((i) => i.callTime >= from && i.callTime < to)
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
    .slice(0, max)
    .map(copy);
}

export class MemoryIntelStore implements IntelStore {
  private readonly roles = new Map<string, ProviderRole>();
  private readonly refs = new Map<string, CustomerRef>();

  async putRoles(roles: readonly ProviderRole[]): Promise<void> {
    for (const r of roles) this.roles.set(`${r.providerId}#${r.callTime}#${r.tracebackId}`, copy(r));
  }

  async putCustomer(ref: CustomerRef): Promise<void> {
    this.refs.set(`${ref.callTime}#${ref.tracebackId}`, copy(ref));
  }

  async rolesOf(providerId: string, from: string, to: string, max: number): Promise<ProviderRole[]> {
    const own = [...this.roles.values()].filter((r) => r.providerId === providerId);
    return between(own, from, to, max, (r) => `${r.callTime}#${r.tracebackId}`);
  }

  async offenderRoles(from: string, to: string, max: number): Promise<ProviderRole[]> {
    return between([...this.roles.values()].filter(offending), from, to, max, (r) => `${r.callTime}#${r.providerId}#${r.tracebackId}`);
  }

  async customers(from: string, to: string, max: number): Promise<CustomerRef[]> {
    return between(this.refs.values(), from, to, max, (r) => `${r.callTime}#${r.tracebackId}`);
  }
}
