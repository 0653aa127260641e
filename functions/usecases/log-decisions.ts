/**
 * Logging the hub's decisions (domain/log/decisions.ts). The follow-ups call it before they
 * clear their outbox marker, so a crash before the append leaves the marker and the reconciler
 * logs the decision on its repeat; its id derives from what is decided, so the repeat finds it
 * there. A derived item's decision is logged before the item is written: whatever exists has
 * its decision in the log. The decision is kept on its entry's item, for evidence bundles.
 */
import { ConflictError } from "../domain/errors.js";
import { decisionId, type Decision } from "../domain/log/decisions.js";
import { statementBytes } from "../domain/log/entry.js";
import { appendStatement } from "./log-append.js";
import type { CoreDeps } from "./ports.js";

export async function logDecision(deps: Pick<CoreDeps, "transparencyLog">, decision: Decision | undefined): Promise<void> {
  if (!decision) return;
  try {
    await appendStatement(
      deps.transparencyLog,
      { kind: "decision", id: decisionId(decision), subject: decision.tracebackId, bytes: statementBytes("decision", decision)! },
      { decision },
    );
  } catch (err) {
    // The first logging of a decision is the decision: a follow-up repeated later, when the
    // state has moved on, finds it there and leaves it.
    if (!(err instanceof ConflictError && err.code === "statement_already_logged")) throw err;
  }
}
