/**
 * An analyst's decisions about campaigns, kept as constraints on the calls they name so that
 * they hold however often the campaigns are computed again: a confirmed (or renamed, split,
 * merged) campaign keeps its id and at least the calls it was confirmed with, and two such
 * campaigns are never joined by the clustering, only by a merge.
 */

export type CampaignDecision =
  | { kind: "confirm"; campaignId: string; callIds: string[] }
  | { kind: "rename"; campaignId: string; name: string; callIds: string[] }
  | { kind: "split"; campaignId: string; parts: Array<{ campaignId: string; callIds: string[] }> }
  | { kind: "merge"; campaignId: string; from: Array<{ campaignId: string; callIds: string[] }> };

export interface Constraints {
  /** The campaign each anchored call must stay in. */
  anchorOf: ReadonlyMap<string, string>;
  names: ReadonlyMap<string, string>;
}

/** The constraints of decisions taken in this order; a later decision overrides what it contradicts. */
export function constraintsOf(decisions: readonly CampaignDecision[]): Constraints {
  const members = new Map<string, Set<string>>();
  const names = new Map<string, string>();
  const anchor = (campaignId: string, callIds: readonly string[]) => {
    const set = members.get(campaignId) ?? new Set<string>();
    for (const id of callIds) {
      for (const [other, calls] of members) if (other !== campaignId) calls.delete(id);
      set.add(id);
    }
    members.set(campaignId, set);
  };
  for (const d of decisions) {
    switch (d.kind) {
      case "confirm":
        anchor(d.campaignId, d.callIds);
        break;
      case "rename":
        anchor(d.campaignId, d.callIds);
        names.set(d.campaignId, d.name);
        break;
      case "split":
        members.delete(d.campaignId);
        for (const part of d.parts) anchor(part.campaignId, part.callIds);
        break;
      case "merge": {
        const into = [...(members.get(d.campaignId) ?? [])];
        for (const part of d.from) {
          into.push(...part.callIds, ...(members.get(part.campaignId) ?? []));
          if (part.campaignId !== d.campaignId) {
            members.delete(part.campaignId);
            names.delete(part.campaignId);
          }
        }
        anchor(d.campaignId, into);
        break;
      }
    }
  }
  const anchorOf = new Map<string, string>();
  for (const [campaignId, calls] of members) for (const id of calls) anchorOf.set(id, campaignId);
  return { anchorOf, names };
}
