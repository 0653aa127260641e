/**
 * Campaigns in the table. A call's profile is one item; it is filed under its lookup keys as
 * small pointer items, so the calls it may belong with are a few Queries away. A campaign is one
 * item with its members beside it; a fold (merge) marks the folded campaign and lists it on the
 * one it joins, so merging moves no member and costs two writes.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { CallProfile } from "../../domain/campaigns/incremental.js";
import { mapLimit } from "../../domain/map-limit.js";
import type { CampaignDecisionRecord, CampaignRecord, CampaignStore, Membership, StoredCall } from "../../usecases/campaign-ports.js";
import type { Page, PageRequest } from "../../usecases/ports.js";
import { batchGetAll } from "./batch-get.js";
import { deleteAll, putAll } from "./batch.js";
import { allPages, conditionally, isConditionFailure, putNew, queryPage, stripKeys, updateIf } from "./items.js";
import { keys, TABLE } from "./keys.js";

const QUERIES_IN_FLIGHT = 8;
const WRITES_IN_FLIGHT = 8;

function callFrom(item: Record<string, unknown>): StoredCall {
  const { profile, campaignId } = stripKeys<{ profile: CallProfile; campaignId?: string }>(item);
  return { profile, ...(campaignId && { campaignId }) };
}

const memberItem = (m: Membership) => ({ ...keys.campaignMember(m.campaignId, m.callTime, m.tracebackId), entity: "campaign_member", ...m });

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getCall(tracebackId: string): Promise<StoredCall | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.campaignCall(tracebackId), ConsistentRead: true }));
    return out.Item ? callFrom(out.Item) : undefined;
  }

  async getCalls(tracebackIds: readonly string[]): Promise<StoredCall[]> {
    if (tracebackIds.length === 0) return [];
    return (await batchGetAll(this.db, this.table, tracebackIds.map(keys.campaignCall), true)).map(callFrom);
  }

  async putCall(profile: CallProfile, lookupKeys: readonly string[]): Promise<void> {
    // Pointers first: one to a profile not yet written leads nowhere and is skipped.
    await putAll(
      this.db,
      this.table,
      lookupKeys.map((k) => ({ pk: keys.campaignKey(k), sk: `${profile.callTime}#${profile.id}`, entity: "campaign_key", tracebackId: profile.id })),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.campaignCall(profile.id),
        UpdateExpression: "SET entity = :e, profile = :p",
        ExpressionAttributeValues: { ":e": "campaign_call", ":p": profile },
      }),
    );
  }

  callsUnder(lookupKeys: readonly string[], perKey: number): Promise<string[][]> {
    return mapLimit([...lookupKeys], QUERIES_IN_FLIGHT, async (k) => {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.campaignKey(k) },
          ScanIndexForward: false,
          Limit: perKey,
        }),
      );
      return (out.Items ?? []).map((i) => String(i.tracebackId));
    });
  }

  async getCampaign(id: string): Promise<CampaignRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.campaign(id), ConsistentRead: true }));
    return out.Item ? stripKeys<CampaignRecord>(out.Item) : undefined;
  }

  async getCampaigns(ids: readonly string[]): Promise<CampaignRecord[]> {
    if (ids.length === 0) return [];
    return (await batchGetAll(this.db, this.table, ids.map(keys.campaign), true)).map((i) => stripKeys<CampaignRecord>(i));
  }

  async createCampaign(c: CampaignRecord): Promise<void> {
    await putNew(this.db, this.table, { ...keys.campaign(c.id), entity: "campaign", gsi1pk: keys.campaigns, gsi1sk: `${c.createdAt}#${c.id}`, ...c });
  }

  async place(campaignId: string, members: readonly Membership[]): Promise<string[]> {
    if (members.length === 0) return [];
    // The member items first, in one batch: a call marked placed always has one; a repeat writes the same items.
    await putAll(
      this.db,
      this.table,
      members.map((m) => memberItem({ ...m, campaignId })),
    );
    const outcomes = await mapLimit([...members], WRITES_IN_FLIGHT, async (m) => {
      try {
        const out = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.campaignCall(m.tracebackId),
            UpdateExpression: "SET campaignId = :c",
            ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(campaignId) OR campaignId = :c)",
            ExpressionAttributeValues: { ":c": campaignId },
            ReturnValues: "UPDATED_OLD",
          }),
        );
        return out.Attributes?.campaignId === undefined ? "placed" : "here already";
      } catch (err) {
        if (isConditionFailure(err)) return "elsewhere";
        throw err;
      }
    });
    // A call another campaign took meanwhile is no member of this one: its item here goes.
    const lost = members.filter((_, i) => outcomes[i] === "elsewhere");
    if (lost.length > 0)
      await deleteAll(
        this.db,
        this.table,
        lost.map((m) => keys.campaignMember(campaignId, m.callTime, m.tracebackId)),
      );
    const placed = members.filter((_, i) => outcomes[i] === "placed").map((m) => m.tracebackId);
    if (placed.length > 0) await this.count(campaignId, placed.length);
    return placed;
  }

  async move(from: string, m: Membership): Promise<boolean> {
    await this.putMember(m);
    const moved = await updateIf(this.db, this.table, keys.campaignCall(m.tracebackId), {
      UpdateExpression: "SET campaignId = :to",
      ConditionExpression: "campaignId = :from",
      ExpressionAttributeValues: { ":to": m.campaignId, ":from": from },
    });
    if (!moved) return false;
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.campaignMember(from, m.callTime, m.tracebackId) }));
    await Promise.all([this.count(from, -1), this.count(m.campaignId, 1)]);
    return true;
  }

  async fold(from: string, into: string, decision: CampaignDecisionRecord): Promise<boolean> {
    const folded = await updateIf(this.db, this.table, keys.campaign(from), {
      UpdateExpression: "SET mergedInto = :into, decisions = list_append(decisions, :d) REMOVE gsi1pk, gsi1sk",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(mergedInto)",
      ExpressionAttributeValues: { ":into": into, ":d": [decision] },
    });
    if (!folded) return false;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.campaign(into),
        UpdateExpression: "SET absorbed = list_append(if_not_exists(absorbed, :none), :from), decisions = list_append(decisions, :d)",
        ExpressionAttributeValues: { ":from": [from], ":none": [], ":d": [decision] },
      }),
    );
    return true;
  }

  async decide(id: string, decision: CampaignDecisionRecord, name?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.campaign(id),
        UpdateExpression: `SET decided = :t, decisions = list_append(decisions, :d)${name !== undefined ? ", #n = :n" : ""}`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: name !== undefined ? { "#n": "name" } : undefined,
        ExpressionAttributeValues: { ":t": true, ":d": [decision], ...(name !== undefined && { ":n": name }) },
      }),
    );
  }

  /** The calls placed in the campaign itself (not those of the campaigns folded into it), by call time. */
  members(campaignId: string, max: number): Promise<Membership[]> {
    return allPages(
      (cursor) =>
        queryPage<Membership>(
          this.db,
          this.table,
          undefined,
          keys.campaignPartition(campaignId),
          { limit: Math.min(max, 500), ...(cursor && { cursor }) },
          { ascending: true, sortKeyPrefix: keys.campaignMemberPrefix },
        ),
      max,
    );
  }

  listCampaigns(page: PageRequest): Promise<Page<CampaignRecord>> {
    return queryPage<CampaignRecord>(this.db, this.table, TABLE.indexes.byOwner, keys.campaigns, page);
  }

  private async putMember(m: Membership): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: memberItem(m) }));
  }

  private async count(campaignId: string, by: number): Promise<void> {
    await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.campaign(campaignId),
          UpdateExpression: "ADD calls :n",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":n": by },
        }),
      ),
    );
  }
}
