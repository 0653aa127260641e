import { describe, expect, it } from "vitest";
import type { CampaignCall } from "../../../functions/domain/campaigns/call.js";
import { clusterCampaigns, type Clustering } from "../../../functions/domain/campaigns/cluster.js";
import { constraintsOf, type CampaignDecision } from "../../../functions/domain/campaigns/decisions.js";
import { numberEvidence } from "../../../functions/domain/campaigns/numbers.js";
import {
  jaccard,
  lshCandidates,
  minHasher,
  normaliseTranscript,
  rarityWeights,
  shingles,
  weightedJaccard,
  weightedSet,
} from "../../../functions/domain/campaigns/text.js";
import { pairwiseScores, syntheticFeed } from "../../support/campaign-feed.js";

const WARRANTY = [
  "this is an important message about your vehicle's extended warranty our records show your coverage is about to expire press one now to speak with a specialist",
  "this is an important message about your car's extended warranty our records show the coverage is about to expire press one to speak with a specialist today",
  "uh this is an important message about your vehicle's extended warranty our files show your coverage is about to expire hit one now to speak with a specialist",
  "this is an important mesage about your vehicle's extended warranty our records show your coverage will expire soon press one now to talk with a specialist",
];
const IRS = [
  "this is officer brooks from the internal revenue service a lawsuit has been filed against you for unpaid back taxes call us back immediately to settle the case",
  "this is officer brooks from the internal revenue service a lawsuit was filed against you for unpaid back taxes call us back right away to settle the case",
  "hello this is officer brooks of the internal revenue service a lawsuit has been filed against you over unpaid back taxes call us back immediately to settle this case",
  "this is officer brooks from the internal revenue service a lawsuit has been filed against you for unpaid taxes please call us back immediately to settle the case",
];
const OTHER = [
  "your pharmacy prescription is ready for pickup at the main street store",
  "school is closed tomorrow because of snow",
  "the library books you borrowed are overdue",
];

let made = 0;
/** A call a minute, each from a number in an exchange of its own unless told otherwise. */
function call(id: string, extra: Partial<CampaignCall> = {}): CampaignCall {
  made += 1;
  return {
    id,
    callTime: new Date(Date.parse("2025-09-01T12:00:00Z") + made * 60_000).toISOString(),
    callingNumber: `+1${200 + made}5550100`,
    calledNumber: "+13125550100",
    ...extra,
  };
}

const sample = (): CampaignCall[] => [
  ...WARRANTY.map((transcript, i) => call(`w${i}`, { transcript })),
  ...IRS.map((transcript, i) => call(`i${i}`, { transcript })),
  ...OTHER.map((transcript, i) => call(`o${i}`, { transcript })),
];

