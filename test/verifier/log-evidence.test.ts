/**
 * The offline verifier's log checks: the original evidence passes; every one of 1,000 seeded
 * mutations (entries, statements, indexes, proofs, checkpoints, keys) is refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyLogEvidence } from "../../functions/verifier/log-evidence.js";
import { b64, buildLog, checkpointOf, evidenceFor, hubKey, ORIGIN } from "./evidence-fixture.js";

const key = hubKey();
const log = buildLog(23);
const picked = [0, 4, 5, 11, 22];
const original = evidenceFor(key, log, picked);

type Evidence = ReturnType<typeof evidenceFor>;
const clone = (e: Evidence): Evidence => structuredClone(e);

function flipChar(s: string, at: number): string {
  const i = at % s.length;
  const c = s[i]!;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length] ?? "A";
  return s.slice(0, i) + (next === c ? "B" : next) + s.slice(i + 1);
}

const other = hubKey();
const forked = buildLog(23, { forkAt: 9 });

/** Each mutation returns the evidence changed and the JWKS to check it with. */
const mutations: Array<(e: Evidence, n: number) => { evidence: unknown; jwks?: { keys: object[] } }> = [
  (e, n) => {
    const x = clone(e);
    const t = x.entries[n % x.entries.length]!;
    const field = (["id", "subject", "time", "sha256", "nonce"] as const)[n % 5]!;
    (t.entry as unknown as Record<string, unknown>)[field] = flipChar(t.entry[field], n);
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const t = x.entries[n % x.entries.length]!;
    t.index = (t.index + 1 + (n % 22)) % 23;
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const t = x.entries[n % x.entries.length]!;
    const p = n % t.proof.length;
    const raw = Buffer.from(t.proof[p]!, "base64");
    raw[n % 32]! ^= 1 << (n % 8);
    t.proof[p] = raw.toString("base64");
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    x.entries[n % x.entries.length]!.proof.pop();
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const t = x.entries[n % x.entries.length]!;
    t.proof.push(t.proof[0]!);
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const i = n % x.entries.length;
    const j = (i + 1 + (n % (x.entries.length - 1))) % x.entries.length;
    [x.entries[i]!.proof, x.entries[j]!.proof] = [x.entries[j]!.proof, x.entries[i]!.proof];
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const t = x.entries[n % x.entries.length]!;
    const s = t.statement;
    t.statement = typeof s === "string" ? flipChar(s, n) : { ...(s as object), tampered: n };
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    const i = n % x.entries.length;
    x.entries[i] = { ...x.entries[(i + 1) % x.entries.length]!, index: x.entries[i]!.index };
    return { evidence: x };
  },
  (e, n) => {
    const x = clone(e);
    x.entries.push(x.entries[n % x.entries.length]!);
    return { evidence: x };
  },
  // A checkpoint from another tree, signed by the real hub key.
  (e, n) => ({ evidence: { ...clone(e), checkpoint: checkpointOf(key, forked.tree, 10 + (n % 13)) } }),
  // A checkpoint of a smaller size of the same tree: proofs of the wrong size.
  (e, n) => ({ evidence: { ...clone(e), checkpoint: checkpointOf(key, log.tree, 1 + (n % 22)) } }),
  // The right tree, signed by another key; and that key's JWKS for the original.
  (e) => ({ evidence: { ...clone(e), checkpoint: checkpointOf(other, log.tree) } }),
  (e) => ({ evidence: clone(e), jwks: other.jwks }),
  (e, n) => {
    const x = clone(e);
    const lines = x.checkpoint.split("\n");
    const l = 4 + (n % 2);
    lines[l] = lines[l]!.slice(0, -6) + flipChar(lines[l]!.slice(-6, -2), n) + lines[l]!.slice(-2);
    return { evidence: { ...x, checkpoint: lines.join("\n") } };
  },
  (e, n) => {
    const x = clone(e);
    return { evidence: { ...x, checkpoint: x.checkpoint.replace(`\n${x.checkpoint.split("\n")[1]}\n`, `\n${23 + (n % 5) + 1}\n`) } };
  },
  (e) => ({ evidence: { ...clone(e), checkpoint: clone(e).checkpoint.replaceAll(ORIGIN, "evil.example/log") } }),
];

