import type { LookupAddress, LookupOptions } from "node:dns";
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export interface DestinationPolicy {
  /** Only the embedded local mode sets this; the cloud never reaches loopback. */
  allowLoopback: boolean;
  requireHttps: boolean;
}

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "unique_local"
  | "link_local"
  | "cgnat"
  | "metadata"
  | "unspecified"
  | "broadcast"
  | "multicast"
  | "benchmarking"
  | "documentation"
  | "reserved"
  | "ipv4_mapped"
  | "nat64"
  | "6to4"
  | "teredo"
  | "invalid";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export type DestinationRefusalCode = "invalid_url" | "scheme_not_allowed" | "credentials_in_url" | "unresolvable" | "forbidden_address";

export type DestinationCheck = { ok: true; url: URL; addresses: ResolvedAddress[] } | { ok: false; code: DestinationRefusalCode; detail: string };

type V4Range = [ipaddr.IPv4, number];
type V6Range = [ipaddr.IPv6, number];

const v4 = (cidr: string): V4Range => ipaddr.IPv4.parseCIDR(cidr);
const v6 = (cidr: string): V6Range => ipaddr.IPv6.parseCIDR(cidr);

// Order matters: the first matching entry wins, so the narrow metadata hosts
// come before the link-local block that contains them.
const IPV4_TABLE: Array<[Exclude<AddressClass, "public">, V4Range[]]> = [
  ["unspecified", [v4("0.0.0.0/8")]],
  ["broadcast", [v4("255.255.255.255/32")]],
  // Cloud instance metadata (AWS/GCP/Azure) and the ECS task metadata endpoint.
  ["metadata", [v4("169.254.169.254/32"), v4("169.254.170.2/32")]],
  ["loopback", [v4("127.0.0.0/8")]],
  ["private", [v4("10.0.0.0/8"), v4("172.16.0.0/12"), v4("192.168.0.0/16")]],
  ["cgnat", [v4("100.64.0.0/10")]],
  ["link_local", [v4("169.254.0.0/16")]],
  ["multicast", [v4("224.0.0.0/4")]],
  ["benchmarking", [v4("198.18.0.0/15")]],
  ["documentation", [v4("192.0.2.0/24"), v4("198.51.100.0/24"), v4("203.0.113.0/24")]],
  ["reserved", [v4("192.0.0.0/24"), v4("192.88.99.0/24"), v4("240.0.0.0/4")]],
];

const IPV6_TABLE: Array<[Exclude<AddressClass, "public" | "nat64" | "6to4" | "teredo">, V6Range[]]> = [
  ["unspecified", [v6("::/128")]],
  ["loopback", [v6("::1/128")]],
  // AWS Nitro instance metadata over IPv6; it sits inside fc00::/7.
  ["metadata", [v6("fd00:ec2::254/128")]],
  // ::ffff:0:0/96 is mapped, ::ffff:0:0:0/96 is the SIIT-translated form; both
  // name an IPv4 host directly.
  ["ipv4_mapped", [v6("::ffff:0:0/96"), v6("::ffff:0:0:0/96")]],
  ["unique_local", [v6("fc00::/7")]],
  ["link_local", [v6("fe80::/10")]],
  ["multicast", [v6("ff00::/8")]],
  ["benchmarking", [v6("2001:2::/48")]],
  ["documentation", [v6("2001:db8::/32"), v6("3fff::/20")]],
];

const NAT64_WELL_KNOWN = v6("64:ff9b::/96");
const NAT64_LOCAL_USE = v6("64:ff9b:1::/48");
const SIX_TO_FOUR = v6("2002::/16");
const TEREDO = v6("2001::/32");
const GLOBAL_UNICAST = v6("2000::/3");
// Protocol assignments (RFC 2928) and segment routing SIDs: nothing a
// webhook receiver legitimately lives on.
const V6_RESERVED_INSIDE_GLOBAL: V6Range[] = [v6("2001::/23"), v6("5f00::/16")];

