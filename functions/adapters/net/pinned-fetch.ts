/**
 * A GET-only `fetch` for fetching from addresses named by others (x5u certificate URLs): the
 * destination is checked under the SSRF rules and the connection goes to the checked address
 * only, so a DNS answer that changes between check and connect cannot reach an internal host.
 * Redirects are returned, never followed; the caller reads and limits the body.
 */
import http from "node:http";
import https from "node:https";
import { checkDestination, pinnedLookup, type DestinationPolicy, type Resolver } from "./ssrf.js";

export function pinnedFetch(policy: DestinationPolicy, resolve?: Resolver): typeof fetch {
  return async (input, init) => {
    const target = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? "GET").toUpperCase();
    if (method !== "GET") throw new TypeError("pinnedFetch only performs GET requests");
    const checked = await checkDestination(target, policy, resolve);
    if (!checked.ok) throw new TypeError(`destination refused: ${checked.code}`);
    const { url, addresses } = checked;
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolvePromise, reject) => {
      const transport = url.protocol === "https:" ? https : http;
      const request = transport.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port === "" ? undefined : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: "GET",
          headers: { accept: "application/pem-certificate-chain, application/pkix-cert, */*" },
          agent: false,
          lookup: pinnedLookup(addresses),
          ...(signal && { signal }),
        },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              res.on("data", (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
              res.on("end", () => controller.close());
              res.on("error", (err) => controller.error(err));
            },
            cancel() {
              res.destroy();
            },
          });
          const status = res.statusCode ?? 502;
          resolvePromise(new Response(status === 204 || status === 304 ? null : body, { status, headers }));
        },
      );
      request.on("error", reject);
      request.end();
    });
  };
}
