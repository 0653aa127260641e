/**
 * Repeat offenders: what each provider did in completed tracebacks and which customers their
 * originators named, recorded when a traceback ends, and read over a period for the consortium.
 */
import { isConsortium, type Principal } from "../domain/account.js";
import { ForbiddenError } from "../domain/errors.js";
import { repeatCustomers, repeatProviders, type RepeatCustomer, type RepeatProvider } from "../domain/intel/offenders.js";
import { customerRefOf, rolesOf, type CustomerRef, type ProviderRole } from "../domain/intel/roles.js";
import type { Traceback } from "../domain/traceback.js";
import { currentCampaigns } from "./campaigns.js";
import type { CoreDeps } from "./ports.js";

export type OffenderDeps = Pick<CoreDeps, "intel" | "campaigns">;

/** Items read for one period's figures; a period holding more is read up to this. */
export const MAX_PERIOD_ITEMS = 20_000;

/** Files the parts providers played and the originator's customer; same items when repeated. */
export async function recordRoles(deps: OffenderDeps, tb: Traceback): Promise<void> {
  const campaignId = (await deps.campaigns.getCall(tb.id))?.campaignId;
  await deps.intel.putRoles(rolesOf(tb, campaignId));
  const customer = customerRefOf(tb, campaignId);
  if (customer) await deps.intel.putCustomer(customer);
}

export interface OffenderQuery {
  from: string;
  to: string;
  /** A provider is flagged as originator or point of entry of at least this many tracebacks... */
  minTracebacks: number;
  /** ...or of tracebacks of at least this many campaigns. */
  minCampaigns: number;
}

export interface RepeatOffenders {
  from: string;
  to: string;
  customers: RepeatCustomer[];
  providers: RepeatProvider[];
  truncated?: boolean;
}

export async function repeatOffenders(deps: OffenderDeps, p: Principal, q: OffenderQuery): Promise<RepeatOffenders> {
  if (!isConsortium(p)) throw new ForbiddenError("repeat offenders are for the consortium");
  const [roles, customers] = await Promise.all([
    deps.intel.offenderRoles(q.from, q.to, MAX_PERIOD_ITEMS),
    deps.intel.customers(q.from, q.to, MAX_PERIOD_ITEMS),
  ]);
  const { roles: current, customers: currentCustomers } = await withCurrentCampaigns(deps, roles, customers);
  return {
    from: q.from,
    to: q.to,
    customers: repeatCustomers(currentCustomers),
    providers: repeatProviders(current, q.minTracebacks, q.minCampaigns),
    ...((roles.length >= MAX_PERIOD_ITEMS || customers.length >= MAX_PERIOD_ITEMS) && { truncated: true }),
  };
}

/** Campaign ids as they stand now: two tracebacks whose campaigns were merged are of one campaign. */
export async function withCurrentCampaigns(
  deps: OffenderDeps,
  roles: ProviderRole[],
  customers: CustomerRef[],
): Promise<{ roles: ProviderRole[]; customers: CustomerRef[] }> {
  const ids = [...roles, ...customers].flatMap((r) => (r.campaignId ? [r.campaignId] : []));
  const current = await currentCampaigns(deps.campaigns, ids);
  const fix = <T extends { campaignId?: string }>(r: T): T =>
    r.campaignId && current.has(r.campaignId) ? { ...r, campaignId: current.get(r.campaignId)!.id } : r;
  return { roles: roles.map(fix), customers: customers.map(fix) };
}
