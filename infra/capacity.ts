/**
 * The load the prod stage is sized for, worked through per index, queue and function in
 * infra/README.md ("Capacity"). API requests per hop are measured by `npm run bench`.
 */
export const DESIGN_LOAD = {
  tracebacksPerDay: 1_000_000,
  hopsPerTraceback: 5,
  /** A GET of the hop request and its answer, plus a fifth of the traceback's creation. */
  apiRequestsPerHop: 2.2,
  /** Peaks over the daily average the stage must carry. */
  peakFactor: 5,
} as const;

export const averageApiRequestsPerSecond = (load = DESIGN_LOAD) => (load.tracebacksPerDay * load.hopsPerTraceback * load.apiRequestsPerHop) / 86_400;
