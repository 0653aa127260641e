/** Placing one call at a time: links, the campaign joined, and the merges an analyst's decision forbids. */
import { describe, expect, it } from "vitest";
import { linksOf, lookupKeysOf, lookupRounds, mayLinkUnseen, placeCall, profileOf } from "../../../functions/domain/campaigns/incremental.js";

const SCRIPT = "this is an important message about your vehicle's extended warranty our records show your coverage is about to expire press one now";
const call = (id: string, extra: Record<string, unknown> = {}) =>
  profileOf({ id, callTime: `2025-09-01T13:00:0${id.length % 10}Z`, callingNumber: "+14155550000", calledNumber: "+12025550143", ...extra });

describe("incremental campaign placement", () => {
  it("links calls by transcript and shared values, strongest first, and files them under LSH bands and values", () => {
    const a = call("a", { transcript: SCRIPT, callingNumber: "+13055550100" });
    const b = call("b", { transcript: SCRIPT.replace("press one now", "press one"), callingNumber: "+13055550177" });
    const c = call("c", { transcript: "hi grandma it is me call me back when you get this message love you bye" });
    const links = linksOf(a, [b, c]);
    expect(links.map((l) => l.to)).toEqual(["b"]);
    expect(links[0]!.signals.map((s) => s.signal)).toEqual(["transcript", "number_block"]);
    const keys = lookupKeysOf(a);
    expect(keys.filter((k) => k.startsWith("text:"))).toHaveLength(16);
    expect(keys).toContain("number_block:3055550");
    expect(lookupKeysOf(call("d", { signer: { spc: "123A", certificateSha256: "ab", origid: "o-1" } }))).toEqual([
      "calling_number:4155550000",
      "number_block:4155550",
      "signer_origid:123A o-1",
    ]);
  });

  it("reads a number block only when the keys read whole leave a link possible without it", () => {
    const ended = call("e", { originator: { providerId: "acc_o", customerName: "Bench Dialer LLC" } });
    const { first, broad } = lookupRounds(ended);
    expect(broad).toEqual(["number_block:4155550"]);
    expect(first).toEqual(["calling_number:4155550000", expect.stringMatching(/^originator_customer:acc_o /)]);
    // Number and customer read whole: a call sharing neither reaches 0.3 at most.
    expect(mayLinkUnseen(ended, new Set(first))).toBe(false);
    // The customer's calls read only in part: an older one sharing it and the block links.
    expect(mayLinkUnseen(ended, new Set([first[0]!]))).toBe(true);
    // Neither read whole: the number and its block make a link on their own.
    expect(mayLinkUnseen(call("f"), new Set())).toBe(true);
    // A transcript may link with a call its LSH bands missed.
    const spoken = call("g", { transcript: SCRIPT });
    expect(mayLinkUnseen(spoken, new Set(lookupKeysOf(spoken)))).toBe(true);
  });

  it("founds a campaign with its strongest link's call, joins an existing one, and folds others only when nobody decided on either", () => {
    const links = [
      { to: "x", score: 3, signals: [] },
      { to: "y", score: 2, signals: [] },
      { to: "z", score: 1.5, signals: [] },
      { to: "w", score: 1.2, signals: [] },
    ];
    expect(placeCall(links, new Map(), (id) => `cmp_${id}`)).toMatchObject({
      campaignId: "cmp_x",
      founded: true,
      alsoJoining: ["x", "y", "z", "w"],
      merging: [],
    });
    const other = { id: "cmp_o", decided: false };
    const open = new Map([
      ["x", { id: "cmp_1", decided: false }],
      ["y", other],
      ["z", other],
    ]);
    expect(placeCall(links, open, () => "new")).toMatchObject({ campaignId: "cmp_1", founded: false, alsoJoining: ["w"], merging: ["cmp_o"] });
    const decidedOther = new Map([
      ["x", { id: "cmp_1", decided: false }],
      ["y", { id: "cmp_o", decided: true }],
      ["z", { id: "cmp_o", decided: true }],
    ]);
    expect(placeCall(links, decidedOther, () => "new")!.merging).toEqual([]);
    const decidedTarget = new Map([
      ["x", { id: "cmp_1", decided: true }],
      ["y", other],
      ["z", other],
    ]);
    expect(placeCall(links, decidedTarget, () => "new")!.merging).toEqual([]);
    expect(placeCall([], new Map(), () => "new")).toBeUndefined();
  });
});
