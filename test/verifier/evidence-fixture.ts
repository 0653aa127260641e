/** A small log in memory, with entries of every kind, their statements and signed checkpoints. */
import { generateKeyPairSync } from "node:crypto";
import { signCheckpoint } from "../../functions/crypto/checkpoint.js";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import { MemoryTree } from "../../functions/crypto/merkle/memory-tree.js";
import { encodeEntry, newEntry, statementBytes, type LogEntry, type StatementKind } from "../../functions/domain/log/entry.js";

export const ORIGIN = "api.hoptrace.example/log";

export function hubKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = (publicKey.export({ format: "jwk" }) as { x: string }).x;
  return { privateKey, publicJwk: { x }, jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x, kid: `hub-${x.slice(0, 6)}` }] } };
}

export interface Logged {
  entry: LogEntry;
  statement: unknown;
}

export function statementOf(kind: StatementKind, i: number): unknown {
  if (kind === "request")
    return {
      method: "POST",
      targetUri: `https://api.hoptrace.example/v1/hop-requests/hop_${i}/answer`,
      headers: { signature: `sig1=:${Buffer.from(`s${i}`).toString("base64")}:` },
      body: `{"type":"no_record","n":${i}}`,
    };
  if (kind === "receipt") return `eyJhbGciOiJFZERTQSJ9.eyJqdGkiOiJyZXFfJHtpfSJ9.c2lnJHtpfQ${i}`;
  return { type: "next_hop", tracebackId: "tb_1", seq: i };
}

export function buildLog(n: number, opts: { forkAt?: number } = {}): { logged: Logged[]; tree: MemoryTree } {
  const kinds: StatementKind[] = ["request", "receipt", "decision"];
  const logged = Array.from({ length: n }, (_, i) => {
    const kind = kinds[i % 3]!;
    const statement = i === opts.forkAt ? { type: "rewritten", seq: i } : statementOf(kind, i);
    const actualKind = i === opts.forkAt ? "decision" : kind;
    const entry = newEntry(
      { kind: actualKind, id: `st_${i}`, subject: "tb_1", time: new Date(Date.UTC(2024, 5, 3, 16, 0, i)), bytes: statementBytes(actualKind, statement)! },
      new Uint8Array(16).fill(i),
    );
    return { entry, statement };
  });
  return { logged, tree: new MemoryTree(logged.map((l) => leafHash(encodeEntry(l.entry)))) };
}

export const checkpointOf = (key: ReturnType<typeof hubKey>, tree: MemoryTree, size = tree.size, time = 1_717_430_400 + size) =>
  signCheckpoint(key, { origin: ORIGIN, size, rootHash: tree.root(size) }, time);

export const b64 = (h: Uint8Array) => Buffer.from(h).toString("base64");

export function evidenceFor(key: ReturnType<typeof hubKey>, log: { logged: Logged[]; tree: MemoryTree }, indexes: number[], size = log.tree.size) {
  return {
    checkpoint: checkpointOf(key, log.tree, size),
    entries: indexes.map((i) => ({
      entry: log.logged[i]!.entry,
      index: i,
      proof: log.tree.inclusionProof(i, size).map(b64),
      statement: log.logged[i]!.statement,
    })),
  };
}
