import { describe, expect, it } from "vitest";
import { RuleViolationError } from "../../functions/domain/errors.js";
import { invitationAt, invitationTerms, type Invitation } from "../../functions/domain/invitation.js";
import { escapeHtml, hopRequestMail, invitationMail } from "../../functions/domain/mail.js";

const NOW = new Date("2024-06-01T14:00:00.000Z");
const invitation: Invitation = {
  id: "inv_X",
  accountId: "acc_P1",
  accountName: "Carrier One",
  accountKind: "provider",
  email: "dana@carrier.example",
  name: "Dana",
  role: "staff",
  status: "pending",
  expiresAt: "2024-06-04T14:00:00.000Z",
  createdAt: NOW.toISOString(),
  createdBy: "acc_consortium",
  createdByKey: "k0",
};

describe("invitations", () => {
  it("last 72 hours unless told, and hold only a role the account's kind has", () => {
    expect(invitationTerms("provider", { email: "a@b.example", name: "A", role: "staff" }, NOW)).toEqual({ expiresAt: "2024-06-04T14:00:00.000Z" });
    expect(invitationTerms("initiator", { email: "a@b.example", name: "A", role: "admin", expiresInHours: 1 }, NOW)).toEqual({
      expiresAt: "2024-06-01T15:00:00.000Z",
    });
    for (const [kind, role] of [
      ["provider", "analyst"],
      ["provider", "initiator"],
      ["initiator", "staff"],
      ["consortium", "staff"],
    ] as const) {
      expect(() => invitationTerms(kind, { email: "a@b.example", name: "A", role }, NOW)).toThrow(RuleViolationError);
    }
  });

  it("read as expired from their expiry on, while pending; accepted and revoked ones stay as they are", () => {
    expect(invitationAt(invitation, new Date("2024-06-04T13:59:59.999Z")).status).toBe("pending");
    expect(invitationAt(invitation, new Date("2024-06-04T14:00:00.000Z")).status).toBe("expired");
    expect(invitationAt({ ...invitation, status: "accepted" }, new Date("2025-01-01T00:00:00Z")).status).toBe("accepted");
    expect(invitationAt({ ...invitation, status: "revoked" }, new Date("2025-01-01T00:00:00Z")).status).toBe("revoked");
  });
});

describe("e-mails", () => {
  it("carry the link in both parts and escape every value in the HTML", () => {
    const m = invitationMail({
      name: "<script>x</script>",
      accountName: "A & B",
      role: "admin",
      url: "https://h.example/console/enrol#token=a&b",
      expiresAt: "2024-06-04T14:00:00.000Z",
    });
    expect(m.text).toContain("https://h.example/console/enrol#token=a&b");
    expect(m.html).toContain('<a href="https://h.example/console/enrol#token=a&amp;b">');
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("A &amp; B");
    expect(escapeHtml(`"'<>&`)).toBe("&quot;&#39;&lt;&gt;&amp;");
  });

  it("about a hop request say when it is due and link to it, and carry nothing of the call", () => {
    const m = hopRequestMail({
      kind: "overdue",
      providerName: "Carrier One",
      hopId: "hop_X_2",
      dueAt: "2024-06-04T16:05:00.000Z",
      url: "https://h.example/console/hops/hop_X_2",
    });
    expect(m.subject).toBe("Overdue: a traceback hop request is past its due time for Carrier One");
    expect(m.text).toContain("It was due at 2024-06-04T16:05:00.000Z");
    expect(m.text).toContain("https://h.example/console/hops/hop_X_2");
    expect(m.text).not.toMatch(/\+1\d{10}/);
  });
});