const membersOf = (r: Clustering) => r.campaigns.map((c) => [...c.callIds].sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
const campaignOf = (r: Clustering, callId: string) => r.campaigns.find((c) => c.callIds.includes(callId));

describe("transcript similarity", () => {
  it("compares transcripts without case, punctuation or accents, by character shingles", () => {
    expect(normaliseTranscript("Press ONE — now, for Médicare!")).toBe("press one now for medicare");
    const a = shingles(normaliseTranscript(WARRANTY[0]!));
    expect(jaccard(a, shingles(normaliseTranscript(WARRANTY[0]!.toUpperCase())))).toBe(1);
    expect(jaccard(a, shingles(normaliseTranscript(WARRANTY[3]!)))).toBeGreaterThan(0.5);
    expect(jaccard(a, shingles(normaliseTranscript(IRS[0]!)))).toBeLessThan(0.1);
  });

  it("has MinHash signatures whose agreement follows the Jaccard similarity, and LSH finds the close pairs only", () => {
    const hasher = minHasher(120);
    const sets = [WARRANTY[0]!, WARRANTY[1]!, IRS[0]!].map((t) => shingles(normaliseTranscript(t)));
    const sigs = sets.map((s) => hasher.signature(s));
    const agreement = (x: Uint32Array, y: Uint32Array) => x.filter((v, i) => v === y[i]).length / x.length;
    expect(Math.abs(agreement(sigs[0]!, sigs[1]!) - jaccard(sets[0]!, sets[1]!))).toBeLessThan(0.12);
    expect(agreement(sigs[0]!, sigs[2]!)).toBeLessThan(0.1);
    expect(lshCandidates(sigs, 40, 3)).toEqual([[0, 1]]);
  });

  it("weighs shingles by their rarity, so that boilerplate two scripts share counts for little", () => {
    const boilerplate = " to be removed from our list press nine";
    const texts = [...WARRANTY.map((t) => t + boilerplate), ...IRS.map((t) => t + boilerplate), ...OTHER];
    const sets = texts.map((t) => shingles(normaliseTranscript(t)));
    const weights = rarityWeights(sets);
    const weighted = sets.map((set) => weightedSet(set, weights));
    expect(weightedJaccard(weighted[0]!, weighted[4]!)).toBeLessThan(jaccard(sets[0]!, sets[4]!) / 2);
    expect(weightedJaccard(weighted[0]!, weighted[1]!)).toBeGreaterThan(0.3);
    // Weighing every shingle the same is plain Jaccard.
    const ones = new Map([...sets[0]!, ...sets[4]!].map((x) => [x, 1]));
    expect(weightedJaccard(weightedSet(sets[0]!, ones), weightedSet(sets[4]!, ones))).toBeCloseTo(jaccard(sets[0]!, sets[4]!), 12);
  });
});

describe("calling numbers as evidence", () => {
  it("gives the number and its thousand-block, nothing for a number spoofed into the called party's exchange", () => {
    expect(numberEvidence("+1 (202) 555-0143", "+13125550100")).toEqual({ number: "2025550143", block: "2025550" });
    expect(numberEvidence("+13125559876", "+1 312 555 0100")).toEqual({});
    expect(numberEvidence("anonymous", "+13125550100")).toEqual({});
    expect(numberEvidence("+442079460000", "+13125550100")).toEqual({ number: "442079460000" });
  });
});

describe("grouping calls into campaigns", () => {
  it("groups paraphrases of one script, says why, and leaves unrelated calls out", () => {
    const r = clusterCampaigns(sample());
    expect(membersOf(r)).toEqual([
      ["i0", "i1", "i2", "i3"],
      ["w0", "w1", "w2", "w3"],
    ]);
    expect(r.unassigned.sort()).toEqual(["o0", "o1", "o2"]);
    const warranty = campaignOf(r, "w0")!;
    expect(warranty.reasons[0]).toMatchObject({ signal: "transcript", links: 3 });
    expect(warranty.links).toHaveLength(3);
    expect(warranty.id).toMatch(/^cmp_[0-9a-z]{14}$/);
  });

  it("joins calls without a transcript by the number they share, and by the signer's origination id or the customer named", () => {
    const calls = [
      ...sample(),
      call("n1", { callingNumber: "+14045550123" }),
      call("n2", { callingNumber: "+14045550123" }),
      call("s1", { signer: { spc: "567J", origid: "9f1c-origid", certificateSha256: "cert-1" } }),
      call("s2", { signer: { spc: "567j", origid: "9f1c-origid", certificateSha256: "cert-1" } }),
      call("c1", { originator: { providerId: "acc_origin", customerName: "Apex Outreach, L.L.C." } }),
      call("c2", { originator: { providerId: "acc_origin", customerName: "APEX OUTREACH LLC" } }),
      call("x1", { signer: { spc: "818H", origid: "a", certificateSha256: "cert-big" } }),
      call("x2", { signer: { spc: "818H", origid: "b", certificateSha256: "cert-big" } }),
      call("x3", { originator: { providerId: "acc_other", customerName: "Apex Outreach LLC" } }),
    ];
    const r = clusterCampaigns(calls);
    expect(campaignOf(r, "n1")!.callIds.sort()).toEqual(["n1", "n2"]);
    expect(campaignOf(r, "n1")!.reasons.map((x) => [x.signal, x.values])).toEqual([
      ["calling_number", ["4045550123"]],
      ["number_block", ["4045550"]],
    ]);
    expect(campaignOf(r, "s1")!.callIds.sort()).toEqual(["s1", "s2"]);
    expect(campaignOf(r, "s1")!.reasons.map((x) => x.signal)).toEqual(["signer_origid", "signer_certificate"]);
    expect(campaignOf(r, "c1")!.callIds.sort()).toEqual(["c1", "c2"]);
    // A certificate shared alone, or a customer of the same name at another provider, links nothing.
    expect(r.unassigned).toEqual(expect.arrayContaining(["x1", "x2", "x3"]));
  });

  it("does not join two campaigns over one chance resemblance between them", () => {
    const calls = sample();
    calls[0] = { ...calls[0]!, callingNumber: "+17135550199" };
    calls[4] = { ...calls[4]!, callingNumber: "+17135550199" };
    const r = clusterCampaigns(calls);
    expect(membersOf(r)).toEqual([
      ["i0", "i1", "i2", "i3"],
      ["w0", "w1", "w2", "w3"],
    ]);
  });

  it("reaches 0.95 pairwise precision and recall on the synthetic feed of 2,000 calls over 20 campaigns", () => {
    const feed = syntheticFeed({ seed: 1 });
    expect(feed).toHaveLength(2000);
    expect(new Set(feed.map((c) => c.truth).filter(Boolean)).size).toBe(20);
    const scores = pairwiseScores(
      feed,
      clusterCampaigns(feed).campaigns.map((c) => c.callIds),
    );
    expect(scores.precision).toBeGreaterThanOrEqual(0.95);
    expect(scores.recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe("analysts' decisions across re-clustering", () => {
  const run = (calls: CampaignCall[], decisions: CampaignDecision[], previous: Clustering = { campaigns: [], unassigned: [] }) =>
    clusterCampaigns(calls, constraintsOf(decisions), previous.campaigns);

  it("keeps the id of a campaign from one run to the next as calls arrive", () => {
    const calls = sample();
    const first = clusterCampaigns(calls.filter((c) => c.id !== "w3" && c.id !== "i3"));
    const second = clusterCampaigns(calls, undefined, first.campaigns);
    expect(campaignOf(second, "w3")!.id).toBe(campaignOf(first, "w0")!.id);
    expect(campaignOf(second, "i3")!.id).toBe(campaignOf(first, "i0")!.id);
  });

  it("keeps a confirmed and renamed campaign, its id and name, whatever else changes", () => {
    const calls = sample();
    const decisions: CampaignDecision[] = [{ kind: "rename", campaignId: "cmp_warranty", name: "Auto warranty, Sept 2025", callIds: ["w0", "w1"] }];
    const r = run(calls, decisions);
    expect(campaignOf(r, "w3")).toMatchObject({ id: "cmp_warranty", name: "Auto warranty, Sept 2025", decided: true });
    // Even with the transcripts gone, the calls the analyst confirmed stay together.
    const bare = run(calls.map((c) => ({ ...c, transcript: undefined })) as CampaignCall[], decisions);
    expect(campaignOf(bare, "w0")!.callIds.sort()).toEqual(["w0", "w1"]);
    expect(campaignOf(bare, "w0")!.reasons).toEqual([{ signal: "analyst", links: 1, values: ["cmp_warranty"] }]);
  });

  it("keeps a split campaign split, each part growing on its own", () => {
    const split: CampaignDecision = {
      kind: "split",
      campaignId: "cmp_w",
      parts: [
        { campaignId: "cmp_w_a", callIds: ["w0", "w1"] },
        { campaignId: "cmp_w_b", callIds: ["w2"] },
      ],
    };
    const r = run(sample(), [split]);
    expect(campaignOf(r, "w0")!.id).toBe("cmp_w_a");
    expect(campaignOf(r, "w2")!.id).toBe("cmp_w_b");
    expect(campaignOf(r, "w0")!.callIds).not.toContain("w2");
    const w3 = campaignOf(r, "w3")!.id;
    expect(["cmp_w_a", "cmp_w_b"]).toContain(w3);
  });

  it("keeps merged campaigns merged under the id merged into, and lets a later split undo it", () => {
    const merge: CampaignDecision = {
      kind: "merge",
      campaignId: "cmp_scams",
      from: [
        { campaignId: "cmp_1", callIds: ["w0", "w1", "w2", "w3"] },
        { campaignId: "cmp_2", callIds: ["i0", "i1", "i2", "i3"] },
      ],
    };
    const merged = run(sample(), [merge]);
    expect(membersOf(merged)).toEqual([["i0", "i1", "i2", "i3", "w0", "w1", "w2", "w3"]]);
    expect(merged.campaigns[0]!.id).toBe("cmp_scams");
    const undone = run(sample(), [
      merge,
      {
        kind: "split",
        campaignId: "cmp_scams",
        parts: [
          { campaignId: "cmp_scams", callIds: ["w0"] },
          { campaignId: "cmp_irs", callIds: ["i0"] },
        ],
      },
    ]);
    expect(campaignOf(undone, "w3")!.id).toBe("cmp_scams");
    expect(campaignOf(undone, "i3")!.id).toBe("cmp_irs");
  });

  it("never lets the clustering join two campaigns analysts decided on", () => {
    const r = run(sample(), [
      { kind: "confirm", campaignId: "cmp_x", callIds: ["w0"] },
      { kind: "confirm", campaignId: "cmp_y", callIds: ["w1"] },
    ]);
    expect(campaignOf(r, "w0")!.id).toBe("cmp_x");
    expect(campaignOf(r, "w1")!.id).toBe("cmp_y");
    expect(campaignOf(r, "w0")!.callIds).not.toContain("w1");
  });
});
