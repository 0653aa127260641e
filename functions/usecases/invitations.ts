/** Inviting persons to an organisation's account, and the invitations' lifecycle. */
import { canInviteTo, isConsortium, type Principal } from "../domain/account.js";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import { invitationAt, invitationTerms, type Invitation, type InvitationRequest } from "../domain/invitation.js";
import { invitationMail } from "../domain/mail.js";
import { invitationIdOf, tokenDigest } from "../crypto/invitation-token.js";
import type { Page, PageRequest } from "./ports.js";
import { MailSendError, type PeopleDeps } from "./people-ports.js";

export interface NewInvitation extends InvitationRequest {
  accountId: string;
}

/** The request that creates an invitation: its Idempotency-Key names the invitation for good. */
export interface InvitationRequestContext {
  idempotencyKey: string;
  fingerprint: string;
}

export interface CreatedInvitation {
  invitation: Invitation;
  token: string;
  url: string;
  /** True when the same request had created it already. */
  replayed: boolean;
}

export const enrolmentUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, "")}/console/enrol#token=${token}`;

/**
 * Creates the invitation and e-mails it. The token derives from the inviting account and the
 * request's Idempotency-Key, so a retry finds the same invitation and gets the same token and
 * link back, while the table holds only the token's hash.
 */
export async function createInvitation(deps: PeopleDeps, p: Principal, input: NewInvitation, req: InvitationRequestContext): Promise<CreatedInvitation> {
  if (!canInviteTo(p, input.accountId)) throw new ForbiddenError("only the consortium, or an admin person of the account, invites persons to it");
  const account = await deps.accounts.getAccount(input.accountId);
  if (!account) throw new RuleViolationError("unknown_account", `no account ${input.accountId}`, "/accountId");
  const now = deps.clock.now();
  const { expiresAt } = invitationTerms(account.kind, input, now);
  const token = deps.invitationTokens(p.accountId, req.idempotencyKey);
  const fresh: Invitation = {
    id: invitationIdOf(token),
    accountId: account.id,
    accountName: account.name,
    accountKind: account.kind,
    email: input.email,
    name: input.name,
    role: input.role,
    status: "pending",
    expiresAt,
    createdAt: now.toISOString(),
    createdBy: p.accountId,
    createdByKey: p.keyId,
  };
  const written = await deps.invitations.create({ invitation: fresh, tokenSha256: tokenDigest(token), fingerprint: req.fingerprint });
  if (!written.created && written.existing.fingerprint !== req.fingerprint) {
    throw new RuleViolationError("idempotency_key_reused", "this Idempotency-Key was used with a different request");
  }
  let invitation = written.created ? fresh : written.existing.invitation;
  const url = enrolmentUrl(deps.peopleSettings.publicUrl, token);
  // A retry after a failed or interrupted sending sends it again; a sent one is not repeated.
  if (!invitation.emailedAt && invitation.status === "pending") invitation = await mailInvitation(deps, invitation, url);
  return { invitation: invitationAt(invitation, now), token, url, replayed: !written.created };
}

async function mailInvitation(deps: PeopleDeps, invitation: Invitation, url: string): Promise<Invitation> {
  const content = invitationMail({ name: invitation.name, accountName: invitation.accountName, role: invitation.role, url, expiresAt: invitation.expiresAt });
  try {
    await deps.mailer.send({ to: [invitation.email], ...content });
  } catch (err) {
    if (!(err instanceof MailSendError)) throw err;
    // The link is in the response too: whoever invited can hand it over, or retry for the e-mail.
    deps.log.warn("invitation e-mail not sent", { invitationId: invitation.id, transport: deps.mailer.transport, error: err.message });
    return invitation;
  }
  const emailedAt = deps.clock.now().toISOString();
  await deps.invitations.markEmailed(invitation.id, emailedAt);
  return { ...invitation, emailedAt };
}

/** The consortium sees every invitation (or one account's); an admin person its own account's. */
export async function listInvitations(deps: PeopleDeps, p: Principal, page: PageRequest, accountId?: string): Promise<Page<Invitation>> {
  const scope = isConsortium(p) ? accountId : p.accountId;
  if (!isConsortium(p) && (!canInviteTo(p, p.accountId) || (accountId !== undefined && accountId !== p.accountId))) {
    throw new ForbiddenError("only the consortium, or an admin person of the account, lists its invitations");
  }
  const listed = await deps.invitations.list(scope, page);
  const now = deps.clock.now();
  return { ...listed, items: listed.items.map((i) => invitationAt(i, now)) };
}

/** Revokes a pending invitation; revoking it again returns it unchanged. */
export async function revokeInvitation(deps: PeopleDeps, p: Principal, id: string): Promise<Invitation> {
  const stored = await deps.invitations.get(id);
  if (!stored || !canInviteTo(p, stored.invitation.accountId)) throw new NotFoundError(`invitation ${id} not found`);
  const now = deps.clock.now();
  const current = stored.invitation;
  if (current.status === "revoked") return current;
  if (current.status === "accepted") {
    throw new ConflictError("invitation_accepted", `invitation ${id} was accepted; revoke the key ${current.acceptedKeyId} instead`);
  }
  const revoked = await deps.invitations.revoke(id, p.accountId, now.toISOString());
  if (!revoked || revoked.status === "accepted")
    throw new ConflictError("invitation_accepted", `invitation ${id} was accepted meanwhile; revoke its key instead`);
  return invitationAt(revoked, now);
}
