/** A provider's tracebacks by the part it played, from its role items: what regulators ask carriers for. */
import type { Outcome } from "../answer.js";
import type { FindingKind } from "./intel.js";
import type { ProviderRole } from "./roles.js";

export interface RoleFigures {
  tracebacks: number;
  onPath: number;
  asOriginator: number;
  asPointOfEntry: number;
  asSigner: number;
  outcomes: Array<{ outcome: Outcome; tracebacks: number }>;
  findings: Array<{ kind: FindingKind; tracebacks: number }>;
}

export function roleFigures(roles: readonly ProviderRole[]): RoleFigures {
  const has = (r: ProviderRole["roles"][number]) => roles.filter((x) => x.roles.includes(r)).length;
  const outcomes = new Map<Outcome, number>();
  const findings = new Map<FindingKind, number>();
  for (const r of roles) {
    if (r.outcome) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    for (const f of r.findings) findings.set(f, (findings.get(f) ?? 0) + 1);
  }
  const sorted = <K extends string>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    tracebacks: roles.length,
    onPath: has("path"),
    asOriginator: has("originator"),
    asPointOfEntry: has("point_of_entry"),
    asSigner: has("signer"),
    outcomes: sorted(outcomes).map(([outcome, tracebacks]) => ({ outcome, tracebacks })),
    findings: sorted(findings).map(([kind, tracebacks]) => ({ kind, tracebacks })),
  };
}
