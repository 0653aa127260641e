/**
 * Reading the RMD snapshots: the imports and their diffs, "was this provider in the RMD on that
 * date?", and the know-your-upstream findings of a traceback as of its call.
 */
import { isConsortium, type Principal } from "../domain/account.js";
import { canReadTraceback } from "../domain/access.js";
import { businessNameKey } from "../domain/business-name.js";
import { ForbiddenError, NotFoundError } from "../domain/errors.js";
import { isInquirySeq } from "../domain/ids.js";
import { mapLimit } from "../domain/map-limit.js";
import type { RmdFiling } from "../domain/rmd/filing.js";
import { identitiesOf, identityKey, kycFindings, providerIdsOf, type KycChain, type RegisteredProvider, type RmdFinding } from "../domain/rmd/findings.js";
import { matchIdentity, type IdentityEvidence, type ProviderIdentity, type RmdMatch } from "../domain/rmd/match.js";
import { filingOf, standingOf, type ChangeKind, type FilingVersion, type RmdStanding, type SnapshotRef } from "../domain/rmd/standing.js";
import type { Hop, Traceback } from "../domain/traceback.js";
import type { CoreDeps as RmdDeps, Page, PageRequest } from "./ports.js";
import type { RmdImport } from "./rmd-ports.js";

/** Name suggestions are for a person to read; a handful is enough. */
const MAX_SUGGESTIONS = 5;
const READS_IN_FLIGHT = 8;

function consortiumOnly(p: Principal): void {
  if (!isConsortium(p)) throw new ForbiddenError("the RMD snapshots are for the consortium");
}

export async function listImports(deps: RmdDeps, p: Principal, page: PageRequest): Promise<Page<RmdImport>> {
  consortiumOnly(p);
  return deps.rmd.listImports(page);
}

export async function getImport(deps: RmdDeps, p: Principal, importId: string): Promise<RmdImport> {
  consortiumOnly(p);
  const imp = await deps.rmd.getImport(importId);
  if (!imp) throw new NotFoundError(`RMD import ${importId} not found`);
  return imp;
}

