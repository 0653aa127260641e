/**
 * Accounts are the parties that sign requests: the consortium that runs the hub, voice providers
 * that answer hop requests, and initiators (FCC, law enforcement, state AGs) that start tracebacks.
 */
export const ACCOUNT_KINDS = ["consortium", "provider", "initiator"] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface Contact {
  name: string;
  email: string;
  phone?: string;
}

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  /** FCC Registration Number: providers and the unregistered upstreams named by them are matched on it. */
  frn?: string;
  rmdNumber?: string;
  /** OCN / SHAKEN SPC codes the provider signs calls with. */
  spcCodes: string[];
  /** The 24/7 traceback contact. */
  contact?: Contact;
  createdAt: string;
  createdBy: string;
}

export const KEY_STATUSES = ["active", "revoked"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/**
 * What a person does for their organisation: `analyst` (the consortium), `initiator` (an
 * initiator's staff), `staff` (a provider's staff), `admin` (an organisation's admin, who invites
 * its persons and revokes their keys).
 */
export const PERSON_ROLES = ["analyst", "initiator", "staff", "admin"] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** The person holding a key, for keys held in a browser rather than by a system. */
export interface Person {
  name: string;
  email: string;
  role: PersonRole;
}

/** Active signing keys an account may hold at once: enough to rotate, few to audit. */
export const MAX_ACTIVE_KEYS = 10;

export interface SigningKeyRecord {
  keyId: string;
  accountId: string;
  accountKind: AccountKind;
  publicJwk: { kty: "OKP"; crv: "Ed25519"; x: string };
  status: KeyStatus;
  /** The key's signature over its registration statement (absent for the bootstrap key). */
  proof?: string;
  label?: string;
  /** Set on a key its person registered from an invitation. */
  person?: Person;
  invitationId?: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
}

/** The authenticated caller of a request. */
export interface Principal {
  accountId: string;
  kind: AccountKind;
  keyId: string;
  person?: Person;
}

/** The caller a request signed with this key is. */
export function principalOf(key: SigningKeyRecord): Principal {
  return { accountId: key.accountId, kind: key.accountKind, keyId: key.keyId, ...(key.person && { person: key.person }) };
}

export function isConsortium(p: Principal): boolean {
  return p.kind === "consortium";
}

/**
 * Who may manage an account's keys: the consortium, or the account itself (rotation) through a
 * system's key or its admin person; a staff person's key does not add or revoke keys.
 */
export function canManageKeysOf(p: Principal, accountId: string): boolean {
  return isConsortium(p) || (p.accountId === accountId && (p.person === undefined || p.person.role === "admin"));
}

/** Who may invite persons to an account: the consortium to any, an admin person to its own. */
export function canInviteTo(p: Principal, accountId: string): boolean {
  return isConsortium(p) || (p.accountId === accountId && p.person?.role === "admin");
}

/** The roles a person of an account of this kind may hold. */
export function rolesFor(kind: AccountKind): PersonRole[] {
  if (kind === "consortium") return ["analyst", "admin"];
  if (kind === "initiator") return ["initiator", "admin"];
  return ["staff", "admin"];
}
