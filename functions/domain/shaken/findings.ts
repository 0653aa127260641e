import type { FindingCode, FindingSeverity } from "./finding-codes.js";
import type { Finding } from "./finding-schema.js";

export type { Finding, FindingCode, FindingSeverity };

export function finding(code: FindingCode, severity: FindingSeverity, detail: string): Finding {
  return { code, severity, detail };
}

export function hasFinding(findings: readonly Finding[], code: FindingCode): boolean {
  return findings.some((f) => f.code === code);
}

export function withIdentityIndex(findings: readonly Finding[], identityIndex: number): Finding[] {
  return findings.map((f) => ({ ...f, identityIndex }));
}
