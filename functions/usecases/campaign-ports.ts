/** What campaign assignment and the analyst's campaign decisions need from storage. */
import { z } from "zod";
import type { CallProfile } from "../domain/campaigns/incremental.js";
import type { LinkSignal } from "../domain/campaigns/cluster.js";
import type { Page, PageRequest } from "./page.js";

/** A call's profile as stored, with the campaign it was placed in (its original one; merges redirect). */
export interface StoredCall {
  profile: CallProfile;
  campaignId?: string;
}

export const campaignDecisionSchema = z.object({
  kind: z.enum(["confirm", "rename", "split", "merge", "auto_merge"]),
  at: z.string(),
  /** The consortium account, or `clustering`. */
  by: z.string(),
  detail: z.string().optional(),
});
export type CampaignDecisionRecord = z.infer<typeof campaignDecisionSchema>;

/** A campaign as kept: the contract's `Campaign` is built from it. */
export const campaignRecordSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** An analyst decided on it: the clustering never folds it into another, nor another into it. */
  decided: z.boolean(),
  createdAt: z.string(),
  /** Calls placed in it directly (those of the campaigns folded into it are counted there). */
  calls: z.number().int(),
  /** When it was folded into another: that one speaks for it from then on. */
  mergedInto: z.string().optional(),
  /** The campaigns folded into it. */
  absorbed: z.array(z.string()).optional(),
  decisions: z.array(campaignDecisionSchema),
});
export type CampaignRecord = z.infer<typeof campaignRecordSchema>;

export interface Membership {
  campaignId: string;
  tracebackId: string;
  callTime: string;
  /** Why it is in: the signals of its link, and the call it linked with; an analyst's move says so. */
  signals: LinkSignal[];
  linkedTo?: string;
  assignedBy: "clustering" | string;
  assignedAt: string;
}

export interface CampaignStore {
  getCall(tracebackId: string): Promise<StoredCall | undefined>;
  getCalls(tracebackIds: readonly string[]): Promise<StoredCall[]>;
  /** Writes the profile (keeping any campaign already set) and files it under its lookup keys. */
  putCall(profile: CallProfile, keys: readonly string[]): Promise<void>;
  /** The newest calls filed under each key, `perKey` of each, key by key. */
  callsUnder(keys: readonly string[], perKey: number): Promise<string[][]>;
  getCampaign(id: string): Promise<CampaignRecord | undefined>;
  getCampaigns(ids: readonly string[]): Promise<CampaignRecord[]>;
  /** Creates the campaign unless it exists (a repeat of the same founding). */
  createCampaign(c: CampaignRecord): Promise<void>;
  /**
   * Places calls in no campaign yet in one campaign, and counts them on it; returns the ids it
   * placed. A call placed already (here or elsewhere) is left as it is and not counted again.
   */
  place(campaignId: string, members: readonly Membership[]): Promise<string[]>;
  /** Moves a call placed in `from` to `m.campaignId`; false when it is no longer in `from`. */
  move(from: string, m: Membership): Promise<boolean>;
  /** Folds `from` into `into`, unless `from` was folded already; `decided` is required of neither, or allowed. */
  fold(from: string, into: string, decision: CampaignDecisionRecord): Promise<boolean>;
  decide(id: string, decision: CampaignDecisionRecord, name?: string): Promise<void>;
  members(campaignId: string, max: number): Promise<Membership[]>;
  listCampaigns(page: PageRequest): Promise<Page<CampaignRecord>>;
}
