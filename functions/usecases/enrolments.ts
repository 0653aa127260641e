/**
 * Enrolment: a person without a key yet opens their invitation and registers the key their
 * browser made, on the invited account and with their name, e-mail and role. The invitation is
 * used up by one conditional write, so of two racing enrolments exactly one succeeds.
 */
import { principalOf, type Principal, type SigningKeyRecord } from "../domain/account.js";
import { ConflictError, GoneError, NotFoundError } from "../domain/errors.js";
import { invitationAt, personOf, type Invitation } from "../domain/invitation.js";
import { INVITATION_TOKEN_PATTERN, invitationIdOf, tokenMatches } from "../crypto/invitation-token.js";
import { prepareKey, storeKey, type NewKeyInput } from "./accounts.js";
import type { PeopleDeps } from "./people-ports.js";

/** What the person opening an invitation sees of it before enrolling. */
export type EnrolmentView = Pick<Invitation, "accountId" | "accountName" | "accountKind" | "name" | "email" | "role" | "expiresAt">;

/** An invitation that can no longer be used, with what happened to it. */
function gone(status: "accepted" | "expired" | "revoked"): GoneError {
  if (status === "accepted") return new GoneError("invitation_used", "this invitation has been used; ask for a new one");
  if (status === "expired") return new GoneError("invitation_expired", "this invitation has expired; ask for a new one");
  return new GoneError("invitation_revoked", "this invitation was revoked; ask for a new one");
}

/** The invitation a token opens, as it stands now; unknown tokens are not found. */
async function invitationOfToken(deps: PeopleDeps, token: string): Promise<Invitation> {
  const stored = INVITATION_TOKEN_PATTERN.test(token) ? await deps.invitations.get(invitationIdOf(token)) : undefined;
  if (!stored || !tokenMatches(token, stored.tokenSha256)) throw new NotFoundError("no invitation has this token");
  return invitationAt(stored.invitation, deps.clock.now());
}

export async function readEnrolment(deps: PeopleDeps, token: string): Promise<EnrolmentView> {
  const inv = await invitationOfToken(deps, token);
  if (inv.status !== "pending") throw gone(inv.status);
  const { accountId, accountName, accountKind, name, email, role, expiresAt } = inv;
  return { accountId, accountName, accountKind, name, email, role, expiresAt };
}

/** The key the request was signed with: the middleware took it from the body and verified the signature with it. */
export interface EnrollingKey {
  keyId: string;
}

export interface Enrolled {
  key: SigningKeyRecord;
  /** The new key as the caller of the request, from now on. */
  principal: Principal;
  /** True when this key had enrolled with the invitation already (a retry). */
  replayed: boolean;
}

export async function enrol(deps: PeopleDeps, signer: EnrollingKey, token: string, input: NewKeyInput): Promise<Enrolled> {
  const inv = await invitationOfToken(deps, token);
  const mine = inv.status === "accepted" && inv.acceptedKeyId === signer.keyId;
  if (inv.status !== "pending" && !mine) throw gone(inv.status);
  const account = await deps.accounts.getAccount(inv.accountId);
  if (!account) throw new NotFoundError("no invitation has this token");
  // The proof names the invited account: the key's holder asked for this key on it.
  const prepared = await prepareKey(input, inv.accountId, "");
  if (prepared.keyId !== signer.keyId) throw new ConflictError("enrolment_key_mismatch", "the request must be signed by the key it enrols");

  const existing = await deps.accounts.getKey(prepared.keyId);
  // A retry of an enrolment that went through (or stopped between its two writes).
  if (mine && existing?.invitationId === inv.id) return enrolled(existing, true);
  if (existing) throw new ConflictError("key_exists", "this public key is already registered");

  const now = deps.clock.now().toISOString();
  if (!mine && !(await deps.invitations.accept(inv.id, prepared.keyId, now))) {
    const after = await invitationOfToken(deps, token);
    if (!(after.status === "accepted" && after.acceptedKeyId === prepared.keyId)) throw gone(after.status === "pending" ? "expired" : after.status);
  }
  try {
    const key = await storeKey(deps, account, prepared, inv.createdBy, now, { person: personOf(inv), invitationId: inv.id });
    return enrolled(key, false);
  } catch (err) {
    // No key, no use: the invitation stays open for another try (too many keys, a key taken meanwhile).
    if (err instanceof ConflictError) await deps.invitations.unaccept(inv.id, prepared.keyId);
    throw err;
  }
}

function enrolled(key: SigningKeyRecord, replayed: boolean): Enrolled {
  return { key, principal: principalOf(key), replayed };
}
