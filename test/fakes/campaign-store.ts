/**
 * The campaign store's behaviour in memory: for the fast suite, and for measuring the incremental
 * clustering over large feeds in a benchmark without the emulator's latency. Same contract as the
 * DynamoDB adapter.
 */
import type { CallProfile } from "../../functions/domain/campaigns/incremental.js";
import type { CampaignDecisionRecord, CampaignRecord, CampaignStore, Membership, StoredCall } from "../../functions/usecases/campaign-ports.js";
import type { Page, PageRequest } from "../../functions/usecases/ports.js";
import { pageOf } from "./paging.js";

export class MemoryCampaignStore implements CampaignStore {
  readonly calls = new Map<string, StoredCall>();
  private readonly filed = new Map<string, Array<{ sk: string; id: string }>>();
  readonly campaigns = new Map<string, CampaignRecord>();
  private readonly memberships = new Map<string, Map<string, Membership>>();

  // A stored profile is frozen whole (putCall), so a caller may be handed it rather than a deep
  // copy of its shingles: changing it would throw, as it could not change the table's item.
  async getCall(id: string) {
    const c = this.calls.get(id);
    return c && { ...c };
  }
  async getCalls(ids: readonly string[]) {
    return ids.flatMap((id) => (this.calls.has(id) ? [{ ...this.calls.get(id)! }] : []));
  }
  async putCall(profile: CallProfile, keys: readonly string[]) {
    const sk = `${profile.callTime}#${profile.id}`;
    for (const k of keys) {
      // Kept in sort-key order, as a partition of the table is: found by halving, not re-sorted.
      const list = this.filed.get(k) ?? [];
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid]!.sk < sk) lo = mid + 1;
        else hi = mid;
      }
      if (list[lo]?.sk !== sk) list.splice(lo, 0, { sk, id: profile.id });
      this.filed.set(k, list);
    }
    this.calls.set(profile.id, { ...this.calls.get(profile.id), profile: frozen(structuredClone(profile)) });
  }
  async callsUnder(keys: readonly string[], perKey: number) {
    return keys.map((k) => (this.filed.get(k) ?? []).slice(-perKey).map((e) => e.id));
  }
  async getCampaign(id: string) {
    const c = this.campaigns.get(id);
    return c && structuredClone(c);
  }
  async getCampaigns(ids: readonly string[]) {
    return ids.flatMap((id) => (this.campaigns.has(id) ? [structuredClone(this.campaigns.get(id)!)] : []));
  }
  async createCampaign(c: CampaignRecord) {
    if (!this.campaigns.has(c.id)) this.campaigns.set(c.id, structuredClone(c));
  }
  async place(campaignId: string, members: readonly Membership[]) {
    const placed: string[] = [];
    for (const m of members) {
      const call = this.calls.get(m.tracebackId);
      if (!call || (call.campaignId && call.campaignId !== campaignId)) continue;
      this.memberOf(campaignId).set(m.tracebackId, { ...m, campaignId });
      if (call.campaignId) continue;
      call.campaignId = campaignId;
      placed.push(m.tracebackId);
    }
    const campaign = this.campaigns.get(campaignId);
    if (campaign) campaign.calls += placed.length;
    return placed;
  }
  async move(from: string, m: Membership) {
    const call = this.calls.get(m.tracebackId);
    if (call?.campaignId !== from) return false;
    call.campaignId = m.campaignId;
    this.memberOf(from).delete(m.tracebackId);
    this.memberOf(m.campaignId).set(m.tracebackId, m);
    return true;
  }
  async fold(from: string, into: string, d: CampaignDecisionRecord) {
    const c = this.campaigns.get(from);
    if (!c || c.mergedInto) return false;
    c.mergedInto = into;
    c.decisions.push(d);
    const target = this.campaigns.get(into)!;
    target.absorbed = [...(target.absorbed ?? []), from];
    target.decisions.push(d);
    return true;
  }
  async decide(id: string, d: CampaignDecisionRecord, name?: string) {
    const c = this.campaigns.get(id)!;
    c.decided = true;
    c.decisions.push(d);
    if (name !== undefined) c.name = name;
  }
  async members(campaignId: string, max: number) {
    return [...this.memberOf(campaignId).values()].sort((a, b) => a.callTime.localeCompare(b.callTime)).slice(0, max);
  }
  async listCampaigns(page: PageRequest): Promise<Page<CampaignRecord>> {
    const rows = [...this.campaigns.values()].filter((c) => !c.mergedInto).map((c) => ({ sk: `${c.createdAt}#${c.id}`, value: c }));
    return pageOf("campaigns", rows, page);
  }

  /** Every campaign as it now stands, with its calls (those of campaigns folded into it included). */
  clusters(): string[][] {
    const root = (id: string): string => {
      let c = this.campaigns.get(id)!;
      while (c.mergedInto) c = this.campaigns.get(c.mergedInto)!;
      return c.id;
    };
    const out = new Map<string, string[]>();
    for (const [id, call] of this.calls) if (call.campaignId) out.set(root(call.campaignId), [...(out.get(root(call.campaignId)) ?? []), id]);
    return [...out.values()];
  }

  private memberOf(id: string): Map<string, Membership> {
    const m = this.memberships.get(id) ?? new Map<string, Membership>();
    this.memberships.set(id, m);
    return m;
  }
}

/** The profile and everything in it, made read-only. */
function frozen(profile: CallProfile): CallProfile {
  if (profile.shingles) Object.freeze(profile.shingles);
  for (const value of profile.values) Object.freeze(value);
  Object.freeze(profile.values);
  return Object.freeze(profile);
}
