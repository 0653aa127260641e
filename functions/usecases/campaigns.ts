/**
 * Campaigns: tracebacks are placed in them as they are created and again when they end (the
 * originator's customer is then known), by the incremental clustering of domain/campaigns; the
 * consortium reads them and decides on them. A decision sticks: the clustering only ever places a
 * call in no campaign yet, and never folds a campaign an analyst decided on into another.
 */
import { isConsortium, type Principal } from "../domain/account.js";
import type { CampaignCall } from "../domain/campaigns/call.js";
import {
  DEFAULT_INCREMENTAL_OPTIONS,
  linkBetween,
  linksOf,
  lookupKeysOf,
  lookupRounds,
  mayLinkUnseen,
  placeCall,
  profileOf,
  type CallProfile,
} from "../domain/campaigns/incremental.js";
import { campaignFigures, type CampaignFigures, type MemberFacts } from "../domain/campaigns/view.js";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import type { Traceback } from "../domain/traceback.js";
import type { Outcome } from "../domain/answer.js";
import type { CampaignDecisionRecord, CampaignRecord, CampaignStore, Membership } from "./campaign-ports.js";
import type { CoreDeps, Page, PageRequest } from "./ports.js";

export type CampaignDeps = Pick<CoreDeps, "tracebacks" | "campaigns" | "clock" | "ids">;

/** How many calls a campaign view reads; beyond that it says it was cut short. */
export const MAX_VIEW_CALLS = 2000;
const MAX_FOLD_DEPTH = 8;

/** A campaign's id when a call founds it: the same for a repeat of the same founding. */
export const foundedBy = (tracebackId: string) => `cmp_${tracebackId.replace(/^tb_/, "")}`;

export function campaignCallOf(tb: Traceback): CampaignCall {
  const signer = tb.signatures?.find((s) => s.signatureValid && s.chainValid);
  const origin = tb.intel?.originator;
  return {
    id: tb.id,
    callTime: tb.call.callTimeUtc,
    callingNumber: tb.call.callingNumber,
    calledNumber: tb.call.calledNumber,
    ...(tb.transcript !== undefined && { transcript: tb.transcript }),
    ...(signer && {
      signer: {
        ...(signer.spc && { spc: signer.spc }),
        ...(signer.certificateSha256 && { certificateSha256: signer.certificateSha256 }),
        ...(signer.origid && { origid: signer.origid }),
        ...(signer.attest && { attest: signer.attest }),
      },
    }),
    ...(origin && { originator: { providerId: origin.providerId, customerName: origin.customer.name } }),
  };
}

/**
 * Files the traceback's call under its lookup keys and places it in the campaign of the call it
 * links with best. A call already placed stays where it is; what it newly carries (the customer,
 * once the traceback ended) is filed for the calls that come after it.
 */
export async function assignToCampaign(deps: CampaignDeps, tb: Traceback): Promise<void> {
  const profile = profileOf(campaignCallOf(tb));
  const stored = await deps.campaigns.getCall(tb.id);
  const unchanged = stored && JSON.stringify(stored.profile.values) === JSON.stringify(profile.values);
  if (stored?.campaignId && unchanged) return;
  if (!unchanged) await deps.campaigns.putCall(profile, newKeys(profile, stored?.profile));
  if (stored?.campaignId) return;

  const ids = (await candidatesOf(deps.campaigns, profile)).filter((id) => id !== tb.id);
  const candidates = await deps.campaigns.getCalls(ids);
  const links = linksOf(
    profile,
    candidates.map((c) => c.profile),
  );
  if (links.length === 0) return;
  const linked = new Set(links.map((l) => l.to));
  const placed = candidates.filter((c) => linked.has(c.profile.id) && c.campaignId);
  const current = await currentCampaigns(
    deps.campaigns,
    placed.map((c) => c.campaignId!),
  );
  const campaignOf = new Map(placed.map((c) => [c.profile.id, current.get(c.campaignId!)!]));
  // Founded by the earlier id of the two: two calls placed at once, each finding the other, found the same campaign.
  const placement = placeCall(links, campaignOf, (to) => foundedBy(to < tb.id ? to : tb.id))!;
  const at = deps.clock.now().toISOString();
  if (placement.founded) await deps.campaigns.createCampaign({ id: placement.campaignId, decided: false, createdAt: at, calls: 0, decisions: [] });
  const profiles = new Map(candidates.map((c) => [c.profile.id, c.profile]));
  await deps.campaigns.place(placement.campaignId, [
    ...placement.alsoJoining.map((id) => {
      const other = profiles.get(id)!;
      return membership(placement.campaignId, other, linkBetween(other, profile).signals, tb.id, at);
    }),
    membership(placement.campaignId, profile, placement.link.signals, placement.link.to, at),
  ]);
  for (const from of placement.merging) {
    const n = links.filter((l) => campaignOf.get(l.to)?.id === from).length;
    await deps.campaigns.fold(from, placement.campaignId, { kind: "auto_merge", at, by: "clustering", detail: `${tb.id} linked with ${n} of its calls` });
  }
}

