/**
 * What must hold after any number of kills, checked against what the hub stores (read back
 * through its API) and what the webhook receiver got. Pure: the harness collects, this judges.
 */
import { derivedEventId } from "../../functions/domain/ids.js";

export interface StoredChain {
  traceback: { id: string; notes?: string; hopCount: number };
  hops: Array<{ id: string; seq: number; providerId?: string }>;
}

export interface Webhook {
  path: string;
  webhookId: string;
  type: string;
  hopId?: string;
  recipient: string;
}

export interface FeedEvent {
  id: string;
  type: string;
  data: { hopId?: string };
}

/** What the clients were told: a 201 for a creation, a 200 for an answer naming `named`. */
export interface Acknowledged {
  creations: Array<{ logical: string; tracebackId: string }>;
  answers: Array<{ tracebackId: string; seq: number; named?: string }>;
}

export interface Findings {
  hops: number;
  notifiedOnce: number;
  /** Hops whose provider never got their `hop_request.created`. */
  missing: string[];
  /** Hops notified under more than one `webhook-id`. */
  logicalDuplicates: string[];
  /** Repeated deliveries of one `webhook-id` (allowed: receivers dedupe on it). */
  physicalDuplicates: number;
  /** Deliveries that reached an endpoint other than their recipient's. */
  misdirected: number;
  /** Hops whose `hop_request.created` is not exactly once in the provider's event feed. */
  feedMismatches: string[];
  /** Logical creations stored as more than one traceback, or acknowledged and not stored. */
  duplicatedTracebacks: string[];
  lostTracebacks: string[];
  /** Chains with a gap or a repeated sequence number. */
  brokenChains: string[];
  /** Accepted answers naming an upstream whose next hop does not exist. */
  answersWithoutNextHop: string[];
}

export function judge(chains: StoredChain[], feeds: Map<string, FeedEvent[]>, webhooks: Webhook[], told: Acknowledged): Findings {
  const byHop = new Map<string, Webhook[]>();
  let misdirected = 0;
  for (const w of webhooks) {
    if (w.path !== `/hooks/${w.recipient}`) misdirected++;
    if (w.type !== "hop_request.created" || !w.hopId) continue;
    byHop.set(w.hopId, [...(byHop.get(w.hopId) ?? []), w]);
  }
  const findings: Findings = {
    hops: 0,
    notifiedOnce: 0,
    missing: [],
    logicalDuplicates: [],
    physicalDuplicates: 0,
    misdirected,
    feedMismatches: [],
    duplicatedTracebacks: [],
    lostTracebacks: [],
    brokenChains: [],
    answersWithoutNextHop: [],
  };
  const chainById = new Map(chains.map((c) => [c.traceback.id, c]));
  for (const chain of chains) {
    const seqs = chain.hops.map((h) => h.seq).sort((a, b) => a - b);
    if (seqs.some((s, i) => s !== i + 1) || seqs.length !== chain.traceback.hopCount) findings.brokenChains.push(chain.traceback.id);
    for (const hop of chain.hops) {
      if (!hop.providerId) continue;
      findings.hops++;
      const got = (byHop.get(hop.id) ?? []).filter((w) => w.path === `/hooks/${hop.providerId}`);
      const ids = new Set(got.map((w) => w.webhookId));
      findings.physicalDuplicates += got.length - ids.size;
      if (ids.size === 0) findings.missing.push(hop.id);
      else if (ids.size > 1 || !ids.has(derivedEventId(hop.id, "created"))) findings.logicalDuplicates.push(hop.id);
      else findings.notifiedOnce++;
      const inFeed = (feeds.get(hop.providerId) ?? []).filter((e) => e.type === "hop_request.created" && e.data.hopId === hop.id);
      if (inFeed.length !== 1) findings.feedMismatches.push(hop.id);
    }
  }
  const byLogical = new Map<string, string[]>();
  for (const chain of chains) {
    const logical = chain.traceback.notes;
    if (logical) byLogical.set(logical, [...(byLogical.get(logical) ?? []), chain.traceback.id]);
  }
  for (const [logical, ids] of byLogical) if (ids.length > 1) findings.duplicatedTracebacks.push(`${logical}: ${ids.join(", ")}`);
  for (const c of told.creations) if (!chainById.has(c.tracebackId)) findings.lostTracebacks.push(c.tracebackId);
  for (const a of told.answers) {
    if (!a.named) continue;
    const next = chainById.get(a.tracebackId)?.hops.find((h) => h.seq === a.seq + 1);
    if (next?.providerId !== a.named) findings.answersWithoutNextHop.push(`${a.tracebackId} hop ${a.seq}`);
  }
  return findings;
}

export function holds(f: Findings): boolean {
  return (
    f.missing.length +
      f.logicalDuplicates.length +
      f.misdirected +
      f.feedMismatches.length +
      f.duplicatedTracebacks.length +
      f.lostTracebacks.length +
      f.brokenChains.length +
      f.answersWithoutNextHop.length ===
    0
  );
}
