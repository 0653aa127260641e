/** Per-provider responsiveness over a period: what the consortium reports on and acts on. */
import { z } from "zod";
import type { Hop } from "./traceback.js";

/** The counts and answer times of a provider's hop requests: the contract's `Responsiveness` is built from it. */
export const responsivenessSchema = z.object({
  requested: z.int(),
  answered: z.int(),
  answeredLate: z.int(),
  open: z.int(),
  overdue: z.int(),
  nonResponsive: z.int(),
  medianAnswerSeconds: z.number().optional(),
  p90AnswerSeconds: z.number().optional(),
});
export type Responsiveness = z.infer<typeof responsivenessSchema>;

export function responsiveness(hops: Hop[]): Responsiveness {
  const asked = hops.filter((h) => h.status !== "cancelled" && h.status !== "awaiting_registration");
  const times = asked
    .filter((h) => h.answeredAt)
    .map((h) => (Date.parse(h.answeredAt!) - Date.parse(h.deadline?.clockStartsAt ?? h.createdAt)) / 1000)
    .map((s) => Math.max(0, s))
    .sort((a, b) => a - b);
  const median = percentile(times, 0.5);
  const p90 = percentile(times, 0.9);
  return {
    requested: asked.length,
    answered: times.length,
    answeredLate: asked.filter((h) => h.late).length,
    open: asked.filter((h) => h.status === "open").length,
    overdue: asked.filter((h) => h.overdueAt).length,
    nonResponsive: asked.filter((h) => h.escalatedAt).length,
    ...(median !== undefined && { medianAnswerSeconds: median }),
    ...(p90 !== undefined && { p90AnswerSeconds: p90 }),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
