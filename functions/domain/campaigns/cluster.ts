/**
 * Grouping calls into campaigns from what they carry: what was said (MinHash/LSH over
 * transcript shingles, weighted by rarity so that boilerplate counts for little), the calling numbers and their thousand-blocks, the signer's origination
 * id and certificate, and the customer an originating provider named. Candidate pairs come from
 * LSH buckets and shared values; each is scored by its signals, and the pairs that reach a full
 * score join their calls, strongest first, never joining two campaigns an analyst decided on.
 * Every campaign keeps the links that made it, so it can say why its calls belong together.
 */
import { businessNameKey } from "../business-name.js";
import type { CampaignCall } from "./call.js";
import type { Constraints } from "./decisions.js";
import { numberEvidence } from "./numbers.js";
import { lshCandidates, minHasher, normaliseTranscript, rarityWeights, shingles, type WeightedSet, weightedJaccard, weightedSet } from "./text.js";

export type Signal = "transcript" | "calling_number" | "number_block" | "signer_origid" | "signer_certificate" | "originator_customer" | "analyst";

export interface ClusterOptions {
  hashes: number;
  bands: number;
  rows: number;
  /** Transcripts shorter than this (normalised characters) are not compared. */
  minTranscriptChars: number;
  /** Shingles found in more than this share of the transcripts are dropped before comparing. */
  commonShingleShare: number;
  /**
   * The transcript similarity (Jaccard, each shingle weighted by its rarity in the feed) that
   * links two calls on its own; less counts in proportion.
   */
  textThreshold: number;
  /** How much of a link each shared value is worth (a link needs 1). */
  weights: Record<Exclude<Signal, "transcript" | "analyst">, number>;
  /** A value shared by more calls than this is too common to pair them by (a big carrier's certificate). */
  maxShared: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  hashes: 120,
  bands: 40,
  rows: 3,
  minTranscriptChars: 30,
  commonShingleShare: 0.5,
  textThreshold: 0.33,
  weights: { calling_number: 0.7, number_block: 0.3, signer_origid: 1, signer_certificate: 0.2, originator_customer: 1 },
  maxShared: 400,
};

export interface LinkSignal {
  signal: Signal;
  /** The shared value (number, block, origid, certificate, customer), or the similarity for a transcript. */
  value?: string;
  similarity?: number;
}

export interface CampaignLink {
  a: string;
  b: string;
  signals: LinkSignal[];
}

export interface CampaignReason {
  signal: Signal;
  /** Links of the campaign this signal took part in. */
  links: number;
  /** A few of the values shared, most used first. */
  values?: string[];
  similarity?: { min: number; max: number };
}

export interface Campaign {
  id: string;
  name?: string;
  /** An analyst decided on it: it keeps its id and the calls it was decided with. */
  decided: boolean;
  callIds: string[];
  reasons: CampaignReason[];
  /** The links that joined its calls (a spanning tree): why each call is in it. */
  links: CampaignLink[];
}

export interface Clustering {
  campaigns: Campaign[];
  /** Calls that belong to no campaign. */
  unassigned: string[];
}

export type ValueSignal = Exclude<Signal, "transcript" | "analyst">;

interface Features {
  signature?: Uint32Array;
  set?: Uint32Array;
  values: Array<[ValueSignal, string]>;
}

/** Features ready to be scored: the transcript's shingles with their rarity weights. */
interface Scored extends Features {
  weighted?: WeightedSet;
}

