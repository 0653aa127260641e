/**
 * Know-your-upstream findings of a traceback against the RMD as of its call date (47 CFR
 * 64.6305): every provider must refuse traffic from providers missing from the RMD, gateway
 * providers must file as such, and a filing's STIR/SHAKEN status must agree with the calls the
 * provider signs. Pure: the caller resolves every identity to its RMD match first
 * (`identitiesOf`), then asks for the findings.
 */
import type { HopAnswer } from "../answer-schema.js";
import type { Hop, SignatureAnalysis } from "../traceback.js";
import { filingFacts } from "./filing.js";
import type { ProviderIdentity, RmdMatch, Suggestion } from "./match.js";
import type { SnapshotRef } from "./standing.js";

import { RMD_FINDING_CODES, type RmdFindingCode } from "./finding-codes.js";

export { RMD_FINDING_CODES, type RmdFindingCode };

export interface RmdFinding {
  code: RmdFindingCode;
  severity: "info" | "warning" | "critical";
  detail: string;
  /** The registered provider the finding concerns. */
  providerId?: string;
  /** The hop whose answer or provider it concerns. */
  hopSeq?: number;
  identityIndex?: number;
  /** The provider as named, when it is not registered. */
  subject?: ProviderIdentity;
  filing?: { number: string; businessName: string };
  /** Filings of the same name, never decided: for the consortium to confirm. */
  suggestions?: Suggestion[];
}

/** Since this day every provider must refuse traffic from providers not listed in the RMD. */
export const UPSTREAM_LISTING_REQUIRED_FROM = "2024-05-28T00:00:00.000Z";

export interface RegisteredProvider {
  id: string;
  name: string;
  frn?: string;
  rmdNumber?: string;
}

export interface KycChain {
  callTimeUtc: string;
  /** The chain's hops (not the signer inquiries), terminating provider first. */
  hops: Array<Pick<Hop, "seq" | "providerId" | "answer">>;
  signatures: Array<Pick<SignatureAnalysis, "identityIndex" | "signatureValid" | "chainValid" | "signerProviderId" | "attest">>;
}

/** The snapshot in effect at the call, the registered providers involved by id, and every identity's match by key. */
export interface KycEvidence {
  snapshot?: SnapshotRef;
  providers: ReadonlyMap<string, RegisteredProvider>;
  matches: ReadonlyMap<string, RmdMatch>;
}

export function identityKey(i: ProviderIdentity): string {
  return JSON.stringify([i.rmdNumber ?? null, i.frn ?? null, i.name ?? null]);
}

export function identityOfProvider(p: RegisteredProvider): ProviderIdentity {
  return { name: p.name, ...(p.frn && { frn: p.frn }), ...(p.rmdNumber && { rmdNumber: p.rmdNumber.toUpperCase() }) };
}

/** The registered providers a chain involves: on the path, named as upstream, or signing the call. */
export function providerIdsOf(chain: KycChain): string[] {
  const ids = new Set<string>();
  for (const hop of chain.hops) {
    if (hop.providerId) ids.add(hop.providerId);
    const up = upstreamOf(hop.answer);
    if (up && "providerId" in up) ids.add(up.providerId);
  }
  for (const s of chain.signatures) if (s.signerProviderId) ids.add(s.signerProviderId);
  return [...ids];
}

/** Every identity whose RMD match the findings need, given the registered providers involved. */
export function identitiesOf(chain: KycChain, providers: ReadonlyMap<string, RegisteredProvider>): ProviderIdentity[] {
  const out = new Map<string, ProviderIdentity>();
  const add = (i: ProviderIdentity) => out.set(identityKey(i), i);
  for (const p of providers.values()) add(identityOfProvider(p));
  for (const hop of chain.hops) {
    const up = upstreamOf(hop.answer);
    if (up && !("providerId" in up)) add(namedIdentity(up));
  }
  return [...out.values()];
}

