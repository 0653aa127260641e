/** A bundle report as text for people: the verdict, the checkpoint, then each hop and its statements. */
import type { BundleReport, StatementReport } from "./bundle.js";

const mark = (ok: boolean) => (ok ? "ok  " : "FAIL");

function statementLine(s: StatementReport): string[] {
  const who = s.signer ? ` signed by ${s.signer.accountId} (key ${s.signer.keyId.slice(0, 12)}…)` : " by the hub";
  const when = s.acceptedAt ? ` at ${s.acceptedAt}` : "";
  const where = s.index !== undefined ? `, log entry ${s.index}` : "";
  return [`    [${mark(s.ok)}] ${s.label}${who}${when}${where}`, ...s.problems.map((p) => `           - ${p}`)];
}

export function formatBundleReport(report: BundleReport): string {
  const lines: string[] = [];
  lines.push(`${report.ok ? "VERIFIED" : "NOT VERIFIED"}: traceback ${report.tracebackId ?? "?"}${report.outcome ? `, outcome ${report.outcome}` : ""}`);
  if (report.checkpoint) {
    const c = report.checkpoint;
    lines.push(`  checkpoint: ${c.origin}, ${c.size} entries, root ${c.rootHash}, signed ${c.time} (key ${c.kid})`);
  }
  if (report.trusted) lines.push(`  consistent with the trusted checkpoint of ${report.trusted.size} entries: ${report.trusted.consistent ? "yes" : "NO"}`);
  lines.push(`  hub keys: ${report.keysFrom === "given" ? "the JWKS given" : "taken from the bundle (unverified)"}`);
  for (const p of report.problems) lines.push(`  - ${p}`);
  lines.push("", `  traceback`);
  for (const p of report.traceback.problems) lines.push(`    - ${p}`);
  for (const s of report.traceback.statements) lines.push(...statementLine(s));
  for (const h of report.hops) {
    lines.push("", `  [${mark(h.ok)}] hop ${h.seq} ${h.id}: ${h.status}${h.providerId ? `, asked of ${h.providerId}` : ""}`);
    for (const p of h.problems) lines.push(`    - ${p}`);
    for (const s of h.statements) lines.push(...statementLine(s));
  }
  if (report.notes.length > 0) {
    lines.push("", "  on the hub's word alone:");
    for (const n of report.notes) lines.push(`    * ${n}`);
  }
  return `${lines.join("\n")}\n`;
}
