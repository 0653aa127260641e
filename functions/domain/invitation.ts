/**
 * Invitations: how a person gets a key on an organisation's account. An invitation names the
 * account, the person and their role; its holder enrols once, before it expires, with a key made
 * in their browser. Only the SHA-256 of its token is kept, so the table cannot enrol anybody.
 */
import { rolesFor, type AccountKind, type Person, type PersonRole } from "./account.js";
import { RuleViolationError } from "./errors.js";

export const DEFAULT_INVITATION_HOURS = 72;
export const MAX_INVITATION_HOURS = 336;

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export interface Invitation {
  id: string;
  accountId: string;
  accountName: string;
  accountKind: AccountKind;
  email: string;
  name: string;
  role: PersonRole;
  /** Stored as pending, accepted or revoked; a pending one past `expiresAt` reads as expired. */
  status: InvitationStatus;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  createdByKey: string;
  acceptedAt?: string;
  acceptedKeyId?: string;
  revokedAt?: string;
  revokedBy?: string;
  /** When the invitation e-mail went out. */
  emailedAt?: string;
}

/** The invitation as it stands at `now`: a pending one past its expiry has expired. */
export function invitationAt(inv: Invitation, now: Date): Invitation {
  return inv.status === "pending" && Date.parse(inv.expiresAt) <= now.getTime() ? { ...inv, status: "expired" } : inv;
}

export function personOf(inv: Pick<Invitation, "name" | "email" | "role">): Person {
  return { name: inv.name, email: inv.email, role: inv.role };
}

export interface InvitationRequest {
  email: string;
  name: string;
  role: PersonRole;
  expiresInHours?: number;
}

/** Checks what can be checked without storage: the role fits the account, the lifetime its bounds. */
export function invitationTerms(kind: AccountKind, req: InvitationRequest, now: Date): { expiresAt: string } {
  const roles = rolesFor(kind);
  if (!roles.includes(req.role)) {
    throw new RuleViolationError("role_not_allowed", `a ${kind} account's persons are ${roles.join(" or ")}, not ${req.role}`, "/role");
  }
  const hours = req.expiresInHours ?? DEFAULT_INVITATION_HOURS;
  return { expiresAt: new Date(now.getTime() + hours * 3_600_000).toISOString() };
}
