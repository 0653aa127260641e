/**
 * Invitations, one item each, listed per account (gsi1) and all together (gsi2). Every change of
 * state is one conditional update. The invitation's own expiry is kept as `expires`, since
 * `expiresAt` is the table's TTL attribute and an invitation is a record to keep, not to expire.
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Invitation } from "../../domain/invitation.js";
import type { InvitationStore, StoredInvitation } from "../../usecases/people-ports.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { putNew, queryPage, stripKeys, updateIf, type ConditionalUpdate } from "./items.js";
import { keys, TABLE } from "./keys.js";

type InvitationAttributes = Omit<Invitation, "expiresAt"> & { expires: string; tokenSha256: string; fingerprint: string };

function toItem(s: StoredInvitation): Record<string, unknown> {
  const { expiresAt, ...rest } = s.invitation;
  const listed = `${rest.createdAt}#${rest.id}`;
  return {
    ...keys.invitation(rest.id),
    entity: "invitation",
    gsi1pk: keys.invitationsOf(rest.accountId),
    gsi1sk: listed,
    gsi2pk: keys.allInvitations,
    gsi2sk: listed,
    ...rest,
    expires: expiresAt,
    tokenSha256: s.tokenSha256,
    fingerprint: s.fingerprint,
  };
}

function fromItem(item: Record<string, unknown>): StoredInvitation {
  const { expires, tokenSha256, fingerprint, ...rest } = stripKeys<InvitationAttributes>(item);
  return { invitation: { ...rest, expiresAt: expires }, tokenSha256, fingerprint };
}

export class DynamoInvitationStore implements InvitationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(stored: StoredInvitation): Promise<{ created: true } | { created: false; existing: StoredInvitation }> {
    if ((await putNew(this.db, this.table, toItem(stored))) === "created") return { created: true };
    const existing = await this.get(stored.invitation.id);
    if (!existing) throw new Error(`invitation ${stored.invitation.id} exists by its condition and not by its read`);
    return { created: false, existing };
  }

  async get(id: string): Promise<StoredInvitation | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.invitation(id), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async list(accountId: string | undefined, page: PageRequest): Promise<Page<Invitation>> {
    const [index, partition] = accountId === undefined ? [TABLE.indexes.openWork, keys.allInvitations] : [TABLE.indexes.byOwner, keys.invitationsOf(accountId)];
    const listed = await queryPage<Record<string, unknown>>(this.db, this.table, index, partition, page);
    return { ...listed, items: listed.items.map((i) => fromItem(i).invitation) };
  }

  accept(id: string, keyId: string, at: string): Promise<boolean> {
    return this.change(id, {
      UpdateExpression: "SET #s = :accepted, acceptedAt = :at, acceptedKeyId = :key",
      ConditionExpression: "#s = :pending AND expires > :at",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":accepted": "accepted", ":pending": "pending", ":at": at, ":key": keyId },
    });
  }

  async unaccept(id: string, keyId: string): Promise<void> {
    await this.change(id, {
      UpdateExpression: "SET #s = :pending REMOVE acceptedAt, acceptedKeyId",
      ConditionExpression: "#s = :accepted AND acceptedKeyId = :key",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":accepted": "accepted", ":pending": "pending", ":key": keyId },
    });
  }

  async revoke(id: string, by: string, at: string): Promise<Invitation | undefined> {
    await this.change(id, {
      UpdateExpression: "SET #s = :revoked, revokedAt = :at, revokedBy = :by",
      ConditionExpression: "#s = :pending",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":revoked": "revoked", ":pending": "pending", ":at": at, ":by": by },
    });
    return (await this.get(id))?.invitation;
  }

  async markEmailed(id: string, at: string): Promise<void> {
    await this.change(id, { UpdateExpression: "SET emailedAt = :at", ConditionExpression: "attribute_exists(pk)", ExpressionAttributeValues: { ":at": at } });
  }

  private change(id: string, update: ConditionalUpdate): Promise<boolean> {
    return updateIf(this.db, this.table, keys.invitation(id), update);
  }
}
