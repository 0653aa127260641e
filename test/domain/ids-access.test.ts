import { describe, expect, it } from "vitest";
import { canCreateTraceback, canReadTraceback, hopRequestView, isAddressedTo } from "../../functions/domain/access.js";
import { canInviteTo, canManageKeysOf, isConsortium, rolesFor, type PersonRole, type Principal } from "../../functions/domain/account.js";
import { signerOf } from "../../functions/domain/signer.js";
import { derivedEventId, hopIdOf, isTracebackId, parseHopId } from "../../functions/domain/ids.js";
import type { Hop } from "../../functions/domain/traceback.js";

const TB = "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";

describe("hop ids", () => {
  it("hopIdOf and parseHopId round-trip", () => {
    for (const seq of [1, 2, 9, 10, 99, 999]) {
      const id = hopIdOf(TB, seq);
      expect(id).toBe(`hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_${seq}`);
      expect(parseHopId(id)).toEqual({ tracebackId: TB, seq });
    }
  });

  it.each([
    "",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_0",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1000",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_-1",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B_1",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6BU_1",
    "hop_01jd5zq7y3s1q0m0c8w2f4t6b9_1",
    "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1 ",
    "xhop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1",
  ])("parseHopId refuses %j", (id) => {
    expect(parseHopId(id)).toBeUndefined();
  });

  it("isTracebackId accepts only tb_<ulid>", () => {
    expect(isTracebackId(TB)).toBe(true);
    expect(isTracebackId("tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B")).toBe(false);
    expect(isTracebackId("hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1")).toBe(false);
    expect(isTracebackId(`${TB}x`)).toBe(false);
  });

  it("derived event ids are the same for the same change", () => {
    expect(derivedEventId("hop_X_1", "hop_request.created")).toBe(derivedEventId("hop_X_1", "hop_request.created"));
    expect(derivedEventId("hop_X_1", "hop_request.created")).not.toBe(derivedEventId("hop_X_2", "hop_request.created"));
  });
});

describe("access rules", () => {
  const consortium: Principal = { accountId: "acc_consortium", kind: "consortium", keyId: "k0" };
  const initiator: Principal = { accountId: "acc_I1", kind: "initiator", keyId: "k1" };
  const otherInitiator: Principal = { accountId: "acc_I2", kind: "initiator", keyId: "k2" };
  const provider: Principal = { accountId: "acc_P1", kind: "provider", keyId: "k3" };
  const otherProvider: Principal = { accountId: "acc_P2", kind: "provider", keyId: "k4" };

  it("only the consortium and initiators start tracebacks", () => {
    expect(canCreateTraceback(consortium)).toBe(true);
    expect(canCreateTraceback(initiator)).toBe(true);
    expect(canCreateTraceback(provider)).toBe(false);
  });

  it("a traceback is read by the consortium and its own initiator only", () => {
    const tb = { initiatorId: "acc_I1" };
    expect(canReadTraceback(consortium, tb)).toBe(true);
    expect(canReadTraceback(initiator, tb)).toBe(true);
    expect(canReadTraceback(otherInitiator, tb)).toBe(false);
    expect(canReadTraceback(provider, tb)).toBe(false);
    // A provider whose id happens to equal the initiator id is still not an initiator.
    expect(canReadTraceback({ ...provider, accountId: "acc_I1" }, tb)).toBe(false);
  });

  it("a hop is addressed to its provider only, never to the consortium or an initiator by id", () => {
    expect(isAddressedTo(provider, { providerId: "acc_P1" })).toBe(true);
    expect(isAddressedTo(otherProvider, { providerId: "acc_P1" })).toBe(false);
    expect(isAddressedTo(provider, {})).toBe(false);
    expect(isAddressedTo({ ...initiator, accountId: "acc_P1" }, { providerId: "acc_P1" })).toBe(false);
    expect(isAddressedTo(consortium, { providerId: "acc_consortium" })).toBe(false);
  });

  it("the provider's view leaves out the path and who else was asked, and keeps which of its keys answered", () => {
    const hop: Hop & { evidence?: unknown } = {
      id: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_2",
      tracebackId: TB,
      seq: 2,
      providerId: "acc_P1",
      pendingProvider: { name: "secret" },
      namedBy: { accountId: "acc_P0", hopId: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1" },
      status: "open",
      call: {
        callingNumber: "+13055550123",
        callingNumberAsGiven: "+13055550123",
        calledNumber: "+12025550143",
        callTime: "2024-06-03T12:00:00-04:00",
        callTimeUtc: "2024-06-03T16:00:00.000Z",
      },
      createdAt: "2024-06-03T16:10:00.000Z",
      answeredBy: { accountId: "acc_P1", keyId: "k3", person: { name: "Dana Reyes", role: "staff" } },
      evidence: { secret: true },
    };
    const view = hopRequestView(hop);
    expect(Object.keys(view).sort()).toEqual(["answeredBy", "call", "createdAt", "id", "namedBy", "seq", "status", "tracebackId"]);
    expect(view.answeredBy).toEqual({ accountId: "acc_P1", keyId: "k3", person: { name: "Dana Reyes", role: "staff" } });
    expect(view).not.toHaveProperty("providerId");
    expect(view).not.toHaveProperty("evidence");
    expect(view).not.toHaveProperty("pendingProvider");
  });

  it("keys are managed by the account itself or the consortium", () => {
    expect(isConsortium(consortium)).toBe(true);
    expect(isConsortium(provider)).toBe(false);
    expect(canManageKeysOf(provider, "acc_P1")).toBe(true);
    expect(canManageKeysOf(provider, "acc_P2")).toBe(false);
    expect(canManageKeysOf(consortium, "acc_P2")).toBe(true);
    expect(canManageKeysOf(initiator, "acc_P1")).toBe(false);
  });

  it("of an account's persons, only its admins manage its keys and invite; the consortium invites to any account", () => {
    const person = (role: PersonRole): Principal => ({ ...provider, person: { name: "P", email: "p@p1.example", role } });
    expect(canManageKeysOf(person("admin"), "acc_P1")).toBe(true);
    expect(canManageKeysOf(person("staff"), "acc_P1")).toBe(false);
    expect(canManageKeysOf(person("admin"), "acc_P2")).toBe(false);
    expect(canInviteTo(person("admin"), "acc_P1")).toBe(true);
    expect(canInviteTo(person("admin"), "acc_P2")).toBe(false);
    expect(canInviteTo(person("staff"), "acc_P1")).toBe(false);
    expect(canInviteTo(provider, "acc_P1")).toBe(false);
    expect(canInviteTo(consortium, "acc_P2")).toBe(true);
    expect(rolesFor("provider")).toEqual(["staff", "admin"]);
    expect(rolesFor("initiator")).toEqual(["initiator", "admin"]);
    expect(rolesFor("consortium")).toEqual(["analyst", "admin"]);
  });

  it("a signer carries the person's name and role, never the e-mail", () => {
    expect(signerOf({ ...provider, person: { name: "Dana", email: "dana@p1.example", role: "staff" } })).toEqual({
      accountId: "acc_P1",
      keyId: provider.keyId,
      person: { name: "Dana", role: "staff" },
    });
    expect(signerOf(provider)).toEqual({ accountId: "acc_P1", keyId: provider.keyId });
  });
});
