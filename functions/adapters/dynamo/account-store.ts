/** Accounts, their unique FRN/SPC claims, and their signing keys. */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Account, AccountKind, SigningKeyRecord } from "../../domain/account.js";
import { ConflictError, NotFoundError } from "../../domain/errors.js";
import type { AccountStore, Page, PageRequest } from "../../usecases/ports.js";
import { clearMarker, dueAcrossShards, isConditionFailure, queryPage, stripKeys } from "./items.js";
import { keys, TABLE, type ItemKey } from "./keys.js";

/** A claim whose account was never written (a crash mid-registration) is free again after this. */
const ORPHAN_CLAIM_MS = 60_000;

export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
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
        await this.claim(c.key, account.id, account.createdAt, c.what);
        taken.push(c.key);
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

  private async claim(key: ItemKey, accountId: string, at: string, what: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, entity: "claim", accountId, claimedAt: at },
          ConditionExpression: "attribute_not_exists(pk) OR accountId = :me",
          ExpressionAttributeValues: { ":me": accountId },
        }),
      );
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
        return;
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
    return out.Item ? stripKeys<Account>(out.Item) : undefined;
  }

  listAccounts(kind: AccountKind, page: PageRequest): Promise<Page<Account>> {
    return queryPage<Account>(this.db, this.table, TABLE.indexes.byOwner, keys.accountsByKind(kind), page, { ascending: true });
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

  async putKey(key: SigningKeyRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.signingKey(key.keyId), entity: "key", gsi1pk: keys.keysOf(key.accountId), gsi1sk: key.keyId, ...key },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError("key_exists", "this public key is already registered");
      throw err;
    }
  }

  async getKey(keyId: string): Promise<SigningKeyRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.signingKey(keyId) }));
    return out.Item ? stripKeys<SigningKeyRecord>(out.Item) : undefined;
  }

  listKeys(accountId: string, page: PageRequest): Promise<Page<SigningKeyRecord>> {
    return queryPage<SigningKeyRecord>(this.db, this.table, TABLE.indexes.byOwner, keys.keysOf(accountId), page, { ascending: true });
  }

  /** Revocation is final; revoking a revoked key is a no-op that returns the record. */
  async revokeKey(accountId: string, keyId: string, by: string, at: string): Promise<SigningKeyRecord> {
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