describe("log evidence", () => {
  it("verifies as given", () => {
    const report = verifyLogEvidence(original, key.jwks, { origin: ORIGIN });
    expect(report.problems).toEqual([]);
    expect(report.entries.every((e) => e.ok)).toBe(true);
    expect(report).toMatchObject({ ok: true, checkpoint: { origin: ORIGIN, size: 23, kid: key.jwks.keys[0]!.kid } });
  });

  it("refuses each of 1,000 seeded mutations", () => {
    let tried = 0;
    fc.assert(
      fc.property(fc.nat(mutations.length - 1), fc.nat(10_000), (which, n) => {
        const { evidence, jwks } = mutations[which]!(original, n);
        const report = verifyLogEvidence(evidence, jwks ?? key.jwks, { origin: ORIGIN });
        tried++;
        expect(report.ok, `mutation ${which} (${n})`).toBe(false);
      }),
      { numRuns: 1000, seed: 20240603 },
    );
    expect(tried).toBe(1000);
  });

  it("refuses what is not evidence at all, with a reason", () => {
    for (const junk of [
      null,
      "text",
      { checkpoint: original.checkpoint },
      { ...original, extra: true },
      { ...original, entries: [{ ...original.entries[0], index: -1 }] },
    ]) {
      const report = verifyLogEvidence(junk, key.jwks);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatch(/malformed/);
    }
  });
});

describe("consistency with a trusted checkpoint", () => {
  const withConsistency = (from: number, to: number) => ({ ...original, consistency: { from, to, proof: log.tree.consistencyProof(from, to).map(b64) } });

  it("holds for an older trusted checkpoint of the same log", () => {
    const report = verifyLogEvidence(withConsistency(7, 23), key.jwks, { trustedCheckpoint: checkpointOf(key, log.tree, 7) });
    expect(report).toMatchObject({ ok: true, trusted: { size: 7, consistent: true } });
  });

  it("holds for a newer trusted checkpoint, proved from the bundle's size", () => {
    const longer = buildLog(30);
    const evidence = { ...evidenceFor(key, longer, picked, 23), consistency: { from: 23, to: 30, proof: longer.tree.consistencyProof(23, 30).map(b64) } };
    expect(verifyLogEvidence(evidence, key.jwks, { trustedCheckpoint: checkpointOf(key, longer.tree, 30) })).toMatchObject({
      ok: true,
      trusted: { size: 30, consistent: true },
    });
  });

  it("fails when the trusted tree was rewritten since, or the proof is missing or for other sizes", () => {
    const rewritten = verifyLogEvidence(withConsistency(12, 23), key.jwks, { trustedCheckpoint: checkpointOf(key, forked.tree, 12) });
    expect(rewritten).toMatchObject({ ok: false, trusted: { size: 12, consistent: false } });
    expect(rewritten.problems.join()).toMatch(/rewritten/);
    expect(verifyLogEvidence(original, key.jwks, { trustedCheckpoint: checkpointOf(key, log.tree, 7) }).problems.join()).toMatch(/no consistency proof/);
    expect(verifyLogEvidence(withConsistency(8, 23), key.jwks, { trustedCheckpoint: checkpointOf(key, log.tree, 7) }).ok).toBe(false);
    expect(verifyLogEvidence(original, key.jwks, { trustedCheckpoint: checkpointOf(key, forked.tree, 23) }).trusted).toEqual({ size: 23, consistent: false });
    expect(verifyLogEvidence(original, key.jwks, { trustedCheckpoint: checkpointOf(other, log.tree, 7) }).problems.join()).toMatch(
      /trusted checkpoint does not verify/,
    );
  });
});
