/**
 * The offline verifier of an evidence bundle. Nothing from the hub is trusted but its JWKS
 * (obtained by the reader, or, failing that, the one the bundle carries, which is said): every
 * signed request, key and receipt is checked (bundle-requests.ts), every statement's log entry
 * and its inclusion in the signed checkpoint, optionally the checkpoint's consistency with one
 * the reader trusts (log-evidence.ts), the certificates, and the chain against its statements
 * (bundle-chain.ts). The report says, hop by hop, what holds and what does not.
 */
import "reflect-metadata";
import { createHash } from "node:crypto";
import { PemConverter } from "@peculiar/x509";
import type { Decision } from "../domain/log/decisions.js";
import type { LogEntry } from "../domain/log/entry.js";
import { EvidenceBundleSchema, type EvidenceBundleBody } from "../http/schemas/evidence-bundle.js";
import { checkChain } from "./bundle-chain.js";
import { checkRequest, type CheckedRequest } from "./bundle-requests.js";
import { checkLogEvidence, type LogEvidenceReport } from "./log-evidence.js";

export interface StatementReport {
  statementId: string;
  kind: "request" | "decision";
  /** What it is, e.g. `answer`, `creation`, or the decision's type. */
  label: string;
  signer?: { accountId: string; keyId: string };
  acceptedAt?: string;
  index?: number;
  ok: boolean;
  problems: string[];
}

export interface HopReport {
  seq: number;
  id: string;
  providerId?: string;
  status: string;
  ok: boolean;
  problems: string[];
  statements: StatementReport[];
}

export interface BundleReport {
  ok: boolean;
  tracebackId?: string;
  outcome?: string;
  /** Where the hub's keys came from: the reader's own JWKS, or the bundle itself. */
  keysFrom: "given" | "bundle";
  checkpoint?: LogEvidenceReport["checkpoint"];
  trusted?: LogEvidenceReport["trusted"];
  /** Problems of the bundle as a whole: its form, its log evidence, its certificates. */
  problems: string[];
  traceback: { problems: string[]; statements: StatementReport[] };
  hops: HopReport[];
  /** Facts that rest on the hub's word alone. */
  notes: string[];
}

export interface BundleVerifyOptions {
  /** The hub's JWKS as the reader obtained it (its `/.well-known/jwks.json`). */
  jwks?: { keys: object[] };
  /** A checkpoint the reader already trusts (a witness's, an earlier bundle's). */
  trustedCheckpoint?: string;
  /** The consistency proof between the trusted checkpoint and the bundle's, when the bundle has none. */
  consistency?: { from: number; to: number; proof: string[] };
}

const LABELS: Record<string, string> = {
  create: "creation",
  create_batch: "batch creation",
  close: "closing",
  reopen: "reopening",
  answer: "answer",
  amend: "amendment",
  assign: "assignment",
};

