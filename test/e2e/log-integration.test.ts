/**
 * The embedded hub integrates what it logs by itself: each append wakes the integrator, so a
 * receipt's entry can be proved moments after the write, long before the background interval
 * (one minute here) would have come round. The Lambda handler runs the same integration.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../functions/crypto/checkpoint.js";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import { verifyInclusion } from "../../functions/crypto/merkle/verify.js";
import { verifyReceipt } from "../../functions/crypto/receipt.js";
import { encodeEntry, requestEntry } from "../../functions/domain/log/entry.js";
import { CALL, startTestHub, type TestHub } from "../support/hub.js";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
});
afterAll(async () => {
  await t?.stop();
});

describe("integration on the embedded hub", () => {
  it("proves a write's entry within seconds, from its receipt alone", async () => {
    const provider = await t.registerProvider("Integrated Carrier");
    const initiator = await t.registerInitiator("Integrated AG");
    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await initiator.api.post("/v1/tracebacks", { ...CALL, terminatingProviderId: provider.id });
      const written = performance.now();
      expect(res.status).toBe(201);
      const receipt = res.headers.get("hoptrace-receipt")!;
      const claims = await verifyReceipt(receipt, jwks);
      let proof: Response;
      for (;;) {
        proof = await fetch(`${t.url}/log/v1/proofs/inclusion?statementId=${encodeURIComponent(claims.log!.id)}`);
        if (proof.status === 200) break;
        expect(proof.status).toBe(409);
        expect(performance.now() - written).toBeLessThan(5_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      delays.push(performance.now() - written);
      const body = (await proof.json()) as { index: number; treeSize: number; proof: string[]; checkpoint: string };
      const leaf = leafHash(encodeEntry(requestEntry(claims.log!, receipt)));
      const root = readCheckpoint(body.checkpoint).rootHash;
      expect(
        verifyInclusion(
          body.index,
          body.treeSize,
          leaf,
          body.proof.map((h) => new Uint8Array(Buffer.from(h, "base64"))),
          root,
        ),
      ).toBe(true);
    }
    expect(Math.max(...delays)).toBeLessThan(5_000);
  });
});
