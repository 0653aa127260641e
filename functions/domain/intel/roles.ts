/**
 * The part each provider played in a completed traceback, filed under the provider so that its
 * scorecard reads one partition, and the originator's customer, filed by month so that repeat
 * offenders are found without reading every traceback.
 */
import type { Outcome } from "../answer.js";
import type { Traceback } from "../traceback.js";
import type { FindingKind } from "./intel.js";
import type { NamedCustomer } from "./customer.js";

export type Role = "path" | "originator" | "point_of_entry" | "signer";

export interface ProviderRole {
  providerId: string;
  tracebackId: string;
  callTime: string;
  roles: Role[];
  /** Kinds of finding concerning this provider. */
  findings: FindingKind[];
  outcome?: Outcome;
  /** The campaign the traceback was placed in when it ended (merges are resolved when read). */
  campaignId?: string;
}

export interface CustomerRef {
  tracebackId: string;
  providerId: string;
  callTime: string;
  customer: NamedCustomer;
  campaignId?: string;
}

export function rolesOf(tb: Traceback, campaignId: string | undefined): ProviderRole[] {
  const byProvider = new Map<string, ProviderRole>();
  const of = (providerId: string) => {
    let r = byProvider.get(providerId);
    if (!r) {
      r = {
        providerId,
        tracebackId: tb.id,
        callTime: tb.call.callTimeUtc,
        roles: [],
        findings: [],
        ...(tb.result && { outcome: tb.result.outcome }),
        ...(campaignId && { campaignId }),
      };
      byProvider.set(providerId, r);
    }
    return r;
  };
  const add = (providerId: string, role: Role) => {
    const r = of(providerId);
    if (!r.roles.includes(role)) r.roles.push(role);
  };
  for (const id of tb.path) add(id, "path");
  if (tb.intel?.originator) add(tb.intel.originator.providerId, "originator");
  if (tb.intel?.pointOfEntry) add(tb.intel.pointOfEntry.providerId, "point_of_entry");
  for (const s of tb.signatures ?? []) if (s.signatureValid && s.chainValid && s.signerProviderId) add(s.signerProviderId, "signer");
  for (const f of tb.intel?.findings ?? []) {
    if (!f.providerId) continue;
    const r = of(f.providerId);
    if (!r.findings.includes(f.code)) r.findings.push(f.code);
  }
  return [...byProvider.values()];
}

export function customerRefOf(tb: Traceback, campaignId: string | undefined): CustomerRef | undefined {
  const origin = tb.intel?.originator;
  if (!origin) return undefined;
  return { tracebackId: tb.id, providerId: origin.providerId, callTime: tb.call.callTimeUtc, customer: origin.customer, ...(campaignId && { campaignId }) };
}

/** The months (`YYYY-MM`, UTC) an interval [from, to) touches. */
export function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  const end = new Date(to);
  for (
    let d = new Date(Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), 1));
    d < end;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
  ) {
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}
