import { describe, expect, it } from "vitest";
import type { HopAnswer } from "../../../functions/domain/answer-schema.js";
import type { RmdFiling } from "../../../functions/domain/rmd/filing.js";
import {
  identitiesOf,
  identityKey,
  identityOfProvider,
  kycFindings,
  providerIdsOf,
  type KycChain,
  type RegisteredProvider,
} from "../../../functions/domain/rmd/findings.js";
import type { ProviderIdentity, RmdMatch } from "../../../functions/domain/rmd/match.js";

const SNAP = { importId: "rmd_2", asOf: "2025-08-26T00:00:00.000Z" };
const EVIDENCE = { ingressTrunk: "T1" };
const filing = (number: string, extra: Partial<RmdFiling> = {}): RmdFiling => ({ number, business_name: `${number} LLC`, ...extra });
const listed = (f: RmdFiling): RmdMatch => ({ listing: "listed", snapshot: SNAP, filing: f, by: ["rmd_number"], suggestions: [] });

const T: RegisteredProvider = { id: "acc_T", name: "Terminating Co", frn: "0000000001", rmdNumber: "RMD0000001" };
const U: RegisteredProvider = { id: "acc_U", name: "Upstream Transit", frn: "0000000002", rmdNumber: "RMD0000002" };
const G: RegisteredProvider = { id: "acc_G", name: "Gateway Co", frn: "0000000003", rmdNumber: "RMD0000003" };
const S: RegisteredProvider = { id: "acc_S", name: "Signer Co", frn: "0000000004" };
const GONE: ProviderIdentity = { name: "Gone Dialer", rmdNumber: "RMD0000008" };
const NAMELESS: ProviderIdentity = { name: "Mystery Carrier" };

const upstream = (up: Extract<HopAnswer, { type: "upstream_identified" }>["upstream"]): HopAnswer => ({
  type: "upstream_identified",
  upstream: up,
  evidence: EVIDENCE,
});

function evidence(providers: RegisteredProvider[], matches: Array<[ProviderIdentity, RmdMatch]>) {
  return { snapshot: SNAP, providers: new Map(providers.map((p) => [p.id, p])), matches: new Map(matches.map(([i, m]) => [identityKey(i), m])) };
}