export function clusterCampaigns(
  calls: readonly CampaignCall[],
  constraints: Constraints = { anchorOf: new Map(), names: new Map() },
  previous: ReadonlyArray<{ id: string; callIds: string[] }> = [],
  options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
): Clustering {
  const ordered = [...calls].sort((x, y) => x.callTime.localeCompare(y.callTime) || x.id.localeCompare(y.id));
  const hasher = minHasher(options.hashes);
  const raw = ordered.map((c) => featuresOf(c, options));
  const compared = withoutShingles(raw, commonShingles(raw, options), hasher);
  const weights = rarityWeights(compared.flatMap((f) => (f.set ? [f.set] : [])));
  const scored = compared.map((f): Scored => (f.set ? { ...f, weighted: weightedSet(f.set, weights) } : f));
  const { groups, tree } = linkCalls(ordered, scored, constraints, options);
  const index = new Map(ordered.map((c, i) => [c.id, i]));

  const members = new Map<number, number[]>();
  for (let i = 0; i < ordered.length; i++) {
    const root = groups.find(i);
    const list = members.get(root);
    if (list) list.push(i);
    else members.set(root, [i]);
  }
  const linksOf = new Map<number, CampaignLink[]>();
  for (const link of tree) {
    const root = groups.find(index.get(link.a)!);
    linksOf.set(root, [...(linksOf.get(root) ?? []), link]);
  }

  const campaigns: Campaign[] = [];
  const unassigned: string[] = [];
  for (const [root, list] of members) {
    const anchor = groups.anchorOf(root);
    if (list.length < 2 && !anchor) {
      unassigned.push(ordered[list[0]!]!.id);
      continue;
    }
    const callIds = list.map((i) => ordered[i]!.id);
    const campaignLinks = linksOf.get(root) ?? [];
    campaigns.push({ id: anchor ?? "", decided: anchor !== undefined, callIds, reasons: reasonsOf(campaignLinks), links: campaignLinks });
  }
  assignIds(campaigns, previous);
  for (const c of campaigns) {
    const name = constraints.names.get(c.id);
    if (name !== undefined) c.name = name;
  }
  return { campaigns: campaigns.sort((x, y) => y.callIds.length - x.callIds.length || x.id.localeCompare(y.id)), unassigned };
}

function linkCalls(
  ordered: readonly CampaignCall[],
  features: readonly Scored[],
  constraints: Constraints,
  options: ClusterOptions,
): { groups: Groups; tree: CampaignLink[] } {
  const groups = new Groups(ordered.map((c) => constraints.anchorOf.get(c.id)));
  const tree: CampaignLink[] = [];
  // Analysts' groups first: their calls are together whatever the signals say.
  const firstOf = new Map<string, number>();
  for (const [i, c] of ordered.entries()) {
    const anchor = constraints.anchorOf.get(c.id);
    if (!anchor) continue;
    const first = firstOf.get(anchor);
    if (first === undefined) firstOf.set(anchor, i);
    else if (groups.join(first, i)) tree.push({ a: ordered[first]!.id, b: c.id, signals: [{ signal: "analyst", value: anchor }] });
  }
  const links = corroborated(
    candidatePairs(features, options)
      .map(([i, j]) => ({ i, j, ...score(features[i]!, features[j]!, options) }))
      .filter((l) => l.score >= 1),
  ).sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  for (const l of links) if (groups.join(l.i, l.j)) tree.push({ a: ordered[l.i]!.id, b: ordered[l.j]!.id, signals: l.signals });
  return { groups, tree };
}

export function featuresOf(c: CampaignCall, options: Pick<ClusterOptions, "minTranscriptChars">): Features {
  const values: Features["values"] = [];
  const numbers = numberEvidence(c.callingNumber, c.calledNumber);
  if (numbers.number) values.push(["calling_number", numbers.number]);
  if (numbers.block) values.push(["number_block", numbers.block]);
  if (c.signer?.origid && c.signer.spc) values.push(["signer_origid", `${c.signer.spc.toUpperCase()} ${c.signer.origid}`]);
  if (c.signer?.certificateSha256) values.push(["signer_certificate", c.signer.certificateSha256]);
  if (c.originator) {
    const key = businessNameKey(c.originator.customerName);
    if (key) values.push(["originator_customer", `${c.originator.providerId} ${key}`]);
  }
  const text = c.transcript ? normaliseTranscript(c.transcript) : "";
  if (text.length < options.minTranscriptChars) return { values };
  return { values, set: shingles(text) };
}

/**
 * Shingles found in most transcripts are plain English: not evidence, and too many to pair
 * calls by. Boilerplate scripts share ("press one to speak with", "to be removed from our
 * list") is rarer than that but common enough that rarity weighting makes it count for little.
 */
