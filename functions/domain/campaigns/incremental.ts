/**
 * Assigning calls to campaigns one at a time, as tracebacks are created and completed, with the
 * signals of the batch clustering (cluster.ts): each call keeps a small profile (its transcript
 * shingles and the values it can share) and is filed under lookup keys (LSH bands of its MinHash
 * signature, its numbers, signer and customer), so the calls it may belong with are found by
 * reading a few index partitions, never all calls. It joins the campaign of the candidate it links
 * with best, by the same scores and the same threshold of a full link.
 */
import type { CampaignCall } from "./call.js";
import { DEFAULT_CLUSTER_OPTIONS, featuresOf, sharedValues, type ClusterOptions, type LinkSignal, type ValueSignal } from "./cluster.js";
import { jaccard, minHasher } from "./text.js";

export interface CallProfile {
  id: string;
  callTime: string;
  /** The transcript's shingle hashes, sorted; absent when it is too short to compare. */
  shingles?: number[];
  values: Array<[ValueSignal, string]>;
}

export interface IncrementalOptions extends Pick<ClusterOptions, "minTranscriptChars" | "weights"> {
  bands: number;
  rows: number;
  /** The plain Jaccard similarity that links two transcripts on its own; less counts in proportion. */
  textThreshold: number;
  /** Calls read per lookup key, newest first: a key shared more widely than this is common, not evidence. */
  candidatesPerKey: number;
}

export const DEFAULT_INCREMENTAL_OPTIONS: IncrementalOptions = {
  minTranscriptChars: DEFAULT_CLUSTER_OPTIONS.minTranscriptChars,
  weights: DEFAULT_CLUSTER_OPTIONS.weights,
  bands: 16,
  rows: 3,
  textThreshold: 0.35,
  candidatesPerKey: 25,
};

export function profileOf(call: CampaignCall, options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): CallProfile {
  const f = featuresOf(call, options);
  return { id: call.id, callTime: call.callTime, values: f.values, ...(f.set && { shingles: Array.from(f.set) }) };
}

/**
 * The keys a call is filed and looked up under. A certificate is shared by every call a carrier
 * signs: it supports a link, it does not find candidates.
 */
export function lookupKeysOf(profile: CallProfile, options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): string[] {
  const out = profile.values.filter(([signal]) => signal !== "signer_certificate").map(([signal, value]) => `${signal}:${value}`);
  if (profile.shingles && profile.shingles.length > 0) {
    const signature = minHasher(options.bands * options.rows).signature(Uint32Array.from(profile.shingles));
    for (let band = 0; band < options.bands; band++) out.push(`text:${band}:${bandHash(signature.subarray(band * options.rows, (band + 1) * options.rows))}`);
  }
  return out;
}

/**
 * The lookup keys in the order they are read: first those that reach few calls; then the broad
 * ones, number blocks of a thousand numbers each, which `mayLinkUnseen` says whether to read at all.
 */
export function lookupRounds(profile: CallProfile, options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): { first: string[]; broad: string[] } {
  const keys = lookupKeysOf(profile, options);
  const isBroad = (k: string) => k.startsWith("number_block:");
  return { first: keys.filter((k) => !isBroad(k)), broad: keys.filter(isBroad) };
}

/**
 * Whether a call filed under none of `readWhole` (keys whose calls were all read) could still link
 * with this one. Without a transcript a link needs shared values worth 1: when those left unread
 * cannot add up to that, reading more keys finds nothing that links.
 */
export function mayLinkUnseen(profile: CallProfile, readWhole: ReadonlySet<string>, options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): boolean {
  if (profile.shingles && profile.shingles.length > 0) return true;
  const unread = profile.values.filter(([signal, value]) => !readWhole.has(`${signal}:${value}`));
  return unread.reduce((sum, [signal]) => sum + options.weights[signal], 0) >= 1;
}

function bandHash(rows: Uint32Array): string {
  let h = 0x811c9dc5;
  for (const x of rows) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h.toString(36);
}

export interface CallLink {
  to: string;
  score: number;
  signals: LinkSignal[];
}

/** How a call links with another: its score (1 or more is a link) and the signals that made it. */
export function linkBetween(a: CallProfile, b: CallProfile, options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): CallLink {
  const signals: LinkSignal[] = [];
  let score = 0;
  if (a.shingles && b.shingles) {
    const similarity = jaccard(a.shingles, b.shingles);
    if (similarity >= options.textThreshold / 4) {
      score += similarity / options.textThreshold;
      signals.push({ signal: "transcript", similarity: Math.round(similarity * 100) / 100 });
    }
  }
  const shared = sharedValues(a.values, b.values, options);
  return { to: b.id, score: score + shared.score, signals: [...signals, ...shared.signals] };
}

/** The candidates the call links with, strongest first. */
export function linksOf(profile: CallProfile, candidates: readonly CallProfile[], options: IncrementalOptions = DEFAULT_INCREMENTAL_OPTIONS): CallLink[] {
  return candidates
    .filter((c) => c.id !== profile.id)
    .map((c) => linkBetween(profile, c, options))
    .filter((l) => l.score >= 1)
    .sort((x, y) => y.score - x.score || x.to.localeCompare(y.to));
}

/**
 * What a new call's links do to the campaigns of the calls it links with: it joins the campaign
 * of its strongest link (or founds one with that call), brings along linked calls in no
 * campaign, and joins the campaigns it links with at least `mergeAfter` times into that one when
 * no analyst decided on either. Pure: the caller resolves each linked call's campaign.
 */
export interface Placement {
  /** The campaign the call joins; `founded` when it is a new one, started by the strongest link's call. */
  campaignId: string;
  founded: boolean;
  /** Linked calls in no campaign, which join it too. */
  alsoJoining: string[];
  /** Campaigns to fold into it. */
  merging: string[];
  link: CallLink;
}

export function placeCall(
  links: readonly CallLink[],
  campaignOf: ReadonlyMap<string, { id: string; decided: boolean }>,
  newCampaignId: (foundingCallId: string) => string,
  mergeAfter = 2,
): Placement | undefined {
  const best = links[0];
  if (!best) return undefined;
  const existing = campaignOf.get(best.to);
  const campaignId = existing?.id ?? newCampaignId(best.to);
  const alsoJoining = links.filter((l) => !campaignOf.has(l.to) && l.to !== best.to).map((l) => l.to);
  const linksTo = new Map<string, number>();
  for (const l of links) {
    const c = campaignOf.get(l.to);
    if (c && c.id !== campaignId && !c.decided) linksTo.set(c.id, (linksTo.get(c.id) ?? 0) + 1);
  }
  const merging = existing?.decided
    ? []
    : [...linksTo]
        .filter(([, n]) => n >= mergeAfter)
        .map(([id]) => id)
        .sort();
  return {
    campaignId,
    founded: !existing,
    alsoJoining: existing ? alsoJoining : [best.to, ...alsoJoining].filter((id, i, xs) => xs.indexOf(id) === i),
    merging,
    link: best,
  };
}