describe("know-your-upstream findings of a traceback", () => {
  const chain: KycChain = {
    callTimeUtc: "2025-09-02T15:00:00.000Z",
    hops: [
      { seq: 1, providerId: T.id, answer: upstream({ providerId: U.id }) },
      { seq: 2, providerId: U.id, answer: upstream({ name: GONE.name!, rmdNumber: "rmd0000008" }) },
      { seq: 3 },
    ],
    signatures: [],
  };

  it("names the providers and identities it needs resolved", () => {
    expect(providerIdsOf(chain)).toEqual([T.id, U.id]);
    const providers = new Map([T, U].map((p) => [p.id, p]));
    expect(identitiesOf(chain, providers)).toEqual([identityOfProvider(T), identityOfProvider(U), GONE]);
  });

  it("finds an upstream removed before the call, and the provider that accepted the call from it", () => {
    const found = kycFindings(
      chain,
      evidence(
        [T, U],
        [
          [identityOfProvider(T), listed(filing("RMD0000001", { frn: "0000000001" }))],
          [identityOfProvider(U), listed(filing("RMD0000002", { frn: "0000000002" }))],
          [GONE, { listing: "removed", snapshot: SNAP, filing: filing("RMD0000008"), by: ["rmd_number"], removedIn: SNAP, suggestions: [] }],
        ],
      ),
    );
    expect(found.map((x) => [x.code, x.severity, x.hopSeq, x.providerId])).toEqual([
      ["upstream_removed_from_rmd", "critical", 2, undefined],
      ["accepted_from_unlisted_upstream", "critical", 2, U.id],
    ]);
    expect(found[0]!.subject).toEqual(GONE);
    expect(found[0]!.detail).toContain("2025-08-26");
  });

  it("finds a registered upstream never filed, and the registration that matches no filing", () => {
    const found = kycFindings(
      chain,
      evidence(
        [T, U],
        [
          [identityOfProvider(T), listed(filing("RMD0000001", { frn: "0000000001" }))],
          [identityOfProvider(U), { listing: "not_listed", snapshot: SNAP, suggestions: [{ number: "RMD0000777", businessName: "Upstream Transit Inc" }] }],
          [GONE, listed(filing("RMD0000008"))],
        ],
      ),
    );
    expect(found.map((x) => [x.code, x.hopSeq, x.providerId])).toEqual([
      ["upstream_not_in_rmd", 1, U.id],
      ["accepted_from_unlisted_upstream", 1, T.id],
      ["registered_rmd_mismatch", undefined, U.id],
    ]);
    expect(found[0]!.suggestions).toEqual([{ number: "RMD0000777", businessName: "Upstream Transit Inc" }]);
  });

  it("only informs before 2024-05-28, when accepting from unlisted providers became forbidden for everyone", () => {
    const early = { ...chain, callTimeUtc: "2024-05-27T23:59:59.000Z" };
    const found = kycFindings(
      early,
      evidence(
        [T, U],
        [
          [identityOfProvider(T), listed(filing("RMD0000001", { frn: "0000000001" }))],
          [identityOfProvider(U), listed(filing("RMD0000002", { frn: "0000000002" }))],
          [GONE, { listing: "not_listed", snapshot: SNAP, suggestions: [] }],
        ],
      ),
    );
    expect(found.find((x) => x.code === "accepted_from_unlisted_upstream")!.severity).toBe("info");
  });

  it("cannot check an upstream named without FRN or RMD number, and says so without deciding by name", () => {
    const c: KycChain = { ...chain, hops: [{ seq: 1, providerId: T.id, answer: upstream({ name: NAMELESS.name! }) }] };
    const found = kycFindings(
      c,
      evidence(
        [T],
        [
          [identityOfProvider(T), listed(filing("RMD0000001", { frn: "0000000001" }))],
          [NAMELESS, { listing: "unverifiable", snapshot: SNAP, suggestions: [{ number: "RMD0000555", businessName: "Mystery Carrier LLC" }] }],
        ],
      ),
    );
    expect(found.map((x) => [x.code, x.severity])).toEqual([["upstream_rmd_unverifiable", "info"]]);
  });

  it("finds a point of entry whose filing does not say it is a gateway provider", () => {
    const c: KycChain = {
      callTimeUtc: chain.callTimeUtc,
      hops: [{ seq: 1, providerId: G.id, answer: { type: "foreign_point_of_entry", foreignProvider: { name: "Abroad", country: "GB" }, evidence: EVIDENCE } }],
      signatures: [],
    };
    const withChoice = (gateway_provider_choice?: string) =>
      kycFindings(
        c,
        evidence(
          [G],
          [[identityOfProvider(G), listed(filing("RMD0000003", { frn: "0000000003", ...(gateway_provider_choice && { gateway_provider_choice }) }))]],
        ),
      );
    expect(withChoice("Yes")).toEqual([]);
    expect(withChoice("No").map((x) => [x.code, x.severity, x.providerId, x.hopSeq])).toEqual([["gateway_not_filed_as_gateway", "critical", G.id, 1]]);
    expect(withChoice(undefined).map((x) => x.severity)).toEqual(["warning"]);
    const unfiled = kycFindings(c, evidence([G], [[identityOfProvider(G), { listing: "not_listed", snapshot: SNAP, suggestions: [] }]]));
    expect(unfiled.map((x) => x.code)).toEqual(["gateway_not_filed_as_gateway", "registered_rmd_mismatch"]);
  });

  it("finds an A attestation by a provider whose filing says STIR/SHAKEN is not implemented", () => {
    const c: KycChain = {
      callTimeUtc: chain.callTimeUtc,
      hops: [{ seq: 1, providerId: T.id }],
      signatures: [
        { identityIndex: 0, signatureValid: true, chainValid: true, signerProviderId: S.id, attest: "A" },
        { identityIndex: 1, signatureValid: true, chainValid: true, signerProviderId: S.id, attest: "C" },
        { identityIndex: 2, signatureValid: false, chainValid: true, signerProviderId: S.id, attest: "A" },
      ],
    };
    const withImplementation = (implementation: string) =>
      kycFindings(
        c,
        evidence(
          [T, S],
          [
            [identityOfProvider(T), listed(filing("RMD0000001", { frn: "0000000001" }))],
            [identityOfProvider(S), { ...listed(filing("RMD0000004", { frn: "0000000004", implementation })), by: ["frn"] }],
          ],
        ),
      );
    expect(withImplementation("No STIR/SHAKEN Implementation - Performing Robocall Mitigation").map((x) => [x.code, x.providerId, x.identityIndex])).toEqual([
      ["signed_a_without_shaken", S.id, 0],
    ]);
    expect(withImplementation("Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation")).toEqual([]);
  });

  it("finds a registered provider whose RMD number and FRN no longer agree, or that has neither", () => {
    const c: KycChain = {
      callTimeUtc: chain.callTimeUtc,
      hops: [
        { seq: 1, providerId: T.id },
        { seq: 2, providerId: "acc_X" },
      ],
      signatures: [],
    };
    const X: RegisteredProvider = { id: "acc_X", name: "No Numbers Co" };
    const found = kycFindings(
      c,
      evidence(
        [T, X],
        [
          [
            identityOfProvider(T),
            { ...listed(filing("RMD0000001", { frn: "0000000099" })), mismatch: "RMD0000001 is filed under FRN 0000000099, not 0000000001" },
          ],
          [identityOfProvider(X), { listing: "unverifiable", snapshot: SNAP, suggestions: [] }],
        ],
      ),
    );
    expect(found.map((x) => [x.code, x.providerId])).toEqual([
      ["registered_rmd_mismatch", T.id],
      ["registered_rmd_unverifiable", X.id],
    ]);
  });

  it("checks nothing, and says so, when no snapshot covers the call", () => {
    expect(kycFindings(chain, { providers: new Map(), matches: new Map() })).toEqual([
      { code: "rmd_no_snapshot", severity: "info", detail: "no RMD snapshot was taken at or before the call (2025-09-02T15:00:00.000Z): nothing was checked" },
    ]);
  });

  it("refuses to guess when an identity was not resolved", () => {
    expect(() => kycFindings(chain, evidence([T, U], []))).toThrow(/no RMD match was gathered/);
  });
});
