/**
 * The local HTTP server: Node's, running the app through @hono/node-server's listener. What Node's
 * parser refuses before the app sees a request (headers over its limit, broken framing, a request
 * too slow to arrive) and what the adapter refuses (no Host, or one that makes no URL) would get
 * a bare status line or an empty body; here they get problem details like every other error. On
 * AWS, API Gateway refuses such requests itself.
 */
import { createServer, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener, RequestError } from "@hono/node-server";
import { PROBLEM_CONTENT_TYPE, problemBody } from "../http/problem.js";

type Refusal = [status: number, code: string, detail: string];

const PARSER_REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: [431, "header_fields_too_large", "the request headers are larger than the server accepts"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "payload_too_large", "the chunk extensions are larger than the server accepts"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request_timeout", "the request did not arrive in time"],
};
const MALFORMED: Refusal = [400, "malformed_request", "the request is not well-formed HTTP/1.1"];
const INTERNAL: Refusal = [500, "internal_error", "an internal error occurred; quote the request id when reporting it"];
const REASONS: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large" };

export function createHttpServer(fetch: (req: Request) => Response | Promise<Response>, requestId: () => string): Server {
  const refuse = ([status, code, detail]: Refusal) => {
    const id = requestId();
    const body = JSON.stringify(problemBody(status, code, detail, id));
    return { id, body, headers: { "content-type": PROBLEM_CONTENT_TYPE, "x-request-id": id, connection: "close" } };
  };
  const server = createServer(
    // Node would answer a request without a Host with an empty 400 of its own; the adapter refuses it below.
    { requireHostHeader: false },
    getRequestListener(fetch, {
      // The requests the adapter cannot turn into a Request (no Host, or a Host that makes no
      // URL) are the client's fault; anything else reaching here is ours.
      errorHandler: (err) => {
        const refusal = err instanceof RequestError ? MALFORMED : INTERNAL;
        const { body, headers } = refuse(refusal);
        return new Response(body, { status: refusal[0], headers });
      },
    }),
  );
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
    // Nothing can be said on a connection that is gone, or whose response has already begun.
    if (err.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const refusal = PARSER_REFUSALS[err.code ?? ""] ?? MALFORMED;
    const { body, headers } = refuse(refusal);
    const head = [
      `HTTP/1.1 ${refusal[0]} ${REASONS[refusal[0]]}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `content-length: ${Buffer.byteLength(body)}`,
    ];
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`, () => socket.destroy());
  });
  return server;
}
