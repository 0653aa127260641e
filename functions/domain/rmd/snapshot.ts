/**
 * A snapshot is one import of the whole export. It is kept as a manifest (each filing's number,
 * digest, FRNs, name keys and the snapshot whose version holds it as listed: enough to diff the
 * next snapshot, fetch what it changes in one batch, and find filings by FRN or name) and as
 * versions, written only for the filings it adds, changes or removes.
 */
import { businessNameKey } from "../business-name.js";
import { fieldChanges, filingDigest, filingFacts, type RmdFiling } from "./filing.js";
import type { FilingVersion, SnapshotRef } from "./standing.js";

export interface ManifestEntry {
  number: string;
  digest: string;
  frns: string[];
  nameKeys: string[];
  /** The snapshot that wrote the version holding the filing as listed (it was added or last changed there). */
  listedIn: SnapshotRef;
}

export function manifestEntry(f: RmdFiling, listedIn: SnapshotRef): ManifestEntry {
  const facts = filingFacts(f);
  return {
    number: f.number,
    digest: filingDigest(f),
    frns: facts.frns,
    nameKeys: [...new Set(facts.names.map(businessNameKey).filter((k) => k.length > 0))],
    listedIn,
  };
}

export interface SnapshotPlan {
  manifest: ManifestEntry[];
  added: RmdFiling[];
  /** Filings whose digest differs from the previous snapshot's. */
  changed: RmdFiling[];
  /** Entries of the previous snapshot that this one no longer lists. */
  removed: ManifestEntry[];
  unchanged: number;
  /** The previous snapshot's entries of the changed and removed filings: their versions are needed to diff them. */
  priorOfChanges: ManifestEntry[];
}

/** What a new export, to be snapshot `at`, changes against the previous snapshot (none: every filing is added). */
export function planSnapshot(previous: readonly ManifestEntry[] | undefined, filings: readonly RmdFiling[], at: SnapshotRef): SnapshotPlan {
  const before = new Map((previous ?? []).map((e) => [e.number, e]));
  const manifest: ManifestEntry[] = [];
  const added: RmdFiling[] = [];
  const changed: RmdFiling[] = [];
  const priorOfChanges: ManifestEntry[] = [];
  let unchanged = 0;
  for (const f of filings) {
    const entry = manifestEntry(f, at);
    const prior = before.get(f.number);
    if (!prior) added.push(f);
    else if (prior.digest !== entry.digest) {
      changed.push(f);
      priorOfChanges.push(prior);
    } else {
      unchanged += 1;
      entry.listedIn = prior.listedIn;
    }
    manifest.push(entry);
  }
  const listed = new Set(filings.map((f) => f.number));
  const removed = [...before.values()].filter((e) => !listed.has(e.number));
  return { manifest, added, changed, removed, unchanged, priorOfChanges: [...priorOfChanges, ...removed] };
}

/**
 * The versions a snapshot writes. `lastListed` holds, for every changed or removed filing, the
 * filing as the previous snapshot listed it (the versions `priorOfChanges` points at).
 */
export function versionsOf(plan: SnapshotPlan, at: SnapshotRef, lastListed: ReadonlyMap<string, RmdFiling>): FilingVersion[] {
  const prior = (number: string): RmdFiling => {
    const f = lastListed.get(number);
    if (!f) throw new Error(`the previous version of ${number} is missing`);
    return f;
  };
  return [
    ...plan.added.map((filing) => ({ number: filing.number, ...at, change: "added" as const, filing })),
    ...plan.changed.map((filing) => ({
      number: filing.number,
      ...at,
      change: "changed" as const,
      filing,
      changes: fieldChanges(prior(filing.number), filing),
    })),
    ...plan.removed.map((e) => ({ number: e.number, ...at, change: "removed" as const, filing: prior(e.number) })),
  ];
}

/**
 * A snapshot removing this share of the previous one is far more likely a truncated or wrong
 * file than the FCC's doing (its largest removal, 1,203 filings in August 2025, was about a
 * tenth of the database): it is refused unless the importer says it is intended.
 */
export const MASS_REMOVAL_SHARE = 0.25;

export function isMassRemoval(previousCount: number, removedCount: number): boolean {
  return previousCount > 0 && removedCount / previousCount > MASS_REMOVAL_SHARE;
}
