/**
 * Matching a provider (registered, or named in an answer) to its RMD filing on a date. Only the
 * RMD number and the FRN decide: the number names a filing, the FRN names the registrant. A name
 * only suggests filings for a person to confirm, never a match.
 */
import { filingFacts, type RmdFiling } from "./filing.js";
import type { RmdStanding, SnapshotRef } from "./standing.js";

export interface ProviderIdentity {
  name?: string;
  frn?: string;
  rmdNumber?: string;
}

/** What the snapshots say about an identity on one date, gathered by the caller. */
export interface IdentityEvidence {
  snapshot?: SnapshotRef;
  /** The standing of the identity's RMD number, when it has one. */
  number?: RmdStanding;
  /** The standings of every filing that ever listed the identity's FRN. */
  frn: RmdStanding[];
  /** Filings listed under the snapshot whose business or DBA name matches the identity's name. */
  sameName: RmdFiling[];
}

export type Listing = "listed" | "removed" | "not_listed" | "unverifiable" | "no_snapshot";

export interface Suggestion {
  number: string;
  businessName: string;
  frn?: string;
}

export interface RmdMatch {
  /** Whether the provider had a listed filing on the date, decided by RMD number or FRN alone. */
  listing: Listing;
  snapshot?: SnapshotRef;
  /** The filing matched (listed), or as it was last listed (removed). */
  filing?: RmdFiling;
  by?: Array<"rmd_number" | "frn">;
  removedIn?: SnapshotRef;
  /** The RMD number and the FRN do not point at the same listed filing. */
  mismatch?: string;
  /** Filings of the same name, when neither the number nor the FRN decided: for a person to confirm. */
  suggestions: Suggestion[];
}

export function matchIdentity(identity: ProviderIdentity, evidence: IdentityEvidence): RmdMatch {
  const snapshot = evidence.snapshot;
  if (!snapshot) return { listing: "no_snapshot", suggestions: [] };
  const { rmdNumber, frn } = identity;
  if (!rmdNumber && !frn) return { listing: "unverifiable", snapshot, suggestions: suggestions(evidence) };

  const listsFrn = (s: RmdStanding): boolean => (s.state === "listed" || s.state === "removed") && filingFacts(s.filing).frns.includes(frn!);
  const frnListed = frn ? evidence.frn.find((s) => s.state === "listed" && listsFrn(s)) : undefined;
  const number = rmdNumber ? evidence.number : undefined;

  if (number?.state === "listed") {
    const frns = filingFacts(number.filing).frns;
    if (frn && !frns.includes(frn)) {
      const elsewhere = frnListed?.state === "listed" ? `; FRN ${frn} is filed as ${frnListed.filing.number}` : "";
      return {
        listing: "listed",
        snapshot,
        filing: number.filing,
        by: ["rmd_number"],
        mismatch: `${rmdNumber} is filed under FRN ${frns.join(", ") || "(none)"}, not ${frn}${elsewhere}`,
        suggestions: [],
      };
    }
    return { listing: "listed", snapshot, filing: number.filing, by: frn ? ["rmd_number", "frn"] : ["rmd_number"], suggestions: [] };
  }
  const numberProblem =
    number?.state === "removed"
      ? `${rmdNumber} was removed from the RMD in the snapshot of ${number.removedIn.asOf}`
      : rmdNumber
        ? `${rmdNumber} is not in the RMD`
        : undefined;
  if (frnListed?.state === "listed") {
    const filing = frnListed.filing;
    return {
      listing: "listed",
      snapshot,
      filing,
      by: ["frn"],
      ...(numberProblem && { mismatch: `${numberProblem}; FRN ${frn} is filed as ${filing.number}` }),
      suggestions: [],
    };
  }
  const removed = number?.state === "removed" ? number : frn ? evidence.frn.find((s) => s.state === "removed" && listsFrn(s)) : undefined;
  if (removed?.state === "removed") {
    return {
      listing: "removed",
      snapshot,
      filing: removed.filing,
      by: number === removed ? ["rmd_number"] : ["frn"],
      removedIn: removed.removedIn,
      suggestions: [],
    };
  }
  return { listing: "not_listed", snapshot, suggestions: suggestions(evidence) };
}

function suggestions(evidence: IdentityEvidence): Suggestion[] {
  return evidence.sameName.map((f) => ({ number: f.number, businessName: f.business_name, ...(f.frn && { frn: f.frn }) }));
}
