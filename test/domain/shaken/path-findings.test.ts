import { describe, expect, it } from "vitest";
import type { FindingCode } from "../../../functions/domain/shaken/findings.js";
import { pathFindings, type PathFindingsInput } from "../../../functions/domain/shaken/path-findings.js";

function codes(input: PathFindingsInput): FindingCode[] {
  return pathFindings(input).map((f) => f.code);
}

const TERM = { providerId: "term", answerType: "upstream_identified" };
const TRANSIT = { providerId: "transit", answerType: "upstream_identified" };
const ORIG = { providerId: "orig", answerType: "originator_identified" };

describe("pathFindings", () => {
  it("finds nothing when the originator signed and says so", () => {
    expect(
      codes({
        signerProviderId: "orig",
        spc: "567J",
        attest: "A",
        chain: [TERM, TRANSIT, ORIG],
        signerInquiryAnswer: { answerType: "originator_identified", customer: "Acme Leads LLC" },
        chainOriginator: { providerId: "orig", customer: "acme  leads llc" },
      }),
    ).toEqual([]);
  });

  describe("spc_not_registered", () => {
    it("is recorded when the SPC maps to no provider", () => {
      const findings = pathFindings({ spc: "999X", attest: "A", chain: [TERM, ORIG] });
      expect(findings.map((f) => f.code)).toEqual(["spc_not_registered"]);
      expect(findings[0]?.detail).toContain("999X");
    });

    it("is not recorded without an SPC or when the signer is known", () => {
      expect(codes({ chain: [TERM, ORIG] })).toEqual([]);
      expect(codes({ spc: "567J", signerProviderId: "orig", chain: [TERM, ORIG] })).toEqual([]);
    });
  });

  describe("signer_not_on_path", () => {
    it("is recorded when a complete chain never names the signer", () => {
      expect(codes({ signerProviderId: "elsewhere", attest: "C", chain: [TERM, TRANSIT, ORIG] })).toEqual(["signer_not_on_path"]);
      expect(
        codes({
          signerProviderId: "elsewhere",
          attest: "C",
          chain: [TERM, { providerId: "gateway", answerType: "foreign_point_of_entry" }],
        }),
      ).toEqual(["signer_not_on_path"]);
    });

    it("is not recorded while the chain is still open or stopped without an origin", () => {
      expect(codes({ signerProviderId: "elsewhere", chain: [TERM, TRANSIT] })).toEqual([]);
      expect(codes({ signerProviderId: "elsewhere", chain: [TERM, { providerId: "x", answerType: "no_record" }] })).toEqual([]);
      expect(codes({ signerProviderId: "elsewhere", chain: [] })).toEqual([]);
    });

    it("is not recorded when the signer is on the chain", () => {
      expect(codes({ signerProviderId: "orig", chain: [TERM, TRANSIT, ORIG] })).toEqual([]);
    });
  });

  describe("signer_downstream_of_originator", () => {
    it("is recorded when the signer sits between the terminating end and the originator", () => {
      expect(codes({ signerProviderId: "transit", attest: "C", chain: [TERM, TRANSIT, ORIG] })).toEqual(["signer_downstream_of_originator"]);
    });

    it("is not recorded when the signer is the originator or the chain has no originator", () => {
      expect(codes({ signerProviderId: "orig", attest: "C", chain: [TERM, TRANSIT, ORIG] })).toEqual([]);
      expect(codes({ signerProviderId: "transit", attest: "C", chain: [TERM, TRANSIT] })).toEqual([]);
      expect(
        codes({
          signerProviderId: "transit",
          attest: "C",
          chain: [TERM, TRANSIT, { providerId: "gateway", answerType: "foreign_point_of_entry" }],
        }),
      ).toEqual([]);
    });
  });

  describe("attestation_inconsistent", () => {
    it.each(["A", "B"])("is recorded when the signer attested %s but named an upstream", (attest) => {
      const findings = pathFindings({ signerProviderId: "transit", attest, chain: [TERM, TRANSIT] });
      expect(findings.map((f) => f.code)).toEqual(["attestation_inconsistent"]);
      expect(findings[0]?.severity).toBe("critical");
    });

    it("is recorded alongside signer_downstream_of_originator on a complete chain", () => {
      expect(codes({ signerProviderId: "transit", attest: "A", chain: [TERM, TRANSIT, ORIG] }).sort()).toEqual([
        "attestation_inconsistent",
        "signer_downstream_of_originator",
      ]);
    });

    it("is not recorded for gateway attestation C or when the signer originated", () => {
      expect(codes({ signerProviderId: "transit", attest: "C", chain: [TERM, TRANSIT] })).toEqual([]);
      expect(codes({ signerProviderId: "orig", attest: "A", chain: [TERM, ORIG] })).toEqual([]);
    });
  });

  describe("signer_inquiry_disagrees", () => {
    const base = { signerProviderId: "orig", attest: "A", chain: [TERM, ORIG] };

    it("is recorded when the signer claims origin but the chain ends elsewhere", () => {
      expect(
        codes({
          signerProviderId: "transit",
          attest: "C",
          chain: [TERM, { providerId: "transit" }],
          signerInquiryAnswer: { answerType: "originator_identified", customer: "Acme" },
          chainOriginator: { providerId: "orig", customer: "Acme" },
        }),
      ).toEqual(["signer_inquiry_disagrees"]);
    });

    it("is recorded when both name different customers", () => {
      expect(
        codes({
          ...base,
          signerInquiryAnswer: { answerType: "originator_identified", customer: "Acme" },
          chainOriginator: { providerId: "orig", customer: "Globex" },
        }),
      ).toEqual(["signer_inquiry_disagrees"]);
    });

    it("is recorded when the chain ends at the signer but the signer names an upstream", () => {
      expect(
        codes({
          ...base,
          signerInquiryAnswer: { answerType: "upstream_identified" },
          chainOriginator: { providerId: "orig" },
        }),
      ).toEqual(["signer_inquiry_disagrees"]);
    });

    it("is not recorded when they agree or one side is missing", () => {
      expect(
        codes({ ...base, signerInquiryAnswer: { answerType: "originator_identified" }, chainOriginator: { providerId: "orig", customer: "Acme" } }),
      ).toEqual([]);
      expect(codes({ ...base, signerInquiryAnswer: { answerType: "upstream_identified" } })).toEqual([]);
      expect(codes({ ...base, chainOriginator: { providerId: "orig" } })).toEqual([]);
      expect(
        codes({
          signerProviderId: "transit",
          attest: "C",
          chain: [TERM, TRANSIT, ORIG],
          signerInquiryAnswer: { answerType: "upstream_identified" },
          chainOriginator: { providerId: "orig" },
        }),
      ).toEqual(["signer_downstream_of_originator"]);
    });
  });
});
