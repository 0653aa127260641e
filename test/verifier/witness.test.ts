/** The witness accepts a log that only grows, and alarms on every fork, rollback or forgery. */
import { describe, expect, it } from "vitest";
import { isAlarm, judge, type WitnessedCheckpoint } from "../../functions/verifier/witness.js";
import { buildLog, checkpointOf, hubKey } from "./evidence-fixture.js";

const key = hubKey();
const log = buildLog(40);
const forked = buildLog(40, { forkAt: 3 });

function seen(size: number): WitnessedCheckpoint {
  const v = judge(undefined, checkpointOf(key, log.tree, size), undefined, key.jwks);
  if (v.kind !== "first") throw new Error(v.kind);
  return v.accepted;
}

describe("the witness", () => {
  it("accepts the first checkpoint it sees, then an unchanged one, then one that extends it", () => {
    const first = seen(10);
    expect(first).toMatchObject({ size: 10 });
    expect(judge(first, checkpointOf(key, log.tree, 10, 1_800_000_000), undefined, key.jwks)).toMatchObject({
      kind: "unchanged",
      accepted: { timestamp: 1_800_000_000 },
    });
    const next = judge(first, checkpointOf(key, log.tree, 25), log.tree.consistencyProof(10, 25), key.jwks);
    expect(next).toMatchObject({ kind: "advanced", accepted: { size: 25 } });
    expect(isAlarm(next)).toBe(false);
  });

  it("alarms on a fork: another tree of the same size", () => {
    const v = judge(seen(10), checkpointOf(key, forked.tree, 10), undefined, key.jwks);
    expect(v.kind).toBe("fork");
    expect(isAlarm(v)).toBe(true);
  });

  it("alarms on a fork: a larger tree that does not extend the one seen, whatever proof comes with it", () => {
    const last = seen(10);
    const next = checkpointOf(key, forked.tree, 30);
    expect(judge(last, next, forked.tree.consistencyProof(10, 30), key.jwks).kind).toBe("fork");
    expect(judge(last, next, log.tree.consistencyProof(10, 30), key.jwks).kind).toBe("fork");
    expect(judge(last, next, undefined, key.jwks).kind).toBe("fork");
  });

  it("alarms on a rollback, even to a prefix of the tree seen", () => {
    expect(judge(seen(20), checkpointOf(key, log.tree, 19), undefined, key.jwks)).toMatchObject({ kind: "rollback" });
  });

  it("alarms on a checkpoint the hub did not sign, or of another log", () => {
    const last = seen(10);
    const other = hubKey();
    expect(judge(last, checkpointOf(other, log.tree, 12), log.tree.consistencyProof(10, 12), key.jwks).kind).toBe("invalid");
    expect(
      judge(last, checkpointOf(key, log.tree, 12).replaceAll("api.hoptrace.example/log", "evil.example/log"), log.tree.consistencyProof(10, 12), key.jwks).kind,
    ).toBe("invalid");
    expect(judge(last, "garbage", undefined, key.jwks).kind).toBe("invalid");
  });
});
