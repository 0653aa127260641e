/**
 * The single-table design: every key, prefix and index of the Hoptrace table lives here.
 * The DynamoDB adapter and the CDK table definition both read this module, so the deployed
 * indexes cannot drift from the queries the code makes.
 */

/**
 * What an index copies of each item besides the keys. The schedule and outbox indexes are read by
 * background work that needs only to find the items (it reads each item itself when it needs
 * more), so they carry the few attributes that name the item: every write of an item in them
 * costs one unit, whatever the item's size. The listings read whole items from their index.
 */
export type IndexProjection = { readonly type: "ALL" } | { readonly type: "INCLUDE"; readonly attributes: readonly string[] };

export const TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds; DynamoDB TTL deletes the item some time after. Readers filter expired items. */
  ttlAttribute: "expiresAt",
  indexes: {
    /** Owner listings: a provider's hops, an initiator's tracebacks, keys, endpoints, event feeds. */
    byOwner: { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: { type: "ALL" } },
    /** Sparse open-work index: open hop requests per assignee ordered by creation. */
    openWork: { name: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk", projection: { type: "ALL" } },
    /** Sparse schedule index: items due at a time (hop deadlines, delivery retries), by shard. */
    schedule: { name: "gsi3", partitionKey: "gsi3pk", sortKey: "gsi3sk", projection: { type: "INCLUDE", attributes: ["tracebackId", "seq"] } },
    /**
     * Sparse outbox index: items whose state change still has follow-up work (next hop, events)
     * not yet confirmed done, under `OUTBOX#<shard>`; events not yet fanned out to their
     * recipient's endpoints, under `FANOUT#<shard>`; providers whose registration has not yet
     * opened the hops waiting for them, under `ACTIVATE#<shard>`. Whoever finishes the work clears
     * the marker; the reconciler finds what a crash left.
     */
    outbox: {
      name: "gsi4",
      partitionKey: "gsi4pk",
      sortKey: "gsi4sk",
      projection: { type: "INCLUDE", attributes: ["entity", "id", "tracebackId", "seq", "statementId", "acceptedAt"] },
    },
  },
} as const;

export type IndexName = (typeof TABLE.indexes)[keyof typeof TABLE.indexes]["name"];

export type ScheduleKind = "DUE" | "OUTBOX" | "FANOUT" | "ACTIVATE" | "RETRY";

export interface ItemKey {
  pk: string;
  sk: string;
}

/** Number of partitions the schedule index spreads over, so no single partition runs hot. */
export const SCHEDULE_SHARDS = 4;

const hopSortKey = (seq: number) => `HOP#${String(seq).padStart(3, "0")}`;