export async function verifyBundle(input: unknown, opts: BundleVerifyOptions = {}): Promise<BundleReport> {
  const parsed = EvidenceBundleSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => `/${i.path.join("/")}: ${i.message}`);
    return {
      ok: false,
      keysFrom: opts.jwks ? "given" : "bundle",
      problems: [`not an evidence bundle (${where.join("; ")})`],
      traceback: { problems: [], statements: [] },
      hops: [],
      notes: [],
    };
  }
  const bundle = parsed.data;
  const tbId = bundle.chain.traceback.id;
  const jwks = opts.jwks ?? bundle.jwks;
  const problems: string[] = [];
  const notes: string[] = opts.jwks
    ? []
    : ["the hub's keys were taken from the bundle itself: give --jwks with the JWKS you obtained from the hub to know who signed it"];

  const entries = new Map<string, LogEntry>(bundle.log.entries.map((e) => [e.entry.id, e.entry]));
  const statements = new Map<string, unknown>([
    ...bundle.requests.map((r) => [r.statementId, r.request] as const),
    ...bundle.decisions.map((d) => [d.statementId, d.decision] as const),
  ]);
  const consistency = opts.consistency ?? bundle.log.consistency;
  const log = checkLogEvidence(
    {
      checkpoint: bundle.log.checkpoint,
      entries: bundle.log.entries.map((e) => ({ ...e, ...(statements.has(e.entry.id) && { statement: statements.get(e.entry.id) }) })),
      ...(consistency && { consistency }),
    },
    jwks,
    opts.trustedCheckpoint !== undefined ? { trustedCheckpoint: opts.trustedCheckpoint } : {},
  );
  problems.push(...log.problems);
  const byEntry = new Map(log.entries.map((e) => [e.id, e]));

  // The batch request that started the traceback concerns many: it is logged under its caller,
  // and is in the bundle as the traceback's logged `batch_created` decision names it.
  const batches = new Set(
    bundle.decisions.flatMap(({ decision: d }) => (d.type === "batch_created" && d.tracebackId === tbId && typeof d.request === "string" ? [d.request] : [])),
  );
  for (const e of bundle.log.entries) {
    if (!statements.has(e.entry.id)) problems.push(`the log entry of ${e.entry.id} has no statement in the bundle`);
    const about = e.entry.subject === tbId && e.entry.id.startsWith(`${tbId}/`);
    const batch = batches.has(e.entry.id) && e.entry.kind === "request" && e.entry.id.startsWith(`${e.entry.subject}/`);
    if (!about && !batch) problems.push(`the log entry of ${e.entry.id} is not about traceback ${tbId}`);
  }
  const kinds = new Map<string, "request" | "decision">();
  for (const r of bundle.requests) kinds.set(r.statementId, "request");
  for (const d of bundle.decisions) kinds.set(d.statementId, "decision");
  if (kinds.size !== bundle.requests.length + bundle.decisions.length) problems.push("a statement appears twice");
  for (const [id, kind] of kinds) {
    const entry = entries.get(id);
    if (!entry) problems.push(`statement ${id} has no log entry`);
    else if (entry.kind !== kind) problems.push(`statement ${id} is a ${kind} logged as a ${entry.kind}`);
  }
  problems.push(...checkCertificates(bundle));

  const checked = await Promise.all(bundle.requests.map((r) => checkRequest(r, { jwks, issuer: bundle.issuer, entry: entries.get(r.statementId) })));
  const logged = bundle.decisions.map((d) => ({ decision: d.decision as unknown as Decision, loggedAt: entries.get(d.statementId)?.time ?? "" }));
  const chain = checkChain(bundle.chain, checked, logged);
  notes.push(...chain.notes);

  const reportOf = (r: CheckedRequest): StatementReport => {
    const inLog = byEntry.get(r.statementId);
    const all = [...r.problems, ...(inLog?.problems ?? [])];
    return {
      statementId: r.statementId,
      kind: "request",
      label: LABELS[r.action.kind] ?? ("path" in r.action ? `request to ${r.action.path}` : r.action.kind),
      signer: { accountId: r.key.accountId, keyId: r.key.keyId },
      ...(r.acceptedAt !== undefined && { acceptedAt: r.acceptedAt }),
      ...(inLog && { index: inLog.index }),
      ok: all.length === 0,
      problems: all,
    };
  };
  const decisionReports = bundle.decisions.map((d): StatementReport & { hopId?: string } => {
    const inLog = byEntry.get(d.statementId);
    const hopId = typeof d.decision.hopId === "string" ? d.decision.hopId : undefined;
    return {
      statementId: d.statementId,
      kind: "decision",
      label: typeof d.decision.type === "string" ? d.decision.type : "decision",
      ...(entries.get(d.statementId) && { acceptedAt: entries.get(d.statementId)!.time }),
      ...(inLog && { index: inLog.index }),
      ok: (inLog?.problems.length ?? 0) === 0,
      problems: inLog?.problems ?? [],
      ...(hopId !== undefined && { hopId }),
    };
  });
  const ofHop = (hopId: string | undefined): StatementReport[] => [
    ...checked.filter((r) => ("hopId" in r.action ? r.action.hopId : undefined) === hopId).map(reportOf),
    ...decisionReports.filter((d) => d.hopId === hopId).map(({ hopId: _h, ...d }) => d),
  ];
  const hops: HopReport[] = [...bundle.chain.hops, ...(bundle.chain.signerInquiries ?? [])].map((h) => {
    const own = ofHop(h.id);
    const hopProblems = chain.hops.get(h.seq) ?? [];
    return {
      seq: h.seq,
      id: h.id,
      ...(h.providerId && { providerId: h.providerId }),
      status: h.status,
      ok: hopProblems.length === 0 && own.every((s) => s.ok),
      problems: hopProblems,
      statements: own,
    };
  });
  const known = new Set(hops.map((h) => h.id));
  const orphans = checked.filter((r) => "hopId" in r.action && !known.has(r.action.hopId));
  for (const r of orphans) problems.push(`the ${LABELS[r.action.kind]} ${r.statementId} is for a hop the chain does not have`);
  const tracebackStatements = ofHop(undefined);
  const ok = problems.length === 0 && chain.traceback.length === 0 && tracebackStatements.every((s) => s.ok) && hops.every((h) => h.ok);
  return {
    ok,
    tracebackId: tbId,
    ...(bundle.chain.traceback.result && { outcome: bundle.chain.traceback.result.outcome }),
    keysFrom: opts.jwks ? "given" : "bundle",
    ...(log.checkpoint && { checkpoint: log.checkpoint }),
    ...(log.trusted && { trusted: log.trusted }),
    problems,
    traceback: { problems: chain.traceback, statements: tracebackStatements },
    hops,
    notes,
  };
}

/** Each signature's certificate is in the bundle, and its leaf hashes to what the evaluation recorded. */
function checkCertificates(bundle: EvidenceBundleBody): string[] {
  const problems: string[] = [];
  for (const s of bundle.chain.traceback.signatures ?? []) {
    if (!s.certificateSha256) continue;
    const cert = bundle.certificates.find((c) => c.sha256 === s.certificateSha256);
    if (!cert) {
      problems.push(`the certificate of Identity header ${s.identityIndex} is not in the bundle`);
      continue;
    }
    let leaf: ArrayBuffer | undefined;
    try {
      leaf = PemConverter.decode(cert.pem)[0];
    } catch {
      leaf = undefined;
    }
    if (!leaf || createHash("sha256").update(new Uint8Array(leaf)).digest("hex") !== cert.sha256)
      problems.push(`the certificate of Identity header ${s.identityIndex} is not the one evaluated`);
  }
  return problems;
}
