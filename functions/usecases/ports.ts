/**
 * The ports the use cases need. Adapters implement them; only the composition root knows which.
 */
import { z } from "zod";
import type { Account, AccountKind, SigningKeyRecord } from "../domain/account.js";
import type { Signer } from "../domain/signer.js";
import type { Clock } from "../domain/clock.js";
import type { HubEvent } from "../domain/events.js";
import type { IdGenerator } from "../domain/ids.js";
import type { LogEntry } from "../domain/log/entry.js";
import type { LogDeps } from "./log-ports.js";
import type { Finding } from "../domain/shaken/findings.js";
import type { Amendment, DeadlineFor, Hop, Traceback } from "../domain/traceback.js";
import type { TracebackFilter, TracebackScope } from "../domain/traceback-filter.js";
import type { RmdFinding } from "../domain/rmd/findings.js";
import type { SnapshotRef } from "../domain/rmd/standing.js";
import type { RmdStore } from "./rmd-ports.js";
import type { CampaignStore } from "./campaign-ports.js";
import type { IntelStore } from "./intel-ports.js";
import type { Page, PageRequest } from "./page.js";

export type { Page, PageRequest } from "./page.js";

/** A stored domain object with its optimistic-lock version and outbox marker, if any. */
export interface Stored<T> {
  value: T;
  version: number;
  outbox?: string;
}

/** A signed request kept verbatim as evidence: the request as received, the key that signed it, our receipt. */
export interface SignedExchange {
  request: { method: string; targetUri: string; headers: Record<string, string>; body: string };
  /** The signer's key as it was when it signed, with its holder's registration proof when it has one. */
  key: { keyId: string; publicJwk: SigningKeyRecord["publicJwk"]; accountId: string; proof?: string; person?: Signer["person"] };
  receipt: string;
}

/** Evidence kept verbatim with an answer: the exchange and the response the receipt covers. */
export interface AnswerEvidence extends SignedExchange {
  response: { status: number; body: string };
}

/** A response to a signed request, to be sealed with the hub's receipt. */
export interface Exchange {
  /** The request's id: the receipt's `jti`, and its statement's id under the subject. */
  requestId: string;
  /** The traceback or account the request concerns. */
  subject: string;
  /** The account that signed the request. */
  caller: string;
  signed: Omit<SignedExchange, "receipt">;
  response: { status: number; body: string };
  /** When the hub accepted the request: the entry's time. */
  at: Date;
}

export interface SealedResponse {
  receipt: string;
  /** The request's log entry, which the receipt commits to. */
  entry: LogEntry;
  /**
   * Appends the entry, with the exchange kept beside it unless `keptElsewhere` (an answer keeps
   * its own, beside its hop). Idempotent: the same entry again is the one already there.
   */
  log(opts?: { keptElsewhere?: boolean }): Promise<void>;
}

/** Signs the hub's receipt over a response, committing to the request's transparency log entry (log-exchange.ts). */
export interface ReceiptSigner {
  seal(exchange: Exchange): Promise<SealedResponse>;
}

export type StoredHop = Hop & {
  evidence?: AnswerEvidence;
  amendmentEvidence?: AnswerEvidence[];
  /** What an answer's upstream resolved to, kept by earlier versions in place of the hop's `decision`. */
  resolvedUpstream?: { registered: string } | { unregistered: true };
};

/** The item carrying an outbox marker: a traceback itself, or hop `seq` of it. */
export interface OutboxRef {
  tracebackId: string;
  seq?: number;
}

export interface AccountStore {
  /** `activation`: a marker kept until the hops waiting for this provider are opened. */
  createAccount(account: Account, activation?: string): Promise<void>;
  pendingActivations(before: string, limit: number): Promise<Array<{ accountId: string; marker: string }>>;
  clearActivation(accountId: string, marker: string): Promise<void>;
  getAccount(id: string): Promise<Account | undefined>;
  listAccounts(kind: AccountKind, page: PageRequest): Promise<Page<Account>>;
  accountIdByFrn(frn: string): Promise<string | undefined>;
  accountIdByRmd(rmd: string): Promise<string | undefined>;
  accountIdBySpc(spc: string): Promise<string | undefined>;
  /**
   * Stores a new key of an existing account: ConflictError `key_exists` if the key is registered
   * anywhere (active or revoked), `too_many_keys` if the account already has `maxActive` active keys.
   */
  addKey(key: SigningKeyRecord, maxActive: number): Promise<void>;
  getKey(keyId: string): Promise<SigningKeyRecord | undefined>;
  listKeys(accountId: string, page: PageRequest): Promise<Page<SigningKeyRecord>>;
  allKeysOf(accountId: string): Promise<SigningKeyRecord[]>;
  revokeKey(accountId: string, keyId: string, by: string, at: string): Promise<SigningKeyRecord>;
}

/** A traceback's KYC findings against the RMD, as recorded when it ended. */
export interface KycRecord {
  tracebackId: string;
  callTimeUtc: string;
  snapshot?: SnapshotRef;
  findings: RmdFinding[];
  recordedAt: string;
}

