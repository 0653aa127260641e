/**
 * The only requests under /v1 that are not signed by a registered key: a person opening their
 * invitation (no signature at all) and enrolling with it (signed by the new key itself, which
 * the body carries). Everything else needs a registered, active key. The authentication
 * middleware and the contract test both read this list, so a route cannot slip out of it.
 */
import type { Context } from "hono";

export type UnregisteredAccess = "public" | "self_signed";

export const UNREGISTERED_ROUTES: ReadonlyArray<{ method: "GET" | "POST"; path: RegExp; documented: string; access: UnregisteredAccess }> = [
  { method: "GET", path: /^\/v1\/enrolments\/[^/]+$/, documented: "/v1/enrolments/{token}", access: "public" },
  { method: "POST", path: /^\/v1\/enrolments\/[^/]+$/, documented: "/v1/enrolments/{token}", access: "self_signed" },
];

export function unregisteredAccess(method: string, path: string): UnregisteredAccess | undefined {
  return UNREGISTERED_ROUTES.find((r) => r.method === method && r.path.test(path))?.access;
}

/**
 * The client's address, for the rate of requests without an account: the source address API
 * Gateway saw in Lambda, the socket's peer under the local server, "unknown" otherwise.
 */
export function clientAddress(c: Context): string {
  const env = c.env as
    | { requestContext?: { identity?: { sourceIp?: string }; http?: { sourceIp?: string } }; incoming?: { socket?: { remoteAddress?: string } } }
    | undefined;
  return env?.requestContext?.identity?.sourceIp ?? env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? "unknown";
}
