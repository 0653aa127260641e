/**
 * A signed exchange sealed and logged. Every accepted request is an entry of the transparency
 * log, and the receipt the hub returns for it commits to that entry: the entry's fields are
 * fixed first (statement id, subject, time, nonce, the request's digest) and signed into the
 * receipt's `log` claim; the entry then takes the receipt's digest, and one conditional put
 * writes it. The receipt cannot hold its own digest, so it holds the rest: from the receipt alone
 * anyone rebuilds the entry and its leaf hash and asks the log for the inclusion proof of
 * `log.id`, which gives the index.
 */
import { randomBytes, type KeyObject } from "node:crypto";
import { contentDigest } from "../../openapi/client/content-digest.js";
import { decodeReceiptClaims, signReceipt } from "../crypto/receipt.js";
import type { Clock } from "../domain/clock.js";
import { requestEntry, requestLogClaim, requestStatement, statementIdFor } from "../domain/log/entry.js";
import { appendEntry } from "./log-append.js";
import type { LogDeps } from "./log-ports.js";
import type { Exchange, ReceiptSigner, SealedResponse } from "./ports.js";

export interface SealDeps {
  transparencyLog: LogDeps;
  clock: Clock;
  hubKey: { privateKey: KeyObject; kid: string };
  /** The hub's public URL, the receipts' `iss`. */
  issuer: string;
}

/** The hub's receipt signer, for the composition root to provide as the use cases' port. */
export function receiptSigner(deps: SealDeps): ReceiptSigner {
  return { seal: (x) => sealExchange(deps, x) };
}

/** The statement id of a request's log entry: its id under its subject. */
export const requestStatementId = (subject: string, requestId: string): string => statementIdFor(subject, requestId);

export async function sealExchange(deps: SealDeps, x: Exchange): Promise<SealedResponse> {
  const { request, key } = x.signed;
  const h = request.headers;
  const log = requestLogClaim(
    { id: requestStatementId(x.subject, x.requestId), subject: x.subject, time: x.at, bytes: requestStatement(request) },
    (deps.transparencyLog.randomBytes ?? randomBytes)(16),
  );
  const receipt = await signReceipt(deps.hubKey, {
    iss: deps.issuer,
    iat: Math.floor(deps.clock.now().getTime() / 1000),
    jti: x.requestId,
    sub: x.caller,
    req: {
      method: request.method,
      target_uri: request.targetUri,
      keyid: key.keyId,
      signature_input: h["signature-input"]!,
      signature: h.signature!,
      ...(h["content-digest"] !== undefined && { content_digest: h["content-digest"] }),
      ...(h["idempotency-key"] !== undefined && { idempotency_key: h["idempotency-key"] }),
    },
    res: { status: x.response.status, content_digest: contentDigest(x.response.body) },
    log,
  });
  const entry = requestEntry(log, receipt);
  return {
    receipt,
    entry,
    log: async (opts = {}) => void (await appendEntry(deps.transparencyLog, entry, opts.keptElsewhere ? undefined : { ...x.signed, receipt })),
  };
}

/**
 * Appends the entry a receipt commits to, from the receipt alone: what a follow-up does for an
 * answer whose request path died between storing it and logging it. Nothing for a receipt that
 * commits to no entry.
 */
export async function logReceiptEntry(deps: Pick<LogDeps, "logStore" | "onAppended">, receipt: string): Promise<void> {
  const claim = decodeReceiptClaims(receipt)?.log;
  if (claim) await appendEntry(deps, requestEntry(claim, receipt));
}