function commonShingles(features: readonly Features[], options: ClusterOptions): Set<number> {
  const texts = features.filter((f) => f.set).length;
  const counts = new Map<number, number>();
  for (const f of features) for (const x of f.set ?? []) counts.set(x, (counts.get(x) ?? 0) + 1);
  const limit = Math.max(options.commonShingleShare * texts, 10);
  return new Set([...counts].filter(([, n]) => n > limit).map(([x]) => x));
}

/** The features without the given shingles; a transcript left mostly without any is not compared. */
function withoutShingles(features: readonly Features[], dropped: ReadonlySet<number>, hasher: ReturnType<typeof minHasher>): Features[] {
  return features.map((f) => {
    if (!f.set) return f;
    const set = f.set.filter((x) => !dropped.has(x));
    return set.length * 2 < f.set.length || set.length < 8 ? { values: f.values } : { values: f.values, set, signature: hasher.signature(set) };
  });
}

/** Pairs from LSH buckets and from shared values; a certificate only ever supports a link. */
function candidatePairs(features: readonly Features[], options: ClusterOptions): Array<[number, number]> {
  const n = features.length;
  const pairs = new Set<number>(
    lshCandidates(
      features.map((f) => f.signature),
      options.bands,
      options.rows,
      options.maxShared,
    ).map(([i, j]) => i * n + j),
  );
  const holders = new Map<string, number[]>();
  for (const [i, f] of features.entries()) {
    for (const [signal, value] of f.values) {
      if (signal === "signer_certificate") continue;
      const key = `${signal} ${value}`;
      holders.set(key, [...(holders.get(key) ?? []), i]);
    }
  }
  for (const list of holders.values()) {
    if (list.length < 2 || list.length > options.maxShared) continue;
    for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) pairs.add(list[x]! * n + list[y]!);
  }
  return [...pairs].map((p) => [Math.floor(p / n), p % n]);
}

function score(a: Scored, b: Scored, options: ClusterOptions): { score: number; signals: LinkSignal[] } {
  const signals: LinkSignal[] = [];
  let total = 0;
  if (a.weighted && b.weighted) {
    const similarity = weightedJaccard(a.weighted, b.weighted);
    if (similarity >= options.textThreshold / 4) {
      total += similarity / options.textThreshold;
      signals.push({ signal: "transcript", similarity: Math.round(similarity * 100) / 100 });
    }
  }
  const shared = sharedValues(a.values, b.values, options);
  return { score: total + shared.score, signals: [...signals, ...shared.signals] };
}

/** What two calls' numbers, signers and customers have in common, and what that is worth. */
export function sharedValues(a: Features["values"], b: Features["values"], options: Pick<ClusterOptions, "weights">): { score: number; signals: LinkSignal[] } {
  const theirs = new Set(b.map(([s, v]) => `${s} ${v}`));
  const signals: LinkSignal[] = [];
  let total = 0;
  for (const [signal, value] of a) {
    if (!theirs.has(`${signal} ${value}`)) continue;
    total += options.weights[signal];
    signals.push({ signal, value });
  }
  return { score: total, signals };
}

/**
 * One chance resemblance between calls of two campaigns would join them whole. A link is kept
 * only when its two calls also share neighbours, as calls of one campaign do (a call with a
 * single link cannot bridge anything and keeps it): two of them when both calls have three
 * links or more, one when either has two.
 */
function corroborated<L extends { i: number; j: number }>(links: L[]): L[] {
  const neighbours = new Map<number, Set<number>>();
  const add = (a: number, b: number) => neighbours.set(a, (neighbours.get(a) ?? new Set()).add(b));
  for (const l of links) {
    add(l.i, l.j);
    add(l.j, l.i);
  }
  return links.filter((l) => {
    const a = neighbours.get(l.i)!;
    const b = neighbours.get(l.j)!;
    const needed = Math.min(2, Math.min(a.size, b.size) - 1);
    if (needed <= 0) return true;
    let common = 0;
    for (const x of a.size < b.size ? a : b) if ((a.size < b.size ? b : a).has(x) && ++common >= needed) return true;
    return false;
  });
}