function classifyV4(address: ipaddr.IPv4): AddressClass {
  for (const [name, ranges] of IPV4_TABLE) {
    if (ranges.some((range) => address.match(range))) return name;
  }
  return "public";
}

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  for (const [name, ranges] of IPV6_TABLE) {
    if (ranges.some((range) => address.match(range))) return name;
  }
  const p = address.parts;
  const part = (i: number): number => p[i] ?? 0;

  // Translation prefixes carry an IPv4 destination that a gateway will reach
  // on our behalf, so they are judged by the IPv4 address they embed.
  if (address.match(NAT64_WELL_KNOWN)) {
    return classifyV4(v4FromParts(part(6), part(7))) === "public" ? "public" : "nat64";
  }
  // The local-use prefix allows any prefix length, so the embedded address
  // cannot be located reliably.
  if (address.match(NAT64_LOCAL_USE)) return "nat64";
  if (address.match(SIX_TO_FOUR)) {
    return classifyV4(v4FromParts(part(1), part(2))) === "public" ? "public" : "6to4";
  }
  if (address.match(TEREDO)) {
    const server = v4FromParts(part(2), part(3));
    // The client address is stored bit-inverted (RFC 4380 section 4).
    const client = v4FromParts(part(6) ^ 0xffff, part(7) ^ 0xffff);
    return classifyV4(server) === "public" && classifyV4(client) === "public" ? "public" : "teredo";
  }
  if (!address.match(GLOBAL_UNICAST)) return "reserved";
  if (V6_RESERVED_INSIDE_GLOBAL.some((range) => address.match(range))) return "reserved";
  return "public";
}

/**
 * Classifies a literal IP address (IPv6 may be bracketed). Only canonical
 * textual forms are accepted: looser spellings such as "127.1" or octal
 * octets are interpreted differently by different parsers, so they are
 * reported as "invalid" rather than guessed at.
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is refused whatever it embeds: a dual-stack
 * socket delivers it to the IPv4 host, so it is a second spelling of an IPv4
 * address that range checks written for IPv6 would otherwise wave through, and
 * no public receiver needs to be addressed that way.
 */
export function classifyAddress(ip: string): AddressClass {
  const literal = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(literal);
  if (family === 4) return classifyV4(ipaddr.IPv4.parse(literal));
  if (family === 6) {
    try {
      return classifyV6(ipaddr.IPv6.parse(literal));
    } catch {
      return "invalid";
    }
  }
  return "invalid";
}

const defaultResolver: Resolver = async (host) => {
  const results = await dns.lookup(host, { all: true, verbatim: true });
  return results.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

function refuse(code: DestinationRefusalCode, detail: string): DestinationCheck {
  return { ok: false, code, detail };
}

function isAllowed(kind: AddressClass, policy: DestinationPolicy): boolean {
  return kind === "public" || (kind === "loopback" && policy.allowLoopback);
}

/**
 * Validates a provider-supplied webhook URL and every address its host
 * resolves to. Refusal details name the address class but never the resolved
 * address, so the check cannot be used to map internal DNS.
 */
export async function checkDestination(url: string, policy: DestinationPolicy, resolve: Resolver = defaultResolver): Promise<DestinationCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse("invalid_url", "not an absolute URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return refuse("scheme_not_allowed", `scheme ${parsed.protocol.slice(0, -1)} is not allowed`);
  }
  if (policy.requireHttps && parsed.protocol !== "https:") {
    return refuse("scheme_not_allowed", "only https is allowed");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return refuse("credentials_in_url", "URL must not carry credentials");
  }
  const host = parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (host === "") return refuse("invalid_url", "URL has no host");

  let addresses: ResolvedAddress[];
  const literalFamily = isIP(host);
  if (literalFamily === 4 || literalFamily === 6) {
    addresses = [{ address: host, family: literalFamily }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      return refuse("unresolvable", `${host} could not be resolved`);
    }
    if (addresses.length === 0) return refuse("unresolvable", `${host} has no addresses`);
  }

  const checked: ResolvedAddress[] = [];
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (!isAllowed(kind, policy)) {
      return refuse("forbidden_address", `${host} resolves to a forbidden address (${kind})`);
    }
    checked.push({ address, family: isIP(address) === 6 ? 6 : 4 });
  }
  return { ok: true, url: parsed, addresses: checked };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A lookup that answers only with addresses that already passed the
 * destination check, so a DNS answer changing between check and connect
 * (rebinding) cannot steer the socket elsewhere. The request keeps the
 * original host name, so Host and TLS SNI/certificate checks are unaffected.
 */
export function pinnedLookup(addresses: ResolvedAddress[]) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const first = addresses[0];
    if (first === undefined) {
      callback(Object.assign(new Error("no checked address"), { code: "ENOTFOUND" }), "", 0);
      return;
    }
    if (options.all === true) {
      callback(
        null,
        addresses.map((a) => ({ address: a.address, family: a.family })),
      );
      return;
    }
    callback(null, first.address, first.family);
  };
}
