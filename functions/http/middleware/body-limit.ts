/**
 * The body size cap, enforced while the body streams in and before anything else reads it (the
 * signature check needs the whole body, so it comes after). A declared Content-Length over the cap
 * is refused before a byte is read; any other body is counted chunk by chunk, whatever its
 * headers claim, and refused at the chunk that crosses the cap. The 413 goes out at once with
 * `Connection: close`, so the rest of the body is never read.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";

const CLOSE = { connection: "close" };

export function bodyCap(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new ProblemError(413, "payload_too_large", `the request body is larger than ${maxBytes} bytes`, undefined, CLOSE);
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && Number(length) > maxBytes) throw tooLarge();
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      // The server would read such a body only to throw it away: refuse it rather than read it.
      if (c.req.header("transfer-encoding") !== undefined || (length !== undefined && Number(length) > 0)) {
        throw new ProblemError(400, "body_not_allowed", `a ${c.req.method} request has no body`, undefined, CLOSE);
      }
      return next();
    }
    const body = c.req.raw.body && (await readAtMost(c.req.raw.body, maxBytes));
    if (body === undefined) throw tooLarge();
    if (body !== null) c.req.raw = new Request(c.req.raw, { body });
    return next();
  };
}

/** The whole stream, or undefined as soon as it grows past `max` bytes (the rest stays unread). */
async function readAtMost(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The connection broke or the framing was invalid; the parser has answered already.
      throw new ProblemError(400, "malformed_request", "the request body could not be read", undefined, CLOSE);
    });
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    // Released, not cancelled: cancelling would tear the connection down before the 413 is out.
    if (size > max) {
      reader.releaseLock();
      return undefined;
    }
    chunks.push(value);
  }
}
