/**
 * What every Hono app of the hub has around its routes, the API's and the console's alike: a
 * request id on every response, and a problem+json answer for an unknown path or a thrown error.
 */
import type { Hono } from "hono";
import type { IdGenerator } from "../domain/ids.js";
import type { AppEnv } from "./env.js";
import { problemResponse, toProblem } from "./problem.js";

export function useRequestIds(app: Hono<AppEnv>, ids: IdGenerator): void {
  app.use("*", async (c, next) => {
    c.set("requestId", ids.next("req"));
    await next();
    c.header("x-request-id", c.get("requestId"));
  });
}

export function useProblemFallbacks(app: Hono<AppEnv>, logError: (msg: string, fields: Record<string, unknown>) => void): void {
  app.notFound((c) => problemResponse(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err, c) => toProblem(err, c, (msg, fields) => logError(msg, { ...fields, requestId: c.get("requestId") })));
}