function reasonsOf(links: readonly CampaignLink[]): CampaignReason[] {
  const bySignal = new Map<Signal, { links: number; values: Map<string, number>; min: number; max: number }>();
  for (const link of links) {
    for (const s of link.signals) {
      const r = bySignal.get(s.signal) ?? { links: 0, values: new Map(), min: 1, max: 0 };
      r.links += 1;
      if (s.value !== undefined) r.values.set(s.value, (r.values.get(s.value) ?? 0) + 1);
      if (s.similarity !== undefined) {
        r.min = Math.min(r.min, s.similarity);
        r.max = Math.max(r.max, s.similarity);
      }
      bySignal.set(s.signal, r);
    }
  }
  return [...bySignal.entries()]
    .sort((x, y) => y[1].links - x[1].links)
    .map(([signal, r]) => ({
      signal,
      links: r.links,
      ...(r.values.size > 0 && {
        values: [...r.values.entries()]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 5)
          .map(([v]) => v),
      }),
      ...(signal === "transcript" && { similarity: { min: r.min, max: r.max } }),
    }));
}

/**
 * Decided campaigns keep their ids; another campaign takes the id of the previous campaign it
 * shares most calls with (more than half of either), or one derived from its earliest call.
 */
function assignIds(campaigns: Campaign[], previous: ReadonlyArray<{ id: string; callIds: string[] }>): void {
  const taken = new Set(campaigns.filter((c) => c.decided).map((c) => c.id));
  const previousOf = new Map<string, number>();
  previous.forEach((p, i) => p.callIds.forEach((id) => previousOf.set(id, i)));
  const candidates: Array<{ campaign: Campaign; prior: number; shared: number }> = [];
  for (const campaign of campaigns) {
    if (campaign.decided) continue;
    const counts = new Map<number, number>();
    for (const id of campaign.callIds) {
      const p = previousOf.get(id);
      if (p !== undefined) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    for (const [prior, shared] of counts) {
      if (shared * 2 > campaign.callIds.length || shared * 2 > previous[prior]!.callIds.length) candidates.push({ campaign, prior, shared });
    }
  }
  candidates.sort((x, y) => y.shared - x.shared);
  for (const { campaign, prior } of candidates) {
    const id = previous[prior]!.id;
    if (campaign.id || taken.has(id)) continue;
    campaign.id = id;
    taken.add(id);
  }
  for (const campaign of campaigns) {
    if (campaign.id) continue;
    let id = derivedId(campaign.callIds[0]!);
    for (let n = 2; taken.has(id); n++) id = derivedId(`${campaign.callIds[0]!}#${n}`);
    campaign.id = id;
    taken.add(id);
  }
}

function derivedId(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let g = 0x9e3779b9;
  for (let i = seed.length - 1; i >= 0; i--) g = Math.imul(g ^ seed.charCodeAt(i), 0x85ebca6b);
  return `cmp_${(h >>> 0).toString(36).padStart(7, "0")}${(g >>> 0).toString(36).padStart(7, "0")}`;
}

/** Union-find whose sets carry at most one analyst's campaign: two decided campaigns never join. */
class Groups {
  private readonly parent: number[];
  private readonly anchors: Array<string | undefined>;

  constructor(anchors: Array<string | undefined>) {
    this.parent = anchors.map((_, i) => i);
    this.anchors = [...anchors];
  }

  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }

  anchorOf(root: number): string | undefined {
    return this.anchors[root];
  }

  /** Joins the sets of i and j; false when they are one already or hold different decided campaigns. */
  join(i: number, j: number): boolean {
    const a = this.find(i);
    const b = this.find(j);
    if (a === b) return false;
    const [x, y] = [this.anchors[a], this.anchors[b]];
    if (x && y && x !== y) return false;
    this.parent[b] = a;
    this.anchors[a] = x ?? y;
    return true;
  }
}