export function kycFindings(chain: KycChain, evidence: KycEvidence): RmdFinding[] {
  const matchOf = (i: ProviderIdentity): RmdMatch => {
    const m = evidence.matches.get(identityKey(i));
    if (!m) throw new Error(`no RMD match was gathered for ${identityKey(i)}`);
    return m;
  };
  if (!evidence.snapshot) {
    return [
      { code: "rmd_no_snapshot", severity: "info", detail: `no RMD snapshot was taken at or before the call (${chain.callTimeUtc}): nothing was checked` },
    ];
  }
  return [
    ...upstreamFindings(chain, evidence, matchOf),
    ...gatewayFindings(chain, evidence, matchOf),
    ...signerFindings(chain, evidence, matchOf),
    ...registrationFindings(evidence, matchOf),
  ];
}

type MatchOf = (i: ProviderIdentity) => RmdMatch;

function upstreamFindings(chain: KycChain, evidence: KycEvidence, matchOf: MatchOf): RmdFinding[] {
  const out: RmdFinding[] = [];
  const ruleInForce = chain.callTimeUtc >= UPSTREAM_LISTING_REQUIRED_FROM;
  for (const hop of chain.hops) {
    const up = upstreamOf(hop.answer);
    if (!up) continue;
    const registered = "providerId" in up ? evidence.providers.get(up.providerId) : undefined;
    const identity = registered ? identityOfProvider(registered) : namedIdentity(up as NamedUpstream);
    const about = {
      hopSeq: hop.seq,
      ...(registered ? { providerId: registered.id } : { subject: identity }),
    };
    const who = describe(identity);
    const m = matchOf(identity);
    let problem: string | undefined;
    if (m.listing === "unverifiable") {
      out.push({
        code: "upstream_rmd_unverifiable",
        severity: "info",
        detail: `upstream ${who} was named without an FRN or RMD number: its RMD listing cannot be checked`,
        ...about,
        ...suggested(m),
      });
      continue;
    }
    if (m.listing === "not_listed") {
      problem = `upstream ${who} has no filing in the RMD as of the call`;
      out.push({ code: "upstream_not_in_rmd", severity: "critical", detail: problem, ...about, ...suggested(m) });
    } else if (m.listing === "removed") {
      problem = `upstream ${who} was removed from the RMD (${m.filing!.number}) in the snapshot of ${m.removedIn!.asOf}, before the call`;
      out.push({ code: "upstream_removed_from_rmd", severity: "critical", detail: problem, ...about, ...filed(m) });
    }
    if (problem && hop.providerId) {
      out.push({
        code: "accepted_from_unlisted_upstream",
        severity: ruleInForce ? "critical" : "info",
        detail: `${hop.providerId} accepted the call from ${who}, which was not listed in the RMD${ruleInForce ? "" : " (before 2024-05-28, when refusing such traffic became required of every provider)"}`,
        providerId: hop.providerId,
        hopSeq: hop.seq,
      });
    }
  }
  return out;
}

function gatewayFindings(chain: KycChain, evidence: KycEvidence, matchOf: MatchOf): RmdFinding[] {
  const out: RmdFinding[] = [];
  for (const hop of chain.hops) {
    if (hop.answer?.type !== "foreign_point_of_entry" || !hop.providerId) continue;
    const provider = evidence.providers.get(hop.providerId);
    if (!provider) continue;
    const m = matchOf(identityOfProvider(provider));
    const about = { providerId: provider.id, hopSeq: hop.seq };
    if (m.listing !== "listed") {
      const why = m.listing === "unverifiable" ? "has no FRN or RMD number to check" : "has no listed filing in the RMD as of the call";
      out.push({
        code: "gateway_not_filed_as_gateway",
        severity: "critical",
        detail: `point of entry ${describe(identityOfProvider(provider))} ${why}`,
        ...about,
        ...suggested(m),
      });
      continue;
    }
    const gateway = filingFacts(m.filing!).gatewayProvider;
    if (gateway === true) continue;
    out.push({
      code: "gateway_not_filed_as_gateway",
      severity: gateway === false ? "critical" : "warning",
      detail: `point of entry ${describe(identityOfProvider(provider))} received the call from abroad, but its filing ${m.filing!.number} ${gateway === false ? "says it is not a gateway provider" : "does not say whether it is a gateway provider"}`,
      ...about,
      ...filed(m),
    });
  }
  return out;
}