export const keys = {
  account: (accountId: string): ItemKey => ({ pk: `ACCOUNT#${accountId}`, sk: "ACCOUNT" }),
  accountsByKind: (kind: string) => `ACCOUNTS#${kind}`,
  /** One item per registered FRN, written conditionally: FRNs are unique across accounts. */
  frnClaim: (frn: string): ItemKey => ({ pk: `FRN#${frn}`, sk: "FRN" }),
  /** One item per SPC/OCN code, written conditionally: a code names exactly one provider. */
  spcClaim: (spc: string): ItemKey => ({ pk: `SPC#${spc.toUpperCase()}`, sk: "SPC" }),
  /** Signing keys are read by keyid on every request: one GetItem. */
  signingKey: (keyId: string): ItemKey => ({ pk: `KEY#${keyId}`, sk: "KEY" }),
  keysOf: (accountId: string) => `KEYS#${accountId}`,

  traceback: (tracebackId: string): ItemKey => ({ pk: `TRACEBACK#${tracebackId}`, sk: "TRACEBACK" }),
  tracebacksOf: (initiatorId: string) => `TRACEBACKS#${initiatorId}`,
  /** Every traceback, spread over shards (one partition caps its writes), merged on read. */
  allTracebacks: (tracebackId: string) => `TRACEBACKS#ALL#${shardOf(tracebackId)}`,
  allTracebackShards: () => Array.from({ length: SCHEDULE_SHARDS }, (_, i) => `TRACEBACKS#ALL#${i}`),
  /**
   * A traceback filed under one of its facets (a small pointer item, sort key `createdAt#id`):
   * one partition per number, campaign or provider; a share of all tracebacks per status, outcome
   * or overdue, spread over the shards like the list of all.
   */
  tracebackFacet: (facet: string, tracebackId: string, broad: boolean) => `TBFACET#${facet}${broad ? `#${shardOf(tracebackId)}` : ""}`,
  tracebackFacetShards: (facet: string, broad: boolean) =>
    broad ? Array.from({ length: SCHEDULE_SHARDS }, (_, i) => `TBFACET#${facet}#${i}`) : [`TBFACET#${facet}`],
  tracebackPartition: (tracebackId: string) => `TRACEBACK#${tracebackId}`,
  /** Hops sort under their traceback, so the whole chain is one Query. */
  hop: (tracebackId: string, seq: number): ItemKey => ({ pk: `TRACEBACK#${tracebackId}`, sk: hopSortKey(seq) }),
  /**
   * Each amendment of a hop is an item of its own, sorting right after its hop: the hop and its
   * amendments are one Query (`hopWithAmendments`), and the number is claimed with a conditional put.
   */
  amendment: (tracebackId: string, seq: number, n: number): ItemKey => ({
    pk: `TRACEBACK#${tracebackId}`,
    sk: `${hopSortKey(seq)}#AMENDMENT#${String(n).padStart(2, "0")}`,
  }),
  /**
   * The evidence of a hop's answer (the signed request, the key, the response, the receipt), an
   * item of its own in no index, sorting inside its hop's range. Named by the answer's own id: two
   * racing answers write two items, and the hop names the one whose conditional write won.
   */
  answerEvidence: (tracebackId: string, seq: number, evidenceId: string): ItemKey => ({
    pk: `TRACEBACK#${tracebackId}`,
    sk: `${hopSortKey(seq)}#EVIDENCE#${evidenceId}`,
  }),
  /** The sort key range holding a hop, its answer's evidence and its amendments, and nothing of any other hop. */
  hopWithAmendments: (seq: number): [string, string] => [hopSortKey(seq), `${hopSortKey(seq)}#~`],
  /** A traceback's KYC findings as recorded when it ended, beside its hops. */
  kycRecord: (tracebackId: string): ItemKey => ({ pk: `TRACEBACK#${tracebackId}`, sk: "KYC" }),
  hopsOf: (providerId: string) => `HOPS#${providerId}`,
  openHopsOf: (providerId: string) => `OPEN#${providerId}`,
  /** The hops counted against a provider's weekly request cap (Canadian policy), per week. */
  weeklyCap: (providerId: string, weekStart: string): ItemKey => ({ pk: `CAP#${providerId}`, sk: `WEEK#${weekStart}` }),
  /** One item per registered RMD number, written conditionally like the FRN. */
  rmdClaim: (rmd: string): ItemKey => ({ pk: `RMD#${rmd.toUpperCase()}`, sk: "RMD" }),
  /** Hops waiting on a provider that is not registered yet, found again by its FRN or RMD number at registration. */
  pendingRegistration: (kind: "FRN" | "RMD", value: string) => `PENDING#${kind}#${kind === "RMD" ? value.toUpperCase() : value}`,

  idempotency: (principalId: string, key: string): ItemKey => ({ pk: `IDEMPOTENCY#${principalId}#${key}`, sk: "IDEMPOTENCY" }),
  /** A seen request signature; written conditionally to refuse replays. */
  seenSignature: (digest: string): ItemKey => ({ pk: `SIGNATURE#${digest}`, sk: "SIGNATURE" }),

  endpoint: (endpointId: string): ItemKey => ({ pk: `ENDPOINT#${endpointId}`, sk: "ENDPOINT" }),
  endpointsOf: (accountId: string) => `ENDPOINTS#${accountId}`,
  event: (eventId: string): ItemKey => ({ pk: `EVENT#${eventId}`, sk: "EVENT" }),
  eventsOf: (recipientId: string) => `EVENTS#${recipientId}`,
  delivery: (eventId: string, endpointId: string): ItemKey => ({ pk: `EVENT#${eventId}`, sk: `DELIVERY#${endpointId}` }),
  attemptsOf: (endpointId: string) => `ATTEMPTS#${endpointId}`,

  trustAnchor: (fingerprint: string): ItemKey => ({ pk: `TRUST#${fingerprint}`, sk: "TRUST" }),
  trustAnchors: "TRUST_ANCHORS",
  certificate: (sha256: string): ItemKey => ({ pk: `CERT#${sha256}`, sk: "CERT" }),
  /** A finding of a traceback, filed under the provider it concerns. */
  finding: (tracebackId: string, id: string): ItemKey => ({ pk: `TRACEBACK#${tracebackId}`, sk: `FINDING#${id}` }),
  findingsOf: (providerId: string) => `FINDINGS#${providerId}`,

  /** A call's campaign profile and the campaign it was placed in, one item per traceback. */
  campaignCall: (tracebackId: string): ItemKey => ({ pk: `CCALL#${tracebackId}`, sk: "CCALL" }),
  /** Calls filed under one lookup key (an LSH band of the transcript, a number, a signer, a customer), newest last. */
  campaignKey: (key: string) => `CKEY#${key}`,
  campaign: (campaignId: string): ItemKey => ({ pk: `CAMPAIGN#${campaignId}`, sk: "CAMPAIGN" }),
  campaignPartition: (campaignId: string) => `CAMPAIGN#${campaignId}`,
  /** A call placed in a campaign, under the campaign, by call time. */
  campaignMember: (campaignId: string, callTime: string, tracebackId: string): ItemKey => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `M#${callTime}#${tracebackId}`,
  }),
  campaignMemberPrefix: "M#",
  /** Campaigns not folded into another (gsi1), by creation: few next to the calls, so one partition. */
  campaigns: "CAMPAIGNS",

  /** The part a provider played in a completed traceback, by call time. */
  providerRole: (providerId: string, callTime: string, tracebackId: string): ItemKey => ({ pk: `PROLE#${providerId}`, sk: `${callTime}#${tracebackId}` }),
  providerRoles: (providerId: string) => `PROLE#${providerId}`,
  /** Originator and point-of-entry roles of a month (gsi1, on the role items): the candidates for repeat offenders. */
  offenderRoles: (month: string) => `OFFENDERS#${month}`,
  /** The customer an originator named, by the month of the call. */
  customerRef: (month: string, callTime: string, tracebackId: string): ItemKey => ({ pk: `CUSTOMERS#${month}`, sk: `${callTime}#${tracebackId}` }),
  customerRefs: (month: string) => `CUSTOMERS#${month}`,

  invitation: (invitationId: string): ItemKey => ({ pk: `INVITATION#${invitationId}`, sk: "INVITATION" }),
  invitationsOf: (accountId: string) => `INVITATIONS#${accountId}`,
  /** Every invitation, for the consortium: few and rarely written, so one partition holds them. */
  allInvitations: "INVITATIONS#ALL",

  /** The schedule index partition for a kind of scheduled work and an id spread over shards. */
  schedule: (kind: ScheduleKind, id: string) => `${kind}#${shardOf(id)}`,
  scheduleShards: (kind: ScheduleKind) => Array.from({ length: SCHEDULE_SHARDS }, (_, i) => `${kind}#${i}`),

  /** The RMD snapshot in effect: one item, moved on by a conditional write when an import commits. */
  rmdHead: { pk: "RMDHEAD", sk: "RMDHEAD" } as ItemKey,
  rmdImport: (importId: string): ItemKey => ({ pk: `RMDIMPORT#${importId}`, sk: "IMPORT" }),
  /** Committed imports, by the time their export was taken. */
  rmdImports: "RMDIMPORTS",
  /** An import's manifest, in chunks under the import. */
  rmdManifestChunk: (importId: string, n: number): ItemKey => ({ pk: `RMDIMPORT#${importId}`, sk: `MANIFEST#${String(n).padStart(4, "0")}` }),
  rmdManifestPrefix: "MANIFEST#",
  /**
   * The versions an import wrote for a block of ten filing numbers (rmd-pages.ts), by the time of
   * its snapshot: a filing's standing on a date is one Query of its block.
   */
  rmdPage: (block: string, asOf: string, importId: string, part: number): ItemKey => ({
    pk: `RMDBLOCK#${block}`,
    sk: `V#${asOf}#${importId}#${String(part).padStart(3, "0")}`,
  }),
  rmdBlockPartition: (block: string) => `RMDBLOCK#${block}`,
  rmdPagePrefix: "V#",
  /** What an import added, changed or removed, in listing order, in chunks under the import. */
  rmdChangeListChunk: (importId: string, n: number): ItemKey => ({ pk: `RMDIMPORT#${importId}`, sk: `CHANGES#${String(n).padStart(4, "0")}` }),
  rmdChangeListPrefix: "CHANGES#",
  /** A filing removed while it listed the FRN (filings still listed are found by FRN in the manifest). */
  rmdRemovedFrn: (frn: string, number: string): ItemKey => ({ pk: `RMDGONE#${frn}`, sk: number }),
  rmdRemovedFrnPartition: (frn: string) => `RMDGONE#${frn}`,
} as const;

function shardOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % SCHEDULE_SHARDS;
}

/**
 * The transparency log's items, per log name. The head and the sequenced batches share one
 * partition (a batch is found by the index it starts at, or the last one at or before an
 * index); tiles each have their own. The entries of one subject (statement ids
 * `<subject>/<local id>`) share a partition, so a traceback's are one Query; an id without a
 * subject is a partition of its own. Entries not yet sequenced carry a marker in the sparse
 * outbox index, over shards.
 */
export const logKeys = {
  head: (log: string): ItemKey => ({ pk: `LOG#${log}`, sk: "HEAD" }),
  batch: (log: string, from: number): ItemKey => ({ pk: `LOG#${log}`, sk: `BATCH#${String(from).padStart(16, "0")}` }),
  entry: (log: string, statementId: string): ItemKey => {
    const slash = statementId.indexOf("/");
    return slash < 0
      ? { pk: `LOGENTRY#${log}#${statementId}`, sk: "ENTRY" }
      : { pk: logKeys.subjectEntries(log, statementId.slice(0, slash)), sk: `ENTRY#${statementId.slice(slash + 1)}` };
  },
  subjectEntries: (log: string, subject: string) => `LOGENTRY#${log}#${subject}`,
  tile: (log: string, level: number, index: number): ItemKey => ({ pk: `LOGTILE#${log}#${level}#${index}`, sk: "TILE" }),
  pending: (log: string, statementId: string) => `LOGPENDING#${log}#${shardOf(statementId)}`,
  pendingShards: (log: string) => Array.from({ length: SCHEDULE_SHARDS }, (_, i) => `LOGPENDING#${log}#${i}`),
} as const;
