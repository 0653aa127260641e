/**
 * Paged listings over rows kept in memory, with cursors that hold the listing they belong to and
 * the sort key of the last row handed out: a cursor of another listing, or garbage, is refused
 * with the same error the DynamoDB adapters give.
 */
import { parseCursor } from "../../functions/adapters/dynamo/items.js";
import { InvalidCursorError } from "../../functions/domain/errors.js";
import type { Page, PageRequest } from "../../functions/usecases/page.js";

export interface Row<T> {
  sk: string;
  value: T;
}

const byKey = <T>(a: Row<T>, b: Row<T>) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0);

export function encodeCursor(listing: string, after: string): string {
  return Buffer.from(JSON.stringify({ listing, after })).toString("base64url");
}

export function decodeCursor(listing: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const c = parseCursor(cursor);
  if (typeof c.after !== "string" || c.after === "") throw new InvalidCursorError("the cursor is not one this API issued");
  if (c.listing !== listing) throw new InvalidCursorError("the cursor does not belong to this listing");
  return c.after;
}

/**
 * One page of `rows` (any order) under `listing`, newest (highest sort key) first unless `ascending`.
 * A full page carries a cursor even when nothing follows it, as a DynamoDB Query stopped by its
 * Limit does: the page after it is then empty.
 */
export function pageOf<T>(listing: string, rows: Iterable<Row<T>>, page: PageRequest, opts: { ascending?: boolean } = {}): Page<T> {
  const after = decodeCursor(listing, page.cursor);
  const sorted = [...rows].sort(byKey);
  if (!opts.ascending) sorted.reverse();
  const rest = after === undefined ? sorted : sorted.filter((r) => (opts.ascending ? r.sk > after : r.sk < after));
  const taken = rest.slice(0, page.limit);
  const last = taken.at(-1);
  return { items: taken.map((r) => structuredClone(r.value)), ...(taken.length === page.limit && last && { nextCursor: encodeCursor(listing, last.sk) }) };
}

/** Rows with a sort key below `before`, oldest first, at most `limit`: the due-work indexes. */
export function dueBefore<T>(rows: Iterable<Row<T>>, before: string, limit: number): T[] {
  return [...rows]
    .filter((r) => r.sk < before)
    .sort(byKey)
    .slice(0, limit)
    .map((r) => structuredClone(r.value));
}

export const copy = <T>(v: T): T => structuredClone(v);