function signerFindings(chain: KycChain, evidence: KycEvidence, matchOf: MatchOf): RmdFinding[] {
  const out: RmdFinding[] = [];
  for (const s of chain.signatures) {
    if (!s.signatureValid || !s.chainValid || s.attest !== "A" || !s.signerProviderId) continue;
    const provider = evidence.providers.get(s.signerProviderId);
    if (!provider) continue;
    const m = matchOf(identityOfProvider(provider));
    if (m.listing !== "listed" || filingFacts(m.filing!).implementation !== "none") continue;
    out.push({
      code: "signed_a_without_shaken",
      severity: "critical",
      detail: `${describe(identityOfProvider(provider))} signed the call with A attestation, but its filing ${m.filing!.number} says it has not implemented STIR/SHAKEN`,
      providerId: provider.id,
      identityIndex: s.identityIndex,
      ...filed(m),
    });
  }
  return out;
}

function registrationFindings(evidence: KycEvidence, matchOf: MatchOf): RmdFinding[] {
  const out: RmdFinding[] = [];
  for (const provider of evidence.providers.values()) {
    const identity = identityOfProvider(provider);
    const m = matchOf(identity);
    const who = describe(identity);
    if (m.listing === "unverifiable") {
      out.push({
        code: "registered_rmd_unverifiable",
        severity: "info",
        detail: `${who} is registered without an FRN or RMD number`,
        providerId: provider.id,
        ...suggested(m),
      });
    } else if (m.listing === "not_listed" || m.listing === "removed") {
      const detail =
        m.listing === "removed"
          ? `the filing of ${who} (${m.filing!.number}) was removed from the RMD in the snapshot of ${m.removedIn!.asOf}`
          : `no filing in the RMD matches the FRN or RMD number of ${who}`;
      out.push({ code: "registered_rmd_mismatch", severity: "warning", detail, providerId: provider.id, ...filed(m), ...suggested(m) });
    } else if (m.mismatch) {
      out.push({ code: "registered_rmd_mismatch", severity: "warning", detail: `${who}: ${m.mismatch}`, providerId: provider.id, ...filed(m) });
    }
  }
  return out;
}

type NamedUpstream = Exclude<Extract<HopAnswer, { type: "upstream_identified" }>["upstream"], { providerId: string }>;

function upstreamOf(answer: HopAnswer | undefined): Extract<HopAnswer, { type: "upstream_identified" }>["upstream"] | undefined {
  return answer?.type === "upstream_identified" ? answer.upstream : undefined;
}

function namedIdentity(up: NamedUpstream): ProviderIdentity {
  return { name: up.name, ...(up.frn && { frn: up.frn }), ...(up.rmdNumber && { rmdNumber: up.rmdNumber.toUpperCase() }) };
}

function describe(i: ProviderIdentity): string {
  const ids = [i.rmdNumber, i.frn && `FRN ${i.frn}`].filter(Boolean).join(", ");
  return `${i.name ?? "(unnamed)"}${ids ? ` (${ids})` : ""}`;
}

function filed(m: RmdMatch): Pick<RmdFinding, "filing"> {
  return m.filing ? { filing: { number: m.filing.number, businessName: m.filing.business_name } } : {};
}

function suggested(m: RmdMatch): Pick<RmdFinding, "suggestions"> {
  return m.suggestions.length > 0 ? { suggestions: m.suggestions } : {};
}
