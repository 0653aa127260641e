/**
 * Keep-alive connections for webhook deliveries, one agent per destination *and* the addresses
 * its check pinned: a connection is only ever reused for a request whose own check resolved to
 * the same addresses, so a host whose DNS answer changes (to an internal address, say) gets a
 * fresh, freshly checked connection and never rides on one opened for an earlier answer.
 * Idle connections close after a few seconds, before the usual 5 s server keep-alive ends them.
 */
import http from "node:http";
import https from "node:https";
import type { ResolvedAddress } from "../net/ssrf.js";

/** Shorter than the 5 s keep-alive of Node's (and many other) servers, so the hub closes first. */
const IDLE_MS = 4_000;
const MAX_SOCKETS_PER_DESTINATION = 8;
/** Destinations with an agent at once; beyond that the least recently used one is let go (its idle connections close themselves). */
const MAX_AGENTS = 256;

const agents = new Map<string, http.Agent>();

export function agentFor(url: URL, addresses: ResolvedAddress[]): http.Agent {
  const key = `${url.protocol}//${url.host}|${addresses.map((a) => `${a.address}/${a.family}`).join(",")}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key);
  } else {
    const options = {
      keepAlive: true,
      timeout: IDLE_MS,
      maxSockets: MAX_SOCKETS_PER_DESTINATION,
      maxFreeSockets: MAX_SOCKETS_PER_DESTINATION,
      scheduling: "lifo" as const,
    };
    agent = url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
    if (agents.size >= MAX_AGENTS) agents.delete(agents.keys().next().value as string);
  }
  agents.set(key, agent);
  return agent;
}
