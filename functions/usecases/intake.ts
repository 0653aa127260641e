/**
 * Bulk intake of a surveillance feed: captured calls become tracebacks, each on its own and
 * idempotent per call. A call's traceback id derives from the caller, the call's own key and its
 * call time, so a feed sent again (whole, in part, or after a crash half-way) finds the
 * tracebacks it started instead of starting them twice.
 */
import { createHash } from "node:crypto";
import type { Principal } from "../domain/account.js";
import { canCreateTraceback } from "../domain/access.js";
import { DomainError, ForbiddenError, RuleViolationError } from "../domain/errors.js";
import type { CoreDeps } from "./ports.js";
import type { CreateTracebackInput } from "./traceback-input.js";
import { startTracebackOf } from "./tracebacks.js";

const IN_FLIGHT = 4;

export interface CapturedCall extends Omit<CreateTracebackInput, "terminatingProviderId" | "initiatorId" | "certificates" | "deadlinePolicy"> {
  /** The feed's own id for the call; without one, a digest of its numbers, time and first Identity header. */
  callKey?: string;
  terminatingProviderId?: string;
}

export interface BatchInput {
  terminatingProviderId?: string;
  initiatorId?: string;
  calls: CapturedCall[];
}

export type ItemResult =
  | { index: number; callKey: string; status: "created" | "exists"; tracebackId: string }
  | { index: number; callKey: string; status: "rejected"; error: DomainError }
  | { index: number; callKey: string; status: "failed"; error: Error };

/** The key a call is known by when the feed gives none: what makes it the same captured call. */
export function callKeyOf(call: CapturedCall): string {
  if (call.callKey !== undefined) return call.callKey;
  const at = new Date(Date.parse(call.callTime)).toISOString();
  const digest = createHash("sha256")
    .update(JSON.stringify([call.callingNumber, call.calledNumber, at, call.identityHeaders?.[0] ?? null]))
    .digest("base64url");
  return `sha256:${digest}`;
}

/**
 * `request` is the statement id of the batch request's log entry: each traceback the batch
 * starts names it, with its call's index, in its evidence.
 */
export async function intakeBatch(deps: CoreDeps, p: Principal, input: BatchInput, defaultPolicy: string, request: string): Promise<ItemResult[]> {
  if (!canCreateTraceback(p)) throw new ForbiddenError("only the consortium and initiators start tracebacks");
  const results: ItemResult[] = new Array(input.calls.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < input.calls.length; index = next++) results[index] = await intakeOne(deps, p, input, index, defaultPolicy, request);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, input.calls.length) }, worker));
  return results;
}

async function intakeOne(deps: CoreDeps, p: Principal, input: BatchInput, index: number, defaultPolicy: string, request: string): Promise<ItemResult> {
  const { callKey: _key, terminatingProviderId, ...call } = input.calls[index]!;
  const callKey = callKeyOf(input.calls[index]!);
  try {
    const provider = terminatingProviderId ?? input.terminatingProviderId;
    if (provider === undefined)
      throw new RuleViolationError(
        "terminating_provider_required",
        "the call names no terminating provider, and the batch gives none for all its calls",
        "/terminatingProviderId",
      );
    const { chain, created } = await startTracebackOf(
      deps,
      p,
      { ...call, terminatingProviderId: provider, ...(input.initiatorId !== undefined && { initiatorId: input.initiatorId }) },
      defaultPolicy,
      // The call's time, not the request's: the same call maps to the same traceback in any later batch.
      { key: `call\n${callKey}`, firstTriedAt: Date.parse(call.callTime) },
      { request, index },
    );
    return { index, callKey, status: created ? "created" : "exists", tracebackId: chain.traceback.id };
  } catch (err) {
    if (err instanceof DomainError) return { index, callKey, status: "rejected", error: err };
    deps.log.error("a call of a batch failed", { index, error: String(err) });
    return { index, callKey, status: "failed", error: err as Error };
  }
}
