/**
 * A provider's scorecard over a period: its tracebacks by the part it played (on the path, as
 * originator, as point of entry, as signer) with their findings, how it answered its hop
 * requests, its RMD standing and the history of its filing, and the repeat-offender customers it
 * named. The per-provider traceback counts regulators ask carriers for, read from the role items
 * filed when each traceback ended and from the provider's hop index: no traceback is walked.
 */
import type { Principal } from "../domain/account.js";
import { NotFoundError } from "../domain/errors.js";
import { repeatCustomers, type RepeatCustomer } from "../domain/intel/offenders.js";
import { roleFigures, type RoleFigures } from "../domain/intel/scorecard.js";
import { responsiveness, type Responsiveness } from "../domain/responsiveness.js";
import type { RmdMatch } from "../domain/rmd/match.js";
import type { ChangeKind } from "../domain/rmd/standing.js";
import { MAX_PERIOD_ITEMS, withCurrentCampaigns } from "./offenders.js";
import type { CoreDeps } from "./ports.js";
import { providerMatch } from "./rmd-lookup.js";

const MAX_HOPS = 10_000;
const MAX_VERSIONS = 50;

export interface Scorecard {
  providerId: string;
  name: string;
  from: string;
  to: string;
  tracebacks: RoleFigures;
  hopRequests: Responsiveness;
  rmd: {
    at: string;
    match: RmdMatch;
    history: Array<{ number: string; asOf: string; importId: string; change: ChangeKind; fields?: string[] }>;
  };
  repeatOffenderCustomers: RepeatCustomer[];
  truncated?: boolean;
}

export async function providerScorecard(deps: CoreDeps, p: Principal, providerId: string, from: string, to: string): Promise<Scorecard> {
  const account = p.kind === "consortium" || p.accountId === providerId ? await deps.accounts.getAccount(providerId) : undefined;
  if (!account || account.kind !== "provider") throw new NotFoundError(`provider ${providerId} not found`);
  const at = to < deps.clock.now().toISOString() ? to : deps.clock.now().toISOString();
  const [roles, hops, customers, rmd] = await Promise.all([
    deps.intel.rolesOf(providerId, from, to, MAX_PERIOD_ITEMS),
    deps.tracebacks.hopsOfBetween(providerId, from, to, MAX_HOPS),
    deps.intel.customers(from, to, MAX_PERIOD_ITEMS),
    providerMatch(deps, p, providerId, at),
  ]);
  const numbers = [...new Set([account.rmdNumber?.toUpperCase(), rmd.match.filing?.number].filter((n): n is string => n !== undefined))];
  const versions = (await Promise.all(numbers.map((n) => deps.rmd.versionsOf(n, MAX_VERSIONS)))).flat();
  const current = await withCurrentCampaigns(deps, [], customers);
  return {
    providerId,
    name: account.name,
    from,
    to,
    tracebacks: roleFigures(roles),
    hopRequests: responsiveness(hops),
    rmd: {
      at,
      match: rmd.match,
      history: versions
        .sort((a, b) => a.asOf.localeCompare(b.asOf) || a.number.localeCompare(b.number))
        .map((v) => ({ number: v.number, asOf: v.asOf, importId: v.importId, change: v.change, ...(v.changes && { fields: v.changes.map((c) => c.field) }) })),
    },
    repeatOffenderCustomers: repeatCustomers(current.customers).filter((c) => c.providerIds.includes(providerId)),
    ...((roles.length >= MAX_PERIOD_ITEMS || hops.length >= MAX_HOPS) && { truncated: true }),
  };
}

/** The scorecard as rows of `section,item,value`, for a spreadsheet or a regulator's form. */
export function scorecardRows(s: Scorecard): string[][] {
  const rows: string[][] = [["section", "item", "value"]];
  const add = (section: string, item: string, value: string | number | undefined) => value !== undefined && rows.push([section, item, String(value)]);
  add("provider", "id", s.providerId);
  add("provider", "name", s.name);
  add("period", "from", s.from);
  add("period", "to", s.to);
  add("tracebacks", "total", s.tracebacks.tracebacks);
  add("tracebacks", "on_path", s.tracebacks.onPath);
  add("tracebacks", "as_originator", s.tracebacks.asOriginator);
  add("tracebacks", "as_point_of_entry", s.tracebacks.asPointOfEntry);
  add("tracebacks", "as_signer", s.tracebacks.asSigner);
  for (const o of s.tracebacks.outcomes) add("outcomes", o.outcome, o.tracebacks);
  for (const f of s.tracebacks.findings) add("findings", f.kind, f.tracebacks);
  const h = s.hopRequests;
  add("hop_requests", "requested", h.requested);
  add("hop_requests", "answered", h.answered);
  add("hop_requests", "answered_late", h.answeredLate);
  add("hop_requests", "open", h.open);
  add("hop_requests", "overdue", h.overdue);
  add("hop_requests", "non_responsive", h.nonResponsive);
  add("hop_requests", "median_answer_seconds", h.medianAnswerSeconds);
  add("hop_requests", "p90_answer_seconds", h.p90AnswerSeconds);
  add("rmd", "listing", s.rmd.match.listing);
  add("rmd", "filing", s.rmd.match.filing?.number);
  add("rmd", "as_of", s.rmd.at);
  for (const v of s.rmd.history) add("rmd_history", `${v.asOf.slice(0, 10)} ${v.number}`, v.change + (v.fields ? ` (${v.fields.join(" ")})` : ""));
  for (const c of s.repeatOffenderCustomers) add("repeat_offender_customers", c.names.join(" / "), c.tracebackIds.length);
  return rows;
}
