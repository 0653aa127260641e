/**
 * The offline verifier against tampering, on a real bundle of a real embedded hub: the bundle
 * as served verifies, and each of 1,200 seeded mutations of it is refused: byte flips in
 * request bodies, signatures, receipts, responses, certificates and the hub's decisions;
 * swapped, dropped or moved hops and statements; altered times and deadlines; replaced keys and
 * a foreign JWKS; truncated or padded proofs; a checkpoint of another tree, or an older one of
 * the same log.
 */
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint, signCheckpoint } from "../../functions/crypto/checkpoint.js";
import { generateSigningKey, jwkThumbprint } from "../../functions/crypto/keys.js";
import { publicJwks } from "../../functions/crypto/receipt.js";
import { verifyBundle } from "../../functions/verifier/bundle.js";
import { keyProof } from "../../openapi/client/registration.js";
import { startTestHub, type TestHub } from "../support/hub.js";
import { bundleOf, evidenceWorld, traceThrough } from "../support/evidence.js";

type Bundle = any;
const RUNS = 1200;

let t: TestHub;
let original: Bundle;
/** The bundle as served, as JSON: each mutated copy is made from it and compared with it. */
let originalJson: string;
let jwks: { keys: object[] };
/** A checkpoint the hub really signed, of the log before this traceback. */
let earlier: string;
/** A checkpoint of another tree of the same size, signed with the hub's own key (as a hub forking its log would). */
let forked: string;
/** A key pair nobody registered, and its JWKS. */
let stranger: Awaited<ReturnType<typeof generateSigningKey>>;
let strangerJwks: { keys: object[] };