export interface TracebackStore {
  /** "exists" when a traceback with this id is there already (a retry of the request that wrote it). */
  createTraceback(tb: Traceback, outbox: string): Promise<"created" | "exists">;
  getTraceback(id: string, consistent?: boolean): Promise<Stored<Traceback> | undefined>;
  /** The tracebacks that exist among these, in no particular order. */
  getTracebacks(ids: readonly string[]): Promise<Traceback[]>;
  /** Replaces `before` (as read, at its version) with `tb`; false when another write came first. */
  replaceTraceback(tb: Traceback, before: Stored<Traceback>, outbox?: string): Promise<boolean>;
  getChain(id: string): Promise<{ traceback: Stored<Traceback>; hops: Stored<StoredHop>[] } | undefined>;
  getHop(tracebackId: string, seq: number, consistent?: boolean): Promise<Stored<StoredHop> | undefined>;
  /** False when an amendment with this number exists already. */
  putAmendment(tracebackId: string, seq: number, amendment: Amendment, evidence: AnswerEvidence): Promise<boolean>;
  /** Keeps an answer's evidence, to be named by the hop's replaceHop that follows; idempotent. */
  putAnswerEvidence(tracebackId: string, seq: number, evidence: AnswerEvidence): Promise<void>;
  putNewHop(hop: StoredHop, outbox?: string): Promise<"created" | "exists">;
  replaceHop(hop: StoredHop, expected: { version: number; status: Hop["status"] }, outbox?: string): Promise<void>;
  clearOutbox(ref: OutboxRef, marker: string): Promise<void>;
  pendingOutbox(before: string, limit: number): Promise<Array<{ ref: OutboxRef; marker: string }>>;
  listOpenHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>>;
  listHopsOf(providerId: string, page: PageRequest): Promise<Page<Hop>>;
  /** Newest first; a page may hold fewer than asked with a `nextCursor` when few tracebacks match. */
  listTracebacks(scope: TracebackScope, filter: TracebackFilter, page: PageRequest): Promise<Page<Traceback>>;
  /** Files tracebacks stored before the filtered listing existed, `limit` at a time; how many it filed. */
  refileUnlisted(limit: number): Promise<number>;
  hopsAwaitingRegistration(kind: "FRN" | "RMD", value: string): Promise<Hop[]>;
  /** Counts a hop against its provider's weekly cap; false when the week is full. Idempotent per hop. */
  reserveWeeklySlot(providerId: string, weekStart: string, hopId: string, cap: number, expiresAtSeconds: number): Promise<boolean>;
  hopsDueForSweep(before: string, limit: number): Promise<Array<{ tracebackId: string; seq: number }>>;
  hopsOfBetween(providerId: string, from: string, to: string, max: number): Promise<Hop[]>;
  /** Kept beside the traceback, out of its listings: written again by a repeated follow-up, same content. */
  putKycRecord(record: KycRecord): Promise<void>;
  getKycRecord(tracebackId: string): Promise<KycRecord | undefined>;
}

/** Hands events to the delivery pipeline. Must be safe to call twice with the same events. */
export interface EventPublisher {
  publish(events: HubEvent[]): Promise<void>;
}

/** The deadline rules of a traceback's policy. */
export interface DeadlinePolicies {
  (policyName: string): DeadlineFor;
  /**
   * The policy's weekly cap of requests per provider (Canada), if it has one: the cap, the week
   * holding `at`, and what to say when that week is full.
   */
  weeklyCap?(policyName: string, at: Date): WeeklyCap | undefined;
}

export interface WeeklyCap {
  cap: number;
  weekStart: string;
  weekEnd: string;
  fullReason: string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** STIR/SHAKEN evidence: a trusted root certificate, as the consortium added it. */
export const trustAnchorSchema = z.object({
  /** Hex SHA-256 of the certificate's DER. */
  fingerprint: z.string(),
  pem: z.string(),
  subject: z.string(),
  notAfter: z.string(),
  label: z.string().optional(),
  addedAt: z.string(),
  addedBy: z.string(),
});
export type TrustAnchor = z.infer<typeof trustAnchorSchema>;

/** A finding filed under the provider it concerns, so the consortium can list them per provider. */
export interface ProviderFinding extends Finding {
  id: string;
  providerId: string;
  tracebackId: string;
  recordedAt: string;
}

export interface EvidenceStore {
  putTrustAnchor(anchor: TrustAnchor): Promise<void>;
  removeTrustAnchor(fingerprint: string): Promise<boolean>;
  listTrustAnchors(page: PageRequest): Promise<Page<TrustAnchor>>;
  allTrustAnchors(): Promise<TrustAnchor[]>;
  putCertificate(sha256: string, pem: string, at: string): Promise<void>;
  getCertificate(sha256: string): Promise<string | undefined>;
  putFinding(f: ProviderFinding): Promise<void>;
  listFindingsOf(providerId: string, page: PageRequest): Promise<Page<ProviderFinding>>;
}

/** Fetches a certificate from its x5u URL under the SSRF rules; undefined when it cannot. */
export type CertificateSource = (x5u: string) => Promise<Uint8Array | undefined>;

export interface CoreDeps {
  /** The transparency log: every statement the hub accepts or makes is appended to it. */
  transparencyLog: LogDeps;
  receipts: ReceiptSigner;
  accounts: AccountStore;
  evidence: EvidenceStore;
  fetchCertificate: CertificateSource;
  tracebacks: TracebackStore;
  rmd: RmdStore;
  campaigns: CampaignStore;
  intel: IntelStore;
  events: EventPublisher;
  deadlines: DeadlinePolicies;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}
