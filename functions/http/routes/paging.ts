import type { Context } from "hono";
import type { Page, PageRequest } from "../../usecases/ports.js";
import type { AppDeps, AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";

export interface Pager {
  request: PageRequest;
  body<T>(page: Page<T>): { items: T[]; nextCursor?: string };
}

/**
 * One page of a listing. The cursors handed out are sealed to the listing they continue: the
 * route and its path parameters, the caller, and every filter but the page size. Any other
 * cursor is refused here, before a store sees it.
 */
export function pager(deps: AppDeps, c: Context<AppEnv>, query: { limit: number; cursor?: string | undefined } & Record<string, unknown>): Pager {
  const { limit, cursor, ...filters } = query;
  const listing = JSON.stringify([
    c.req.method,
    c.req.path,
    c.get("principal").accountId,
    Object.entries(filters)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  ]);
  let request: PageRequest = { limit };
  if (cursor !== undefined) {
    const opened = deps.cursors.open(listing, cursor);
    if (opened === undefined) {
      const detail = "the cursor was not issued for this list";
      throw new ProblemError(400, "invalid_cursor", detail, [{ pointer: "/cursor", detail }]);
    }
    request = { limit, cursor: opened };
  }
  return {
    request,
    body: (page) => ({ items: page.items, ...(page.nextCursor && { nextCursor: deps.cursors.seal(listing, page.nextCursor) }) }),
  };
}
