import type { Page, PageRequest } from "../../usecases/ports.js";

export function pageRequest(q: { limit: number; cursor?: string | undefined }): PageRequest {
  return { limit: q.limit, ...(q.cursor !== undefined && { cursor: q.cursor }) };
}

export function pageBody<T>(page: Page<T>): { items: T[]; nextCursor?: string } {
  return { items: page.items, ...(page.nextCursor && { nextCursor: page.nextCursor }) };
}