beforeAll(async () => {
  t = await startTestHub({ background: true, sweepIntervalMs: 60_000, env: { LOG_LEVEL: "ERROR" } });
  const w = await evidenceWorld(t);
  jwks = w.jwks;
  earlier = ((await (await fetch(`${t.url}/log/v1/checkpoint`)).json()) as { checkpoint: string }).checkpoint;
  const tbId = await traceThrough(w);
  original = await bundleOf(w.initiator.api, tbId);
  originalJson = JSON.stringify(original);
  const head = readCheckpoint(original.log.checkpoint);
  const other = new Uint8Array(head.rootHash);
  other[0]! ^= 0x80;
  forked = signCheckpoint(t.hub.runtime.deps.transparencyLog.hubKey, { origin: head.origin, size: head.size, rootHash: other }, (head.timestamp ?? 0) + 1);
  stranger = await generateSigningKey();
  strangerJwks = publicJwks([{ publicJwk: stranger.publicJwk, kid: (jwks.keys[0] as { kid: string }).kid }]);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** The string with one character changed, at a position chosen by `n` inside [from, to). */
function flip(s: string, n: number, from = 0, to = s.length): string {
  const i = from + (n % Math.max(1, to - from));
  const c = s[i]!;
  const next = ALPHABET[(ALPHABET.indexOf(c) + 1 + (n % 7)) % ALPHABET.length]!;
  return s.slice(0, i) + (next === c ? (c === "A" ? "B" : "A") : next) + s.slice(i + 1);
}
const shift = (iso: string, n: number) => new Date(Date.parse(iso) + (1 + (n % 3_600_000)) * (n % 2 ? 1 : -1)).toISOString();
const pick = (xs: any[], n: number): any => xs[n % xs.length];
const answered = (b: Bundle) => [...b.chain.hops, ...(b.chain.signerInquiries ?? [])].filter((h: any) => h.answer);
/** A request's target, so a mutation can choose requests of one kind. */
const requestsTo = (b: Bundle, suffix: string) => b.requests.filter((r: any) => r.request.targetUri.endsWith(suffix));

/** Each mutation changes the bundle in place and may give the JWKS to verify with; its name says what it does. */
const MUTATIONS: Array<[string, (b: Bundle, n: number) => { jwks?: { keys: object[] } } | void]> = [
  [
    "a byte of a request body",
    (b, n) => {
      const r = pick(b.requests, n);
      r.request.body = flip(r.request.body, n);
    },
  ],
  [
    "a byte of a request's signature",
    (b, n) => {
      const h = pick(b.requests, n).request.headers;
      h.signature = flip(h.signature, n, h.signature.indexOf(":") + 1, h.signature.lastIndexOf(":") - 2);
    },
  ],
  [
    "a byte of a request's signature parameters",
    (b, n) => {
      const h = pick(b.requests, n).request.headers;
      const created = h["signature-input"].indexOf("created=") + 8;
      h["signature-input"] = flip(h["signature-input"], n, created, created + 10);
    },
  ],
  [
    "a byte of a receipt",
    (b, n) => {
      const r = pick(b.requests, n);
      r.receipt = flip(r.receipt, n, 0, r.receipt.length - 3);
    },
  ],
  [
    "a byte of a response body",
    (b, n) => {
      const r = pick(
        b.requests.filter((x: any) => x.response),
        n,
      );
      r.response.body = flip(r.response.body, n);
    },
  ],
  [
    "a byte of a certificate",
    (b, n) => {
      const c = b.certificates[0];
      c.pem = flip(c.pem, n, 40, c.pem.length - 40);
    },
  ],
  [
    "two hops swapped in the chain",
    (b, n) => {
      const i = n % (b.chain.hops.length - 1);
      [b.chain.hops[i], b.chain.hops[i + 1]] = [b.chain.hops[i + 1], b.chain.hops[i]];
    },
  ],
  [
    "the answers of two hops swapped",
    (b, n) => {
      const hs = b.chain.hops;
      const i = n % hs.length;
      const j = (i + 1 + (n % (hs.length - 1))) % hs.length;
      [hs[i].answer, hs[j].answer] = [hs[j].answer, hs[i].answer];
    },
  ],
  [
    "a hop dropped",
    (b, n) => {
      b.chain.hops.splice(n % b.chain.hops.length, 1);
    },
  ],
  [
    "a hop dropped with its statements and their entries",
    (b, n) => {
      const [hop] = b.chain.hops.splice(n % b.chain.hops.length, 1);
      const gone = new Set(b.requests.filter((r: any) => r.request.targetUri.includes(`/${hop.id}/`)).map((r: any) => r.statementId));
      b.requests = b.requests.filter((r: any) => !gone.has(r.statementId));
      b.log.entries = b.log.entries.filter((e: any) => !gone.has(e.entry.id));
      b.chain.traceback.hopCount -= 1;
    },
  ],
  [
    "a signed request dropped",
    (b, n) => {
      b.requests.splice(n % b.requests.length, 1);
    },
  ],
  [
    "a log entry dropped",
    (b, n) => {
      b.log.entries.splice(n % b.log.entries.length, 1);
    },
  ],
  [
    "a hop's answer edited",
    (b, n) => {
      const h = pick(answered(b), n);
      h.answer.evidence = { ...h.answer.evidence, ingressTrunk: `EDITED-${n}` };
    },
  ],
  [
    "a hop asked of another provider",
    (b, n) => {
      const hs = b.chain.hops;
      const i = n % hs.length;
      hs[i].providerId = hs[(i + 1) % hs.length].providerId;
    },
  ],
  [
    "an amendment edited",
    (b, n) => {
      const h = b.chain.hops.find((x: any) => x.amendments?.length);
      h.amendments[0].reason = flip(h.amendments[0].reason, n);
    },
  ],
  [
    "the outcome changed",
    (b, n) => {
      b.chain.traceback.result.outcome = pick(["point_of_entry_found", "non_responsive_provider", "no_record", "loop_detected", "closed"], n);
    },
  ],
  [
    "the call changed",
    (b, n) => {
      b.chain.traceback.call.callingNumberAsGiven = flip(b.chain.traceback.call.callingNumberAsGiven, n, 1);
    },
  ],
  [
    "a finding dropped or invented",
    (b, n) => {
      const findings = b.chain.findings ?? [];
      b.chain.findings =
        findings.length > 0 && n % 2 ? findings.slice(1) : [...findings, { code: "invalid_signature", severity: "critical", detail: "invented" }];
    },
  ],
  [
    "when a hop was answered",
    (b, n) => {
      const h = pick(answered(b), n);
      h.answeredAt = shift(h.answeredAt, n);
    },
  ],
  [
    "when a hop was asked",
    (b, n) => {
      const h = pick(b.chain.hops, n);
      h.createdAt = shift(h.createdAt, n);
    },
  ],
  [
    "when the traceback was created",
    (b, n) => {
      b.chain.traceback.createdAt = shift(b.chain.traceback.createdAt, n);
    },
  ],
  [
    "when the outcome was decided",
    (b, n) => {
      b.chain.traceback.result.decidedAt = shift(b.chain.traceback.result.decidedAt, n);
    },
  ],
  [
    "when an amendment was made",
    (b, n) => {
      const h = b.chain.hops.find((x: any) => x.amendments?.length);
      h.amendments[0].amendedAt = shift(h.amendments[0].amendedAt, n);
    },
  ],
  [
    "when a statement was logged",
    (b, n) => {
      const e = pick(b.log.entries, n);
      e.entry.time = shift(e.entry.time, n);
    },
  ],
  [
    "a signer's key replaced by another, with its own thumbprint and proof",
    async (b, n) => {
      const r = pick(b.requests, n);
      r.key = {
        accountId: r.key.accountId,
        publicJwk: stranger.publicJwk,
        keyId: await jwkThumbprint(stranger.publicJwk),
        proof: keyProof({ privateKey: stranger.privateKey, keyId: stranger.kid }, r.key.accountId),
      };
    },
  ],
  [
    "a signer's key moved to another account",
    (b, n) => {
      const r = pick(b.requests, n);
      const other = b.requests.find((x: any) => x.key.accountId !== r.key.accountId);
      r.key = { ...r.key, accountId: other.key.accountId };
    },
  ],
  [
    "a signer's key id changed",
    (b, n) => {
      const r = pick(b.requests, n);
      r.key.keyId = flip(r.key.keyId, n);
    },
  ],
  ["the hub's JWKS replaced by another key under the same kid", () => ({ jwks: strangerJwks })],
  [
    "an inclusion proof truncated",
    (b, n) => {
      const e = pick(
        b.log.entries.filter((x: any) => x.proof.length > 0),
        n,
      );
      if (n % 2) e.proof.pop();
      else e.proof.shift();
    },
  ],
  [
    "an inclusion proof extended",
    (b, n) => {
      const e = pick(b.log.entries, n);
      e.proof.push(
        pick(
          b.log.entries.flatMap((x: any) => x.proof),
          n,
        ),
      );
    },
  ],
  [
    "an inclusion proof's hash flipped",
    (b, n) => {
      const e = pick(
        b.log.entries.filter((x: any) => x.proof.length > 0),
        n,
      );
      const k = n % e.proof.length;
      const raw = Buffer.from(e.proof[k], "base64");
      raw[n % 32]! ^= 1 << (n % 8);
      e.proof[k] = raw.toString("base64");
    },
  ],
  [
    "an entry's index moved",
    (b, n) => {
      const e = pick(b.log.entries, n);
      e.index = (e.index + 1 + (n % 5)) % readCheckpoint(b.log.checkpoint).size;
    },
  ],
  [
    "a checkpoint of another tree, signed with the hub's key",
    (b) => {
      b.log.checkpoint = forked;
    },
  ],
  [
    "an older checkpoint of the same log",
    (b) => {
      b.log.checkpoint = earlier;
    },
  ],
  [
    "a checkpoint signed by another key",
    (b) => {
      const head = readCheckpoint(b.log.checkpoint);
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      b.log.checkpoint = signCheckpoint({ privateKey, publicJwk: { x: publicKey.export({ format: "jwk" }).x! } }, head, head.timestamp ?? 0);
    },
  ],
  [
    "a byte of a hub decision",
    (b, n) => {
      const d = pick(b.decisions, n).decision;
      const field = pick(
        Object.keys(d).filter((k) => typeof d[k] === "string" && k !== "type"),
        n,
      );
      d[field] = flip(d[field], n);
    },
  ],
  [
    "a hub decision dropped",
    (b, n) => {
      b.decisions.splice(n % b.decisions.length, 1);
    },
  ],
  [
    "a hub decision dropped with its entry",
    (b, n) => {
      const [d] = b.decisions.splice(n % b.decisions.length, 1);
      b.log.entries = b.log.entries.filter((e: any) => e.entry.id !== d.statementId);
    },
  ],
  [
    "when a hop is due",
    (b, n) => {
      const h = pick(b.chain.hops, n);
      h.deadline.dueAt = shift(h.deadline.dueAt, n);
    },
  ],
  [
    "a request moved to another hop",
    (b, n) => {
      const r = pick(requestsTo(b, "/answer"), n);
      const hops = b.chain.hops;
      const to = pick(hops, n + 1).id;
      r.request.targetUri = r.request.targetUri.replace(/hop_[^/]+/, to === r.request.targetUri.match(/hop_[^/]+/)![0] ? pick(hops, n + 2).id : to);
    },
  ],
];

async function verifyMutated(which: number, n: number): Promise<boolean> {
  const b = JSON.parse(originalJson);
  const given = (await MUTATIONS[which]![1](b, n)) ?? {};
  expect(given.jwks !== undefined || JSON.stringify(b) !== originalJson, `mutation "${MUTATIONS[which]![0]}" (${n}) changed nothing`).toBe(true);
  return (await verifyBundle(b, { jwks: given.jwks ?? jwks })).ok;
}

describe("the offline verifier on a real bundle", () => {
  it("accepts the bundle as served", async () => {
    const report = await verifyBundle(structuredClone(original), { jwks });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it(`refuses every one of ${RUNS} seeded mutations`, async () => {
    const tried = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(MUTATIONS.length - 1), fc.nat(1_000_000), async (which, n) => {
        tried.set(MUTATIONS[which]![0], (tried.get(MUTATIONS[which]![0]) ?? 0) + 1);
        expect(await verifyMutated(which, n), `mutation "${MUTATIONS[which]![0]}" (${n}) was accepted`).toBe(false);
      }),
      { numRuns: RUNS, seed: 20240603, endOnFailure: true },
    );
    expect([...tried.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    // Every kind of mutation was tried.
    expect(tried.size).toBe(MUTATIONS.length);
  }, 300_000);
});