export async function listImportChanges(deps: RmdDeps, p: Principal, importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>> {
  await getImport(deps, p, importId);
  return deps.rmd.listChanges(importId, page, kind);
}

export interface RmdLookup {
  at: string;
  snapshot?: SnapshotRef;
  match: RmdMatch;
  /** The standing of the RMD number asked about, and of every filing that ever listed the FRN. */
  standings: RmdStanding[];
}

/** Was the provider with this RMD number and/or FRN in the RMD at `at`? */
export async function lookUp(deps: RmdDeps, p: Principal, identity: ProviderIdentity, at: string): Promise<RmdLookup> {
  consortiumOnly(p);
  const snapshot = await deps.rmd.snapshotAt(at);
  const evidence = await evidenceFor(deps, identity, snapshot);
  return {
    at,
    ...(snapshot && { snapshot }),
    match: matchIdentity(identity, evidence),
    standings: [...(evidence.number ? [evidence.number] : []), ...evidence.frn.filter((s) => s !== evidence.number)],
  };
}

/** A registered provider's RMD match at `at` (the consortium, or the provider itself). */
export async function providerMatch(deps: RmdDeps, p: Principal, providerId: string, at: string): Promise<{ providerId: string; at: string; match: RmdMatch }> {
  const account = p.kind === "consortium" || p.accountId === providerId ? await deps.accounts.getAccount(providerId) : undefined;
  if (!account || account.kind !== "provider") throw new NotFoundError(`provider ${providerId} not found`);
  const identity = { name: account.name, ...(account.frn && { frn: account.frn }), ...(account.rmdNumber && { rmdNumber: account.rmdNumber.toUpperCase() }) };
  const snapshot = await deps.rmd.snapshotAt(at);
  return { providerId, at, match: matchIdentity(identity, await evidenceFor(deps, identity, snapshot)) };
}

export interface TracebackRmdFindings {
  tracebackId: string;
  callTimeUtc: string;
  snapshot?: SnapshotRef;
  findings: RmdFinding[];
}

/**
 * The chain of a traceback checked against the RMD as it stood at the call: as recorded when the
 * traceback ended, or as it stands so far while it runs.
 */
export async function tracebackFindings(deps: RmdDeps, p: Principal, tracebackId: string): Promise<TracebackRmdFindings & { recordedAt?: string }> {
  const chain = await deps.tracebacks.getChain(tracebackId);
  if (!chain || !canReadTraceback(p, chain.traceback.value)) throw new NotFoundError(`traceback ${tracebackId} not found`);
  const tb = chain.traceback.value;
  const recorded = tb.status === "completed" ? await deps.tracebacks.getKycRecord(tracebackId) : undefined;
  if (recorded) return recorded;
  return kycOf(
    deps,
    tb,
    chain.hops.map((h) => h.value),
  );
}

/** The KYC findings of a chain against the snapshot in effect at its call. */
export async function kycOf(deps: Pick<RmdDeps, "rmd" | "accounts">, tb: Traceback, hops: readonly Hop[]): Promise<TracebackRmdFindings> {
  const kyc: KycChain = {
    callTimeUtc: tb.call.callTimeUtc,
    hops: hops.filter((h) => !isInquirySeq(h.seq)).sort((a, b) => a.seq - b.seq),
    signatures: tb.signatures ?? [],
  };
  const snapshot = await deps.rmd.snapshotAt(kyc.callTimeUtc);
  const providers = new Map<string, RegisteredProvider>();
  for (const account of await mapLimit(providerIdsOf(kyc), READS_IN_FLIGHT, (id) => deps.accounts.getAccount(id))) {
    if (account?.kind === "provider")
      providers.set(account.id, {
        id: account.id,
        name: account.name,
        ...(account.frn && { frn: account.frn }),
        ...(account.rmdNumber && { rmdNumber: account.rmdNumber }),
      });
  }
  const matches = new Map<string, RmdMatch>();
  if (snapshot) {
    const identities = identitiesOf(kyc, providers);
    const found = await mapLimit(identities, READS_IN_FLIGHT, async (i) => matchIdentity(i, await evidenceFor(deps, i, snapshot)));
    identities.forEach((i, n) => matches.set(identityKey(i), found[n]!));
  }
  return {
    tracebackId: tb.id,
    callTimeUtc: kyc.callTimeUtc,
    ...(snapshot && { snapshot }),
    findings: kycFindings(kyc, { ...(snapshot && { snapshot }), providers, matches }),
  };
}

/**
 * What the snapshot says about an identity. Name suggestions are looked for only when neither
 * the RMD number nor the FRN decided, since they are never more than suggestions.
 */
async function evidenceFor(deps: Pick<RmdDeps, "rmd">, identity: ProviderIdentity, snapshot: SnapshotRef | undefined): Promise<IdentityEvidence> {
  if (!snapshot) return { frn: [], sameName: [] };
  const standing = async (number: string) => standingOf(snapshot, await deps.rmd.latestVersion(number, snapshot));
  const number = identity.rmdNumber ? await standing(identity.rmdNumber) : undefined;
  const frnNumbers = identity.frn ? (await numbersWithFrn(deps, identity.frn, snapshot)).filter((n) => n !== identity.rmdNumber) : [];
  const frn = [...(number ? [number] : []), ...(await mapLimit(frnNumbers, READS_IN_FLIGHT, standing))];
  const evidence: IdentityEvidence = { snapshot, ...(number && { number }), frn, sameName: [] };
  const decided = matchIdentity(identity, evidence).listing;
  if ((decided !== "not_listed" && decided !== "unverifiable") || !identity.name) return evidence;
  return { ...evidence, sameName: await sameName(deps, identity.name, snapshot) };
}

/** Filings listing the FRN in the snapshot, and those removed while they listed it. */
async function numbersWithFrn(deps: Pick<RmdDeps, "rmd">, frn: string, snapshot: SnapshotRef): Promise<string[]> {
  const [manifest, removed] = await Promise.all([deps.rmd.manifest(snapshot.importId), deps.rmd.removedWithFrn(frn)]);
  return [...new Set([...manifest.filter((e) => e.frns.includes(frn)).map((e) => e.number), ...removed])];
}

async function sameName(deps: Pick<RmdDeps, "rmd">, name: string, snapshot: SnapshotRef): Promise<RmdFiling[]> {
  const key = businessNameKey(name);
  if (!key) return [];
  const numbers = (await deps.rmd.manifest(snapshot.importId))
    .filter((e) => e.nameKeys.includes(key))
    .slice(0, MAX_SUGGESTIONS)
    .map((e) => e.number);
  const standings = await mapLimit(numbers, READS_IN_FLIGHT, async (n) => standingOf(snapshot, await deps.rmd.latestVersion(n, snapshot)));
  return standings.flatMap((s) => (s.state === "listed" ? [filingOf(s)!] : []));
}
