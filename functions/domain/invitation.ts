/**
 * Invitations: how a person gets a key on an organisation's account. An invitation names the
 * account, the person and their role; its holder enrols once, before it expires, with a key made
 * in their browser. Only the SHA-256 of its token is kept, so the table cannot enrol anybody.
 */
import { z } from "zod";
import { ACCOUNT_KINDS, PERSON_ROLES, rolesFor, type AccountKind, type Person, type PersonRole } from "./account.js";
import { RuleViolationError } from "./errors.js";

export const DEFAULT_INVITATION_HOURS = 72;
export const MAX_INVITATION_HOURS = 336;

export const INVITATION_STATUSES = ["pending", "accepted", "revoked", "expired"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** An invitation as kept and as its readers get it: the contract's `Invitation` is built from it. */
const maybe = z.string().optional();
export const invitationSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  accountKind: z.enum(ACCOUNT_KINDS),
  email: z.string(),
  name: z.string(),
  role: z.enum(PERSON_ROLES),
  /** Stored as pending, accepted or revoked; a pending one past `expiresAt` reads as expired. */
  status: z.enum(INVITATION_STATUSES),
  expiresAt: z.string(),
  createdAt: z.string(),
  /** The inviting account. */
  createdBy: z.string(),
  /** The key that signed the invitation. */
  createdByKey: z.string(),
  acceptedAt: maybe,
  /** The person key enrolled with it. */
  acceptedKeyId: maybe,
  revokedAt: maybe,
  revokedBy: maybe,
  /** When the invitation e-mail went out. */
  emailedAt: maybe,
});
export type Invitation = z.infer<typeof invitationSchema>;

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
