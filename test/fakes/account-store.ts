/** Accounts, their unique FRN/RMD/SPC claims and their keys, in memory: the AccountStore contract. */
import type { Account, AccountKind, SigningKeyRecord } from "../../functions/domain/account.js";
import { ConflictError, NotFoundError } from "../../functions/domain/errors.js";
import type { AccountStore, Page, PageRequest } from "../../functions/usecases/ports.js";
import { copy, dueBefore, pageOf } from "./paging.js";

export class MemoryAccountStore implements AccountStore {
  readonly accounts = new Map<string, Account>();
  readonly keys = new Map<string, SigningKeyRecord>();
  /** `FRN#…`, `RMD#…`, `SPC#…` -> the account holding it. */
  private readonly claims = new Map<string, string>();
  private readonly activations = new Map<string, string>();

  async createAccount(account: Account, activation?: string): Promise<void> {
    const claims: Array<[string, string]> = [
      ...(account.frn ? [[`FRN#${account.frn}`, `FRN ${account.frn}`] as [string, string]] : []),
      ...(account.rmdNumber ? [[`RMD#${account.rmdNumber.toUpperCase()}`, `RMD number ${account.rmdNumber}`] as [string, string]] : []),
      ...account.spcCodes.map((spc) => [`SPC#${spc.toUpperCase()}`, `SPC ${spc}`] as [string, string]),
    ];
    for (const [claim, what] of claims) {
      const holder = this.claims.get(claim);
      if (holder !== undefined && holder !== account.id) throw new ConflictError("already_registered", `${what} is already registered to another account`);
    }
    if (this.accounts.has(account.id)) throw new ConflictError("account_exists", `account ${account.id} exists`);
    for (const [claim] of claims) this.claims.set(claim, account.id);
    this.accounts.set(account.id, copy(account));
    if (activation) this.activations.set(account.id, activation);
  }

  async pendingActivations(before: string, limit: number) {
    return dueBefore(
      [...this.activations].map(([accountId, marker]) => ({ sk: marker, value: { accountId, marker } })),
      before,
      limit,
    );
  }

  async clearActivation(accountId: string, marker: string): Promise<void> {
    if (this.activations.get(accountId) === marker) this.activations.delete(accountId);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const a = this.accounts.get(id);
    return a && copy(a);
  }

  async listAccounts(kind: AccountKind, page: PageRequest): Promise<Page<Account>> {
    const rows = [...this.accounts.values()].filter((a) => a.kind === kind).map((a) => ({ sk: a.id, value: a }));
    return pageOf(`accounts#${kind}`, rows, page, { ascending: true });
  }

  accountIdByFrn = async (frn: string) => this.claimHolder(`FRN#${frn}`);
  accountIdByRmd = async (rmd: string) => this.claimHolder(`RMD#${rmd.toUpperCase()}`);
  accountIdBySpc = async (spc: string) => this.claimHolder(`SPC#${spc.toUpperCase()}`);

  private claimHolder(claim: string): string | undefined {
    const id = this.claims.get(claim);
    return id && this.accounts.has(id) ? id : undefined;
  }

  async addKey(key: SigningKeyRecord, maxActive: number): Promise<void> {
    if (!this.accounts.has(key.accountId)) throw new NotFoundError(`account ${key.accountId} not found`);
    const active = [...this.keys.values()].filter((k) => k.accountId === key.accountId && k.status === "active");
    if (!active.some((k) => k.keyId === key.keyId) && active.length >= maxActive) {
      throw new ConflictError("too_many_keys", `the account already has ${maxActive} active keys; revoke one first`);
    }
    if (this.keys.has(key.keyId)) throw new ConflictError("key_exists", "this public key is already registered");
    this.keys.set(key.keyId, copy(key));
  }

  async getKey(keyId: string): Promise<SigningKeyRecord | undefined> {
    const k = this.keys.get(keyId);
    return k && copy(k);
  }

  async listKeys(accountId: string, page: PageRequest): Promise<Page<SigningKeyRecord>> {
    const rows = [...this.keys.values()].filter((k) => k.accountId === accountId).map((k) => ({ sk: k.keyId, value: k }));
    return pageOf(`keys#${accountId}`, rows, page, { ascending: true });
  }

  async allKeysOf(accountId: string): Promise<SigningKeyRecord[]> {
    return [...this.keys.values()]
      .filter((k) => k.accountId === accountId)
      .sort((a, b) => (a.keyId < b.keyId ? -1 : 1))
      .map(copy);
  }

  async revokeKey(accountId: string, keyId: string, by: string, at: string): Promise<SigningKeyRecord> {
    const k = this.keys.get(keyId);
    if (!k || k.accountId !== accountId) throw new NotFoundError(`key ${keyId} not found`);
    if (k.status === "active") this.keys.set(keyId, { ...k, status: "revoked", revokedAt: at, revokedBy: by });
    return copy(this.keys.get(keyId)!);
  }
}