/** The keys the call is not filed under yet: those of what it newly carries. */
function newKeys(profile: CallProfile, stored: CallProfile | undefined): string[] {
  const filed = new Set(stored?.callTime === profile.callTime ? lookupKeysOf(stored) : []);
  return lookupKeysOf(profile).filter((k) => !filed.has(k));
}

/**
 * The calls filed under the call's lookup keys, the broad ones (number blocks) read only when
 * the others leave a link possible: the same links as reading every key, in fewer Queries.
 */
async function candidatesOf(store: CampaignStore, profile: CallProfile): Promise<string[]> {
  const perKey = DEFAULT_INCREMENTAL_OPTIONS.candidatesPerKey;
  const { first, broad } = lookupRounds(profile);
  // Even with every other key read whole a link may lie beyond them (a transcript): one round.
  const all = mayLinkUnseen(profile, new Set(first));
  const found = await store.callsUnder(all ? [...first, ...broad] : first, perKey);
  const readWhole = new Set(first.filter((_, i) => found[i]!.length < perKey));
  if (!all && broad.length > 0 && mayLinkUnseen(profile, readWhole)) found.push(...(await store.callsUnder(broad, perKey)));
  return [...new Set(found.flat())];
}

function membership(
  campaignId: string,
  call: CallProfile,
  signals: Membership["signals"],
  linkedTo: string | undefined,
  at: string,
  by = "clustering",
): Membership {
  return { campaignId, tracebackId: call.id, callTime: call.callTime, signals, ...(linkedTo && { linkedTo }), assignedBy: by, assignedAt: at };
}

/** Each campaign as it stands now: the one it was folded into, if it was. */
export async function currentCampaigns(store: CampaignStore, ids: readonly string[]): Promise<Map<string, CampaignRecord>> {
  const out = new Map<string, CampaignRecord>();
  let pending = new Map([...new Set(ids)].map((id) => [id, [id]]));
  for (let depth = 0; pending.size > 0 && depth < MAX_FOLD_DEPTH; depth++) {
    const found = await store.getCampaigns([...pending.keys()]);
    const next = new Map<string, string[]>();
    for (const c of found) {
      const askers = pending.get(c.id) ?? [];
      if (c.mergedInto) next.set(c.mergedInto, [...(next.get(c.mergedInto) ?? []), ...askers]);
      else for (const a of askers) out.set(a, c);
    }
    pending = next;
  }
  return out;
}

function consortiumOnly(p: Principal): void {
  if (!isConsortium(p)) throw new ForbiddenError("campaigns are for the consortium");
}

export interface CampaignView extends CampaignFigures {
  campaign: CampaignRecord;
  /** Present when the campaign asked for was folded into this one. */
  requestedId?: string;
  members: Array<MemberFacts & { assignedAt: string; callingNumber?: string; status?: Traceback["status"]; outcome?: Outcome }>;
  /** More calls than a view reads: the figures cover the first of them by call time. */
  truncated?: boolean;
}

export async function listCampaigns(deps: CampaignDeps, p: Principal, page: PageRequest): Promise<Page<CampaignRecord>> {
  consortiumOnly(p);
  return deps.campaigns.listCampaigns(page);
}

export async function getCampaign(deps: CampaignDeps, p: Principal, campaignId: string): Promise<CampaignView> {
  consortiumOnly(p);
  const campaign = (await currentCampaigns(deps.campaigns, [campaignId])).get(campaignId);
  if (!campaign) throw new NotFoundError(`campaign ${campaignId} not found`);
  const members = await membersOf(deps.campaigns, campaign, MAX_VIEW_CALLS + 1);
  const truncated = members.length > MAX_VIEW_CALLS;
  const shown = members.slice(0, MAX_VIEW_CALLS);
  const tracebacks = new Map((await deps.tracebacks.getTracebacks(shown.map((m) => m.tracebackId))).map((tb) => [tb.id, tb]));
  return {
    campaign,
    ...(campaign.id !== campaignId && { requestedId: campaignId }),
    ...campaignFigures(shown, tracebacks),
    members: shown.map((m) => {
      const tb = tracebacks.get(m.tracebackId);
      return { ...m, ...(tb && { callingNumber: tb.call.callingNumber, status: tb.status, ...(tb.result && { outcome: tb.result.outcome }) }) };
    }),
    ...(truncated && { truncated }),
  };
}

