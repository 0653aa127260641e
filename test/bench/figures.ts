/** What the benchmarks print with: progress on stderr, percentiles of sorted samples, milliseconds. */
export const progress = (line: string) => process.stderr.write(`${line}\n`);

/** The p-th percentile (0 to 1) of samples sorted ascending, nearest rank. */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;

export const ms = (x: number) => `${x.toFixed(0)} ms`;
