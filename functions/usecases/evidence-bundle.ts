/**
 * The evidence bundle of a traceback, for the consortium and its initiator: the chain as stored,
 * every statement about it (signed requests with their keys and receipts, the hub's decisions),
 * the signers' certificates, and each statement's log entry with its inclusion proof in the
 * latest checkpoint. The statements come from where they are kept: an answer's or amendment's
 * beside its hop (read with the chain), every other one on its log entry's item. Reads: the
 * chain (one Query), the traceback's log entries (one Query), the head, the entry of the batch
 * request that started it if one did, the tiles of every proof (one batch), the certificates.
 */
import { decodeReceiptClaims } from "../crypto/receipt.js";
import type { Principal } from "../domain/account.js";
import { ConflictError, RuleViolationError } from "../domain/errors.js";
import { decodeEntry, type LogEntry } from "../domain/log/entry.js";
import type { Decision } from "../domain/log/decisions.js";
import { consistencyProof, inclusionProofsIn } from "./log-proofs.js";
import type { StoredEntry } from "./log-ports.js";
import type { AnswerEvidence, CoreDeps, SignedExchange } from "./ports.js";
import { chainView, readableChain, type Chain } from "./tracebacks.js";

export const BUNDLE_FORMAT = "hoptrace-evidence/1";

export interface LoggedRequest extends SignedExchange {
  statementId: string;
  response?: AnswerEvidence["response"];
}

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  issuer: string;
  generatedAt: string;
  jwks: { keys: Array<Record<string, unknown>> };
  chain: Chain;
  requests: LoggedRequest[];
  decisions: Array<{ statementId: string; decision: Record<string, unknown> }>;
  certificates: Array<{ sha256: string; pem: string }>;
  log: {
    checkpoint: string;
    entries: Array<{ entry: LogEntry; index: number; proof: string[] }>;
    consistency?: { from: number; to: number; proof: string[] };
  };
}

const b64 = (h: Uint8Array) => Buffer.from(h).toString("base64");

export async function evidenceBundle(
  deps: CoreDeps,
  p: Principal,
  tracebackId: string,
  hub: { issuer: string; jwks: { keys: Array<Record<string, unknown>> } },
  opts: { trustedSize?: number } = {},
): Promise<EvidenceBundle> {
  const stored = await readableChain(deps, p, tracebackId);
  const log = deps.transparencyLog;
  const [ofTraceback, head] = await Promise.all([log.logStore.entriesOf(tracebackId), log.logStore.getHead()]);
  const entries = [...ofTraceback, ...(await batchEntriesOf(deps, tracebackId, ofTraceback))].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  const waiting = entries.filter((e) => e.index === undefined || !head || e.index >= head.size).length;
  if (waiting > 0 || !head) {
    throw new ConflictError(
      "not_integrated",
      `${waiting} statements about traceback ${tracebackId} are accepted and not integrated into the log yet; retry in a second`,
    );
  }
  if (opts.trustedSize !== undefined && opts.trustedSize > head.size) {
    throw new RuleViolationError("beyond_log", `the log has signed ${head.size} entries, not ${opts.trustedSize}`, "/trustedSize");
  }

  // Answers and amendments keep their exchange beside their hop, named by their receipt's log claim.
  const onHops = new Map<string, AnswerEvidence>();
  for (const hop of stored.hops) {
    for (const evidence of [hop.value.evidence, ...(hop.value.amendmentEvidence ?? [])]) {
      const id = evidence && decodeReceiptClaims(evidence.receipt)?.log?.id;
      if (id) onHops.set(id, evidence);
    }
  }
  const requests: LoggedRequest[] = [];
  const decisions: EvidenceBundle["decisions"] = [];
  const decoded = entries.map((e) => ({ stored: e, entry: decodeEntry(e.entry) }));
  for (const { stored: e, entry } of decoded) {
    if (entry.kind === "request") {
      const exchange = (e.evidence as SignedExchange | undefined) ?? onHops.get(e.statementId);
      if (exchange) requests.push({ statementId: e.statementId, ...exchange });
    } else if (entry.kind === "decision" && e.evidence?.decision) {
      decisions.push({ statementId: e.statementId, decision: e.evidence.decision as Record<string, unknown> });
    }
  }

  const [proofs, consistency, certificates] = await Promise.all([
    inclusionProofsIn(
      log,
      head.size,
      entries.map((e) => e.index!),
    ),
    opts.trustedSize !== undefined ? consistencyProof(log, opts.trustedSize, head.size) : undefined,
    certificatesOf(deps, stored.traceback.value.signatures ?? []),
  ]);
  return {
    format: BUNDLE_FORMAT,
    issuer: hub.issuer,
    generatedAt: deps.clock.now().toISOString(),
    jwks: hub.jwks,
    chain: chainView(stored),
    requests,
    decisions,
    certificates,
    log: {
      checkpoint: head.checkpoint,
      entries: decoded.map(({ entry, stored: e }, i) => ({ entry, index: e.index!, proof: proofs[i]!.proof.map(b64) })),
      ...(consistency && { consistency: { from: consistency.from, to: consistency.to, proof: consistency.proof.map(b64) } }),
    },
  };
}

/**
 * The entry of the batch request that started the traceback, when one did: logged under its
 * caller, it is named by the traceback's `batch_created` decision. Its calls all have the
 * traceback's initiator, who (with the consortium) is the only one to read this bundle.
 */
async function batchEntriesOf(deps: CoreDeps, tracebackId: string, ofTraceback: StoredEntry[]): Promise<StoredEntry[]> {
  const named = ofTraceback.flatMap((e) => {
    const d = e.evidence?.decision as Decision | undefined;
    return d?.type === "batch_created" && d.tracebackId === tracebackId ? [d.request] : [];
  });
  return named.length > 0 ? deps.transparencyLog.logStore.getEntries(named) : [];
}

async function certificatesOf(deps: CoreDeps, signatures: Array<{ certificateSha256?: string }>): Promise<EvidenceBundle["certificates"]> {
  const hashes = [...new Set(signatures.map((s) => s.certificateSha256).filter((h): h is string => h !== undefined))];
  const pems = await Promise.all(hashes.map((h) => deps.evidence.getCertificate(h)));
  return hashes.flatMap((sha256, i) => (pems[i] ? [{ sha256, pem: pems[i]! }] : []));
}
