/**
 * What a traceback's end establishes, recorded once on the traceback when the follow-up decides
 * its outcome: the findings by kind and the providers they concern, the originator and the
 * customer it named, the point of entry. Lists, campaigns, scorecards and repeat offenders read
 * this small record instead of walking the chain again.
 */
import type { Finding } from "../shaken/findings.js";
import type { RmdFinding } from "../rmd/findings.js";
import type { SnapshotRef } from "../rmd/standing.js";
import { isInquirySeq } from "../ids.js";
import type { Hop, Traceback } from "../traceback.js";
import { accountKey, normaliseCustomer, type NamedCustomer } from "./customer.js";
import type { FindingKind, FindingRef, TracebackIntel } from "./intel.js";

export type { FindingKind, FindingRef, TracebackIntel };

/**
 * The record of a completed traceback from its chain and the findings made of it: its KYC
 * findings against the RMD and the findings of its signatures.
 */
export function intelOf(
  tb: Traceback,
  hops: readonly Hop[],
  kyc: { snapshot?: SnapshotRef; findings: readonly RmdFinding[] },
  signatureFindings: readonly Finding[],
  recordedAt: string,
): TracebackIntel {
  const chain = hops.filter((h) => !isInquirySeq(h.seq)).sort((a, b) => a.seq - b.seq);
  const signerOf = (identityIndex: number | undefined) => tb.signatures?.find((s) => s.identityIndex === identityIndex)?.signerProviderId;
  const refs = new Map<string, FindingRef>();
  const add = (code: FindingKind, providerId: string | undefined) => refs.set(`${code} ${providerId ?? ""}`, { code, ...(providerId && { providerId }) });
  for (const f of tb.callFindings ?? []) add(f.code, undefined);
  for (const f of signatureFindings) add(f.code, signerOf(f.identityIndex));
  for (const f of kyc.findings) add(f.code, f.providerId);
  const origin = chain.find((h) => h.answer?.type === "originator_identified" && h.providerId);
  const entry = chain.find((h) => h.answer?.type === "foreign_point_of_entry" && h.providerId);
  return {
    recordedAt,
    ...(kyc.snapshot && { rmdSnapshot: kyc.snapshot }),
    findings: [...refs.values()],
    ...(origin?.answer?.type === "originator_identified" && {
      originator: { providerId: origin.providerId!, hopSeq: origin.seq, customer: customerOf(origin.providerId!, origin.answer.customer) },
    }),
    ...(entry && { pointOfEntry: { providerId: entry.providerId!, hopSeq: entry.seq } }),
  };
}

function customerOf(providerId: string, named: Parameters<typeof normaliseCustomer>[0]): NamedCustomer {
  const customer = normaliseCustomer(named);
  return customer.accountReference ? { ...customer, keys: [...customer.keys, accountKey(providerId, customer.accountReference)] } : customer;
}

/** The kinds of finding a traceback is known to have: its own from creation on, and the recorded ones once it ended. */
export function findingKindsOf(tb: Traceback): FindingKind[] {
  const kinds = new Set<FindingKind>();
  for (const f of tb.callFindings ?? []) kinds.add(f.code);
  for (const s of tb.signatures ?? []) for (const f of s.findings) kinds.add(f.code);
  for (const f of tb.intel?.findings ?? []) kinds.add(f.code);
  return [...kinds];
}
