/** Originator customers normalised and grouped, and the providers flagged, over a period's references. */
import { describe, expect, it } from "vitest";
import { accountKey, normaliseCustomer } from "../../../functions/domain/intel/customer.js";
import { repeatCustomers, repeatProviders } from "../../../functions/domain/intel/offenders.js";
import { monthsOf, type ProviderRole } from "../../../functions/domain/intel/roles.js";

const ref = (tracebackId: string, providerId: string, name: string, contact?: { email?: string; phone?: string }, reference?: string) => {
  const c = normaliseCustomer({ name, ...(contact && { contact }) });
  return {
    tracebackId,
    providerId,
    callTime: "2025-09-01T00:00:00.000Z",
    customer: reference ? { ...c, keys: [...c.keys, accountKey(providerId, reference)] } : c,
  };
};

describe("repeat offenders", () => {
  it("normalises names, e-mails, phones and account references", () => {
    expect(normaliseCustomer({ name: "The Acme Dialer, L.L.C.", contact: { email: " Ops@Acme.Example ", phone: "+1 (305) 555-0100" } }).keys).toEqual([
      "name:acme dialer",
      "email:ops@acme.example",
      "phone:3055550100",
    ]);
    expect(accountKey("acc_1", " cust 44 ")).toBe("account:acc_1 CUST44");
  });

  it("joins references sharing any key, and flags a customer behind several tracebacks or providers", () => {
    const out = repeatCustomers([
      ref("tb_1", "acc_a", "Acme Dialer LLC"),
      ref("tb_2", "acc_b", "Totally Different Name", { phone: "3055550100" }),
      ref("tb_3", "acc_a", "ACME DIALER", { phone: "+13055550100" }),
      ref("tb_4", "acc_c", "Lonely Co", undefined, "X1"),
      ref("tb_5", "acc_d", "Another Lonely Co", undefined, "X1"),
    ]);
    expect(out).toEqual([
      expect.objectContaining({ tracebackIds: ["tb_1", "tb_2", "tb_3"], providerIds: ["acc_a", "acc_b"], flags: ["several_tracebacks", "several_providers"] }),
    ]);
  });

  it("flags providers as originator or point of entry of N tracebacks or N campaigns", () => {
    const role = (tb: string, p: string, roles: ProviderRole["roles"], campaignId?: string): ProviderRole => ({
      providerId: p,
      tracebackId: tb,
      callTime: "2025-09-01T00:00:00Z",
      roles,
      findings: [],
      ...(campaignId && { campaignId }),
    });
    const roles = [
      role("t1", "a", ["path", "originator"], "c1"),
      role("t2", "a", ["point_of_entry"], "c2"),
      role("t3", "b", ["path"], "c1"),
      role("t4", "b", ["originator"]),
    ];
    expect(repeatProviders(roles, 2, 9).map((p) => [p.providerId, p.asOriginator, p.asPointOfEntry, p.flags])).toEqual([["a", 1, 1, ["tracebacks"]]]);
    expect(repeatProviders(roles, 9, 2).map((p) => p.providerId)).toEqual(["a"]);
    expect(repeatProviders(roles, 1, 9).map((p) => p.providerId)).toEqual(["a", "b"]);
  });

  it("names the months a period touches", () => {
    expect(monthsOf("2025-11-15T00:00:00Z", "2026-02-01T00:00:00Z")).toEqual(["2025-11", "2025-12", "2026-01"]);
  });
});
