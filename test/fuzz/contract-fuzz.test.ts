/**
 * The contract fuzz, bounded: a fixed seed, every operation several times. `npm run fuzz` runs
 * it for longer (`-- --n 10000`); FUZZ_SEED explores other sequences here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS, runFuzz } from "./contract-fuzz.js";
import { startFuzzHub, type FuzzHub } from "./fuzz-hub.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_241_203);
const ROUNDS = 8;

let hub: FuzzHub;
beforeAll(async () => {
  hub = await startFuzzHub();
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

describe("the contract fuzz", () => {
  it(`finds no 5xx, no error without problem details and no 2xx off the contract (seed ${SEED})`, async () => {
    const summary = await runFuzz({ seed: SEED, n: OPERATIONS.length * ROUNDS, world: hub.world, send: hub.send });
    expect(summary.sent).toBe(OPERATIONS.length * ROUNDS);
    expect(Object.keys(summary.byOperation).sort()).toEqual(OPERATIONS.map((o) => o.id).sort());
    // Some of every kind of answer: the fuzz reaches past the signature check and the schemas.
    expect(Object.keys(summary.byStatus)).toEqual(expect.arrayContaining(["200", "201", "400", "401", "404", "422"]));
    expect(summary.findings).toEqual([]);
  }, 60_000);
});
