/** Accounts, their unique FRN/SPC claims, and their signing keys. */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Account, AccountKind, SigningKeyRecord } from "../../domain/account.js";
import { ConflictError, NotFoundError } from "../../domain/errors.js";
import type { AccountStore, Page, PageRequest } from "../../usecases/ports.js";
import { allPages, clearMarker, dueAcrossShards, isConditionFailure, putNew, queryPage, stripKeys, updateIf, type ConditionalUpdate } from "./items.js";
import { keys, TABLE, type ItemKey } from "./keys.js";

/**
 * A claim whose account was never written, or a key slot whose key was never written (a crash
 * in between), is free again after this.
 */
const ORPHAN_CLAIM_MS = 60_000;

/** Key id -> when its slot was taken; kept on the account item, never shown with the account. */
type KeySlots = Record<string, string>;

function accountOf(item: Record<string, unknown>): Account {
  const { activeKeys: _slots, ...account } = stripKeys<Account & { activeKeys?: KeySlots }>(item);
  return account;
}

export class DynamoAccountStore implements AccountStore {
  /** `onKeyChange` hears of every key this store registers or revokes, once written (or failed). */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly onKeyChange: (keyId: string) => void = () => {},
  ) {}

  /**
   * FRN and SPC codes are unique across accounts. DynamoDB has no unique constraint on an
   * attribute, so each is a claim item written conditionally before the account itself.
   */
  async createAccount(account: Account, activation?: string): Promise<void> {
    const claims: Array<{ key: ItemKey; what: string }> = [
      ...(account.frn ? [{ key: keys.frnClaim(account.frn), what: `FRN ${account.frn}` }] : []),
      ...(account.rmdNumber ? [{ key: keys.rmdClaim(account.rmdNumber), what: `RMD number ${account.rmdNumber}` }] : []),
      ...account.spcCodes.map((spc) => ({ key: keys.spcClaim(spc), what: `SPC ${spc}` })),
    ];
    const taken: ItemKey[] = [];
    try {
      for (const c of claims) {
        if (await this.claim(c.key, account.id, account.createdAt, c.what)) taken.push(c.key);
      }
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.account(account.id),
            entity: "account",
            gsi1pk: keys.accountsByKind(account.kind),
            gsi1sk: account.id,
            ...(activation && { gsi4pk: keys.schedule("ACTIVATE", account.id), gsi4sk: activation }),
            ...account,
            activeKeys: {},
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (err) {
      await Promise.all(taken.map((key) => this.release(key, account.id)));
      if (isConditionFailure(err)) throw new ConflictError("account_exists", `account ${account.id} exists`);
      throw err;
    }
  }

  async pendingActivations(before: string, limit: number): Promise<Array<{ accountId: string; marker: string }>> {
    const items = await dueAcrossShards(this.db, this.table, TABLE.indexes.outbox, keys.scheduleShards("ACTIVATE"), before, limit);
    return items.map((i) => ({ accountId: String(i.id), marker: String(i.gsi4sk) }));
  }

  async clearActivation(accountId: string, marker: string): Promise<void> {
    await clearMarker(this.db, this.table, keys.account(accountId), marker);
  }

  /**
   * True when this call took the claim; false when the account already held it (a retry, or an
   * account id that is taken), in which case a failed registration must leave it in place.
   */
  private async claim(key: ItemKey, accountId: string, at: string, what: string): Promise<boolean> {
    try {
      const out = await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, entity: "claim", accountId, claimedAt: at },
          ConditionExpression: "attribute_not_exists(pk) OR accountId = :me",
          ExpressionAttributeValues: { ":me": accountId },
          ReturnValues: "ALL_OLD",
        }),
      );
      return out.Attributes === undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const holder = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      const owner = holder.Item?.accountId as string | undefined;
      const claimedAt = Date.parse(String(holder.Item?.claimedAt ?? ""));
      if (owner && !(await this.getAccount(owner)) && Date.parse(at) - claimedAt > ORPHAN_CLAIM_MS) {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...key, entity: "claim", accountId, claimedAt: at },
            ConditionExpression: "accountId = :old",
            ExpressionAttributeValues: { ":old": owner },
          }),
        );
        return true;
      }
      throw new ConflictError("already_registered", `${what} is already registered to another account`);
    }
  }

  private async release(key: ItemKey, accountId: string): Promise<void> {
    await this.db
      .send(new DeleteCommand({ TableName: this.table, Key: key, ConditionExpression: "accountId = :me", ExpressionAttributeValues: { ":me": accountId } }))
      .catch(() => undefined);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.account(id) }));
    return out.Item ? accountOf(out.Item) : undefined;
  }

  async listAccounts(kind: AccountKind, page: PageRequest): Promise<Page<Account>> {
    const listed = await queryPage<Record<string, unknown>>(this.db, this.table, TABLE.indexes.byOwner, keys.accountsByKind(kind), page, { ascending: true });
    return { ...listed, items: listed.items.map(accountOf) };
  }

  async accountIdByFrn(frn: string): Promise<string | undefined> {
    return this.claimHolder(keys.frnClaim(frn));
  }

  async accountIdByRmd(rmd: string): Promise<string | undefined> {
    return this.claimHolder(keys.rmdClaim(rmd));
  }

  async accountIdBySpc(spc: string): Promise<string | undefined> {
    return this.claimHolder(keys.spcClaim(spc));
  }

  private async claimHolder(key: ItemKey): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key }));
    const id = out.Item?.accountId as string | undefined;
    return id && (await this.getAccount(id)) ? id : undefined;
  }

  /**
   * A key takes a slot on its account before it is written, so concurrent additions cannot pass
   * the cap; its own item is written only if no account ever had the key, and stays after
   * revocation, so a key belongs to one account for good.
   */
  async addKey(key: SigningKeyRecord, maxActive: number): Promise<void> {
    try {
      await this.writeKey(key, maxActive);
    } finally {
      this.onKeyChange(key.keyId);
    }
  }

  private async writeKey(key: SigningKeyRecord, maxActive: number): Promise<void> {
    await this.takeKeySlot(key.accountId, key.keyId, key.createdAt, maxActive);
    const item = { ...keys.signingKey(key.keyId), entity: "key", gsi1pk: keys.keysOf(key.accountId), gsi1sk: key.keyId, ...key };
    if ((await putNew(this.db, this.table, item)) === "created") return;
    const holder = await this.getKey(key.keyId, true);
    if (!(holder?.accountId === key.accountId && holder.status === "active")) await this.freeKeySlot(key.accountId, key.keyId);
    throw new ConflictError("key_exists", "this public key is already registered");
  }

  private async takeKeySlot(accountId: string, keyId: string, at: string, maxActive: number): Promise<void> {
    const take = () =>
      this.updateAccountIf(accountId, {
        UpdateExpression: "SET activeKeys.#key = :at",
        ConditionExpression: "attribute_exists(activeKeys) AND (attribute_exists(activeKeys.#key) OR size(activeKeys) < :max)",
        ExpressionAttributeNames: { "#key": keyId },
        ExpressionAttributeValues: { ":at": at, ":max": maxActive },
      });
    if ((await take()) || ((await this.reclaimKeySlots(accountId, at)) && (await take()))) return;
    throw new ConflictError("too_many_keys", `the account already has ${maxActive} active keys; revoke one first`);
  }

  /**
   * Frees the slots that no longer stand for an active key of the account: revoked (the slot is
   * freed after the revocation, which a crash can interrupt) or never written. True if any was.
   */
  private async reclaimKeySlots(accountId: string, now: string): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.account(accountId), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError(`account ${accountId} not found`);
    const slots = out.Item.activeKeys as KeySlots | undefined;
    if (slots === undefined) return this.countKeySlots(accountId);
    const stale = await Promise.all(
      Object.entries(slots).map(async ([keyId, takenAt]) => {
        const record = await this.getKey(keyId, true);
        const isStale = record ? record.accountId !== accountId || record.status !== "active" : Date.parse(now) - Date.parse(takenAt) > ORPHAN_CLAIM_MS;
        return isStale && (await this.freeKeySlot(accountId, keyId, takenAt));
      }),
    );
    return stale.some(Boolean);
  }

  /** Accounts stored before key slots existed get theirs from the keys they hold. */
  private async countKeySlots(accountId: string): Promise<boolean> {
    const held = await this.allKeysOf(accountId);
    const slots: KeySlots = Object.fromEntries(held.filter((k) => k.status === "active").map((k) => [k.keyId, k.createdAt]));
    // Counted by a concurrent caller already if this one finds the slots in place.
    await this.updateAccountIf(accountId, {
      UpdateExpression: "SET activeKeys = :slots",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(activeKeys)",
      ExpressionAttributeValues: { ":slots": slots },
    });
    return true;
  }

  /** Frees a key's slot (only if still taken at `takenAt`, when given); true if this call freed it. */
  private freeKeySlot(accountId: string, keyId: string, takenAt?: string): Promise<boolean> {
    return this.updateAccountIf(accountId, {
      UpdateExpression: "REMOVE activeKeys.#key",
      ConditionExpression: takenAt === undefined ? "attribute_exists(activeKeys.#key)" : "activeKeys.#key = :at",
      ExpressionAttributeNames: { "#key": keyId },
      ...(takenAt !== undefined && { ExpressionAttributeValues: { ":at": takenAt } }),
    });
  }

  /** A conditional update of the account item: false when the condition does not hold. */
  private updateAccountIf(accountId: string, update: ConditionalUpdate): Promise<boolean> {
    return updateIf(this.db, this.table, keys.account(accountId), update);
  }

  async getKey(keyId: string, consistent = false): Promise<SigningKeyRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.signingKey(keyId), ConsistentRead: consistent }));
    return out.Item ? stripKeys<SigningKeyRecord>(out.Item) : undefined;
  }

  listKeys(accountId: string, page: PageRequest): Promise<Page<SigningKeyRecord>> {
    return queryPage<SigningKeyRecord>(this.db, this.table, TABLE.indexes.byOwner, keys.keysOf(accountId), page, { ascending: true });
  }

  allKeysOf(accountId: string): Promise<SigningKeyRecord[]> {
    return allPages((cursor) => this.listKeys(accountId, { limit: 100, ...(cursor !== undefined && { cursor }) }));
  }

  /** Revocation is final; revoking a revoked key is a no-op that returns the record. */
  async revokeKey(accountId: string, keyId: string, by: string, at: string): Promise<SigningKeyRecord> {
    try {
      const revoked = await this.markRevoked(accountId, keyId, by, at);
      // Also on the no-op, which finishes a revocation interrupted before its slot was freed.
      await this.freeKeySlot(accountId, keyId);
      return revoked;
    } finally {
      this.onKeyChange(keyId);
    }
  }

  private async markRevoked(accountId: string, keyId: string, by: string, at: string): Promise<SigningKeyRecord> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.signingKey(keyId),
          UpdateExpression: "SET #s = :revoked, revokedAt = :at, revokedBy = :by",
          ConditionExpression: "accountId = :acc AND #s = :active",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":revoked": "revoked", ":active": "active", ":at": at, ":by": by, ":acc": accountId },
          ReturnValues: "ALL_NEW",
        }),
      );
      return stripKeys<SigningKeyRecord>(out.Attributes!);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getKey(keyId);
      if (!existing || existing.accountId !== accountId) throw new NotFoundError(`key ${keyId} not found`);
      return existing;
    }
  }
}
