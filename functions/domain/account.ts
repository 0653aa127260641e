/**
 * Accounts are the parties that sign requests: the consortium that runs the hub, voice providers
 * that answer hop requests, and initiators (FCC, law enforcement, state AGs) that start tracebacks.
 */
export type AccountKind = "consortium" | "provider" | "initiator";

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

export type KeyStatus = "active" | "revoked";

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
}

export function isConsortium(p: Principal): boolean {
  return p.kind === "consortium";
}

/** Who may manage an account's keys: the consortium, or the account itself (rotation). */
export function canManageKeysOf(p: Principal, accountId: string): boolean {
  return isConsortium(p) || p.accountId === accountId;
}
