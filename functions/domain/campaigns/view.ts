/**
 * What an analyst reads of a campaign: its tracebacks and why each is in it, the originators and
 * customers found, the providers that carry it (how often each is on a path), its points of
 * entry, its signers, its calling numbers, and its calls per day. Pure: made from the members and
 * the tracebacks they stand for.
 */
import type { LinkSignal, Signal } from "./cluster.js";
import type { Traceback } from "../traceback.js";
import type { Outcome } from "../answer.js";

export interface MemberFacts {
  campaignId: string;
  tracebackId: string;
  callTime: string;
  signals: LinkSignal[];
  linkedTo?: string;
  assignedBy: string;
}

export interface CampaignFigures {
  tracebacks: number;
  reasons: Array<{ signal: Signal; links: number; values?: string[] }>;
  originators: Array<{ providerId: string; customer: string; tracebacks: number }>;
  providers: Array<{ providerId: string; tracebacks: number }>;
  pointsOfEntry: Array<{ providerId: string; tracebacks: number }>;
  signers: Array<{ spc?: string; certificateSha256?: string; signerProviderId?: string; calls: number }>;
  callingNumbers: Array<{ number: string; calls: number }>;
  perDay: Array<{ day: string; calls: number }>;
  outcomes: Array<{ outcome: Outcome; tracebacks: number }>;
}

const TOP = 20;

export function campaignFigures(members: readonly MemberFacts[], tracebacks: ReadonlyMap<string, Traceback>): CampaignFigures {
  const reasons = new Map<Signal, { links: number; values: Map<string, number> }>();
  for (const m of members) {
    for (const s of m.signals) {
      const r = reasons.get(s.signal) ?? { links: 0, values: new Map() };
      r.links++;
      if (s.value !== undefined) r.values.set(s.value, (r.values.get(s.value) ?? 0) + 1);
      reasons.set(s.signal, r);
    }
  }
  const originators = new Counter();
  const providers = new Counter();
  const entries = new Counter();
  const signers = new Counter();
  const numbers = new Counter();
  const days = new Counter();
  const outcomes = new Counter();
  for (const m of members) {
    days.add(m.callTime.slice(0, 10));
    const tb = tracebacks.get(m.tracebackId);
    if (!tb) continue;
    numbers.add(tb.call.callingNumber);
    for (const id of new Set(tb.path)) providers.add(id);
    const origin = tb.intel?.originator;
    if (origin) originators.add(JSON.stringify([origin.providerId, origin.customer.name]));
    if (tb.intel?.pointOfEntry) entries.add(tb.intel.pointOfEntry.providerId);
    if (tb.result) outcomes.add(tb.result.outcome);
    for (const s of tb.signatures ?? []) {
      if (!s.signatureValid || !s.chainValid) continue;
      signers.add(JSON.stringify([s.spc ?? null, s.certificateSha256 ?? null, s.signerProviderId ?? null]));
    }
  }
  return {
    tracebacks: members.length,
    reasons: [...reasons]
      .sort((x, y) => y[1].links - x[1].links)
      .map(([signal, r]) => ({
        signal,
        links: r.links,
        ...(r.values.size > 0 && {
          values: [...r.values]
            .sort((x, y) => y[1] - x[1])
            .slice(0, 5)
            .map(([v]) => v),
        }),
      })),
    originators: originators.top().map(([k, n]) => {
      const [providerId, customer] = JSON.parse(k) as [string, string];
      return { providerId, customer, tracebacks: n };
    }),
    providers: providers.top().map(([providerId, n]) => ({ providerId, tracebacks: n })),
    pointsOfEntry: entries.top().map(([providerId, n]) => ({ providerId, tracebacks: n })),
    signers: signers.top().map(([k, n]) => {
      const [spc, certificateSha256, signerProviderId] = JSON.parse(k) as Array<string | null>;
      return { ...(spc && { spc }), ...(certificateSha256 && { certificateSha256 }), ...(signerProviderId && { signerProviderId }), calls: n };
    }),
    callingNumbers: numbers.top(TOP).map(([number, n]) => ({ number, calls: n })),
    perDay: [...days.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([day, n]) => ({ day, calls: n })),
    outcomes: outcomes.top().map(([outcome, n]) => ({ outcome: outcome as Outcome, tracebacks: n })),
  };
}

class Counter {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  entries(): Array<[string, number]> {
    return [...this.counts];
  }
  top(n = Number.POSITIVE_INFINITY): Array<[string, number]> {
    return [...this.counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, n);
  }
}