/** The members of a campaign and of those folded into it, by call time. */
async function membersOf(store: CampaignStore, campaign: CampaignRecord, max: number): Promise<Membership[]> {
  const out: Membership[] = [];
  const queue = [campaign.id];
  const seen = new Set<string>();
  while (queue.length > 0 && out.length < max) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(...(await store.members(id, max - out.length)));
    const c = id === campaign.id ? campaign : await store.getCampaign(id);
    queue.push(...(c?.absorbed ?? []));
  }
  return out.sort((a, b) => a.callTime.localeCompare(b.callTime) || a.tracebackId.localeCompare(b.tracebackId));
}

async function decidable(deps: CampaignDeps, p: Principal, campaignId: string): Promise<CampaignRecord> {
  consortiumOnly(p);
  const c = await deps.campaigns.getCampaign(campaignId);
  if (!c) throw new NotFoundError(`campaign ${campaignId} not found`);
  if (c.mergedInto) throw new ConflictError("campaign_merged", `campaign ${campaignId} was merged into ${c.mergedInto}: decide on that one`);
  return c;
}

const decision = (deps: CampaignDeps, p: Principal, kind: CampaignDecisionRecord["kind"], detail?: string): CampaignDecisionRecord => ({
  kind,
  at: deps.clock.now().toISOString(),
  by: p.accountId,
  ...(detail !== undefined && { detail }),
});

export async function confirmCampaign(deps: CampaignDeps, p: Principal, campaignId: string): Promise<CampaignView> {
  await decidable(deps, p, campaignId);
  await deps.campaigns.decide(campaignId, decision(deps, p, "confirm"));
  return getCampaign(deps, p, campaignId);
}

export async function renameCampaign(deps: CampaignDeps, p: Principal, campaignId: string, name: string): Promise<CampaignView> {
  await decidable(deps, p, campaignId);
  await deps.campaigns.decide(campaignId, decision(deps, p, "rename", name), name);
  return getCampaign(deps, p, campaignId);
}

/** Folds the other campaigns into this one; all of them count as decided from then on. */
export async function mergeCampaigns(deps: CampaignDeps, p: Principal, campaignId: string, others: readonly string[]): Promise<CampaignView> {
  await decidable(deps, p, campaignId);
  const unique = [...new Set(others)];
  if (unique.includes(campaignId)) throw new RuleViolationError("merge_into_itself", "a campaign cannot be merged into itself", "/campaignIds");
  for (const [i, id] of unique.entries()) {
    const c = await deps.campaigns.getCampaign(id);
    if (!c) throw new RuleViolationError("unknown_campaign", `no campaign ${id}`, `/campaignIds/${i}`);
    if (c.mergedInto && c.mergedInto !== campaignId) throw new ConflictError("campaign_merged", `campaign ${id} was merged into ${c.mergedInto} already`);
  }
  await deps.campaigns.decide(campaignId, decision(deps, p, "merge", unique.join(" ")));
  for (const id of unique) await deps.campaigns.fold(id, campaignId, decision(deps, p, "merge", `into ${campaignId}`));
  return getCampaign(deps, p, campaignId);
}

/** Moves the named tracebacks out into a new campaign, decided like the one they leave. */
export async function splitCampaign(
  deps: CampaignDeps,
  p: Principal,
  campaignId: string,
  tracebackIds: readonly string[],
  name?: string,
): Promise<CampaignView> {
  const from = await decidable(deps, p, campaignId);
  const members = new Map((await membersOf(deps.campaigns, from, MAX_VIEW_CALLS)).map((m) => [m.tracebackId, m]));
  const unique = [...new Set(tracebackIds)];
  unique.forEach((id, i) => {
    if (!members.has(id)) throw new RuleViolationError("not_in_campaign", `traceback ${id} is not in campaign ${campaignId}`, `/tracebackIds/${i}`);
  });
  if (unique.length === members.size)
    throw new RuleViolationError("split_takes_all", "a split must leave at least one traceback in the campaign", "/tracebackIds");
  const d = decision(deps, p, "split", unique.join(" "));
  const part: CampaignRecord = {
    id: deps.ids.next("cmp"),
    ...(name !== undefined && { name }),
    decided: true,
    createdAt: d.at,
    calls: 0,
    decisions: [{ ...d, detail: `from ${campaignId}` }],
  };
  await deps.campaigns.createCampaign(part);
  await deps.campaigns.decide(campaignId, d);
  for (const id of unique) {
    const m = members.get(id)!;
    await deps.campaigns.move(m.campaignId, {
      ...m,
      campaignId: part.id,
      signals: [{ signal: "analyst", value: campaignId }],
      assignedBy: p.accountId,
      assignedAt: d.at,
    });
  }
  return getCampaign(deps, p, part.id);
}
