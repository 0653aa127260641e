/**
 * Who takes part in the demo and what their switches recorded. Each scenario is one call with its
 * own calling number; each provider's records say on which trunk that call came in, and each
 * provider's trunk map says who is behind that trunk. That is all the responders know.
 */
import type { Outcome } from "../domain/answer.js";
import type { E164 } from "../domain/phone.js";
import type { CallRecord } from "../responder/cdr.js";
import type { TrunkMap } from "../responder/config.js";

export const PROVIDERS = {
  sunshine: "Sunshine Mobile",
  midwest: "Midwest Transit",
  atlantic: "Atlantic Exchange",
  coastal: "Coastal Voice",
  dialer: "Dialer Hosting Co",
  gateway: "Harbor Gateway",
  quiet: "Quiet Carrier",
  careful: "Careful Telecom",
} as const;
export type Role = keyof typeof PROVIDERS;

export interface Scenario {
  key: string;
  title: string;
  calling: E164;
  expected: Outcome;
  /** The providers whose switches saw the call, terminating first, with the trunk it came in on. */
  path: Array<{ role: Role; trunk: string }>;
  /** Use the short fixed deadline (the only scenario that waits for one). */
  shortDeadline?: boolean;
  /** What the person at a provider whose responder asks for one decides. */
  byHand?: { role: Role; upstream: Role; trunk: string };
}

export const CALLED: E164 = "+12025550143";

export const SCENARIOS: Scenario[] = [
  {
    key: "five-hops",
    title: "Originator found after five hops",
    calling: "+13055550101",
    expected: "originator_found",
    path: [
      { role: "sunshine", trunk: "SUN-IN-MIDWEST" },
      { role: "midwest", trunk: "MID-IN-ATLANTIC" },
      { role: "atlantic", trunk: "ATL-IN-COASTAL" },
      { role: "coastal", trunk: "COA-IN-DIALER" },
      { role: "dialer", trunk: "DHC-CUST-1138" },
    ],
  },
  {
    key: "foreign",
    title: "Entered the US network from abroad",
    calling: "+13055550102",
    expected: "point_of_entry_found",
    path: [
      { role: "sunshine", trunk: "SUN-IN-MIDWEST" },
      { role: "midwest", trunk: "MID-IN-HARBOR" },
      { role: "gateway", trunk: "HGW-INTL-LONDON" },
    ],
  },
  {
    key: "silent",
    title: "A provider that never answers",
    calling: "+13055550103",
    expected: "non_responsive_provider",
    shortDeadline: true,
    path: [
      { role: "sunshine", trunk: "SUN-IN-QUIET" },
      { role: "quiet", trunk: "" },
    ],
  },
  {
    key: "loop",
    title: "A loop: a provider already on the path is named again",
    calling: "+13055550104",
    expected: "loop_detected",
    path: [
      { role: "sunshine", trunk: "SUN-IN-MIDWEST" },
      { role: "midwest", trunk: "MID-IN-ATLANTIC" },
      { role: "atlantic", trunk: "ATL-IN-MIDWEST" },
    ],
  },
  {
    key: "by-hand",
    title: "A provider answers by hand",
    calling: "+13055550105",
    expected: "originator_found",
    path: [
      { role: "sunshine", trunk: "SUN-IN-CAREFUL" },
      { role: "careful", trunk: "CT-LEGACY-TDM-4" },
      { role: "coastal", trunk: "COA-IN-DIALER" },
      { role: "dialer", trunk: "DHC-CUST-1138" },
    ],
    byHand: { role: "careful", upstream: "coastal", trunk: "CT-LEGACY-TDM-4" },
  },
];

/** Each provider's trunk map, given the registered ids. Careful Telecom never mapped its TDM trunk. */
export function trunkMaps(ids: Record<Role, string>): Partial<Record<Role, TrunkMap>> {
  return {
    sunshine: {
      "SUN-IN-MIDWEST": { upstream: { providerId: ids.midwest } },
      "SUN-IN-QUIET": { upstream: { providerId: ids.quiet } },
      "SUN-IN-CAREFUL": { upstream: { providerId: ids.careful } },
    },
    midwest: { "MID-IN-ATLANTIC": { upstream: { providerId: ids.atlantic } }, "MID-IN-HARBOR": { upstream: { providerId: ids.gateway } } },
    atlantic: { "ATL-IN-COASTAL": { upstream: { providerId: ids.coastal } }, "ATL-IN-MIDWEST": { upstream: { providerId: ids.midwest } } },
    coastal: { "COA-IN-DIALER": { upstream: { providerId: ids.dialer } } },
    dialer: { "DHC-CUST-1138": { customer: { name: "Robo Reach Marketing LLC", accountReference: "CUST-1138" }, actionTaken: "suspended" } },
    gateway: { "HGW-INTL-LONDON": { foreign: { name: "Thameside Wholesale Voice Ltd", country: "GB" } } },
    careful: {},
  };
}

/** What each provider's switch recorded: every scenario call it carried, a little later at each hop. */
export function callRecords(callTime: Date): Record<Role, CallRecord[]> {
  const records = Object.fromEntries(Object.keys(PROVIDERS).map((r) => [r, [] as CallRecord[]])) as Record<Role, CallRecord[]>;
  for (const s of SCENARIOS) {
    s.path.forEach((hop, i) => {
      if (!hop.trunk) return;
      records[hop.role].push({
        startTime: new Date(callTime.getTime() + (s.path.length - i) * 40),
        calling: s.calling,
        called: CALLED,
        ingressTrunk: hop.trunk,
        sipCallId: `${s.key}-${hop.role}@sip.example`,
      });
    });
  }
  return records;
}
