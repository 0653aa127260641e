/** Signed notes against the Go reference vectors, and the log's checkpoints built on them. */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkpointText,
  InvalidCheckpointError,
  logVerifierKeys,
  parseCheckpointText,
  signCheckpoint,
  verifyCheckpoint,
} from "../../functions/crypto/checkpoint.js";
import { leafHash } from "../../functions/crypto/merkle/hashing.js";
import {
  cosignatureTime,
  cosignNoteText,
  formatNote,
  isStrongEd25519Key,
  keyId,
  MalformedNoteError,
  parseNote,
  SIGNATURE_TYPE,
  signNoteText,
  verifierKey,
  verifyCosignature,
  verifyNoteSignature,
} from "../../functions/crypto/signed-note.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/merkle/signed-note.json", import.meta.url), "utf8"));
const ORIGIN = "api.hoptrace.example/log";

function keyFromNoteSkey(skey: string) {
  // PRIVATE+KEY+<name>+<key ID>+<base64>, where the base64 may hold plus signs itself.
  const [, , name, , ...rest] = skey.split("+");
  const seed = Buffer.from(rest.join("+"), "base64").subarray(1);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
  const jwk = privateKey.export({ format: "jwk" }) as { x: string };
  return { name: name!, privateKey, publicKey: new Uint8Array(Buffer.from(jwk.x, "base64url")), publicJwk: { kty: "OKP", crv: "Ed25519", x: jwk.x } };
}

function newHubKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" }) as { x: string };
  return {
    privateKey,
    publicJwk: { kty: "OKP" as const, crv: "Ed25519" as const, x: jwk.x },
    jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: jwk.x, kid: "hub-1" }] },
  };
}

const head = { origin: ORIGIN, size: 20852163, rootHash: leafHash(Buffer.from("root")) };

describe("C2SP signed notes (golang.org/x/mod/sumdb/note vectors)", () => {
  const peter = keyFromNoteSkey(vectors.ed25519.skey);

  it("derives the reference key ID and verifier key", () => {
    expect(keyId(peter.name, SIGNATURE_TYPE.ed25519, peter.publicKey).toString(16)).toBe("c74f20a3");
    expect(verifierKey(peter.name, SIGNATURE_TYPE.ed25519, peter.publicKey)).toBe(vectors.ed25519.vkey);
  });

  it("signs the reference text to the reference note, byte for byte", () => {
    const note = formatNote({ text: vectors.ed25519.text, signatures: [signNoteText(peter.name, peter, vectors.ed25519.text)] });
    expect(note).toBe(vectors.ed25519.signed);
  });

  it("opens the reference note, keeping an unknown signer's line apart", () => {
    const parsed = parseNote(vectors.ed25519.signed.trimEnd() + "\n" + vectors.ed25519.otherSignatureLine);
    expect(parsed.text).toBe(vectors.ed25519.text);
    expect(parsed.signatures.map((s) => s.name)).toEqual(["PeterNeumann", "EnochRoot"]);
    expect(verifyNoteSignature(parsed.signatures[0]!, parsed.text, peter.publicKey)).toBe(true);
    expect(verifyNoteSignature(parsed.signatures[1]!, parsed.text, peter.publicKey)).toBe(false);
    const enoch = Buffer.from(vectors.ed25519.otherVkey.split("+").slice(2).join("+"), "base64").subarray(1);
    expect(verifyNoteSignature(parsed.signatures[1]!, parsed.text, new Uint8Array(enoch))).toBe(true);
  });

  it("reads the time of the reference cosignature/v1", () => {
    const raw = Buffer.from(vectors.cosignatureV1.signature, "base64");
    expect(cosignatureTime({ name: "w", keyId: raw.readUInt32BE(0), bytes: new Uint8Array(raw.subarray(4)) })).toBe(vectors.cosignatureV1.timestamp);
  });

  it("signs and verifies a cosignature/v1 over its time", () => {
    const text = "test\n123\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n";
    const sig = cosignNoteText(peter.name, peter, text, 1727964367);
    expect(sig.keyId).toBe(keyId(peter.name, SIGNATURE_TYPE.cosignatureV1, peter.publicKey));
    expect(verifyCosignature(sig, text, peter.publicKey)).toBe(1727964367);
    const later = Uint8Array.from(sig.bytes);
    later[7]! ^= 1;
    expect(verifyCosignature({ ...sig, bytes: later }, text, peter.publicKey)).toBeUndefined();
    expect(verifyCosignature(sig, text.replace("123", "124"), peter.publicKey)).toBeUndefined();
  });

  it.each([
    ["no signature block", vectors.ed25519.text],
    ["a text without its blank line", vectors.ed25519.text + "\n"],
    ["a signature line without its newline", vectors.ed25519.signed.slice(0, -1)],
    ["a control character", "\u0001" + vectors.ed25519.signed],
    ["a key name with a space", vectors.ed25519.signed.replace("PeterNeumann", "Peter Neumann")],
    ["a line that is no signature", vectors.ed25519.signed + "Unexpected line.\n"],
    ["non-canonical base64", vectors.ed25519.signed.replace("AM=\n", "AN=\n")],
  ])("refuses %s", (_name, note) => {
    expect(() => parseNote(note)).toThrow(MalformedNoteError);
  });
});

describe("weak keys", () => {
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const nonCanonical = new Uint8Array(32).fill(0xff);
  nonCanonical[31] = 0x7f;

  it("are not keys anyone can be held to", () => {
    expect(isStrongEd25519Key(identity)).toBe(false);
    expect(isStrongEd25519Key(new Uint8Array(32))).toBe(false);
    expect(isStrongEd25519Key(nonCanonical)).toBe(false);
    expect(isStrongEd25519Key(newHubKeyBytes())).toBe(true);
  });

  it("cannot vouch for a checkpoint, although R = identity, S = 0 satisfies the RFC 8032 equation for them", () => {
    const text = checkpointText(head);
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    const timed = new Uint8Array(72);
    timed.set(forged, 8);
    const note = formatNote({
      text,
      signatures: [
        { name: ORIGIN, keyId: keyId(ORIGIN, SIGNATURE_TYPE.ed25519, identity), bytes: forged },
        { name: ORIGIN, keyId: keyId(ORIGIN, SIGNATURE_TYPE.cosignatureV1, identity), bytes: timed },
      ],
    });
    const jwks = { keys: [{ kty: "OKP", crv: "Ed25519", x: Buffer.from(identity).toString("base64url"), kid: "weak" }] };
    expect(() => verifyCheckpoint(note, jwks)).toThrow(/no signature by a key/);
  });
});

describe("malleated signatures", () => {
  it("do not verify: S + L is the same signature to a lax verifier, not to this one", () => {
    const hub = newHubKey();
    const signer = { privateKey: hub.privateKey, publicKey: new Uint8Array(Buffer.from(hub.publicJwk.x, "base64url")) };
    const text = checkpointText(head);
    const sig = signNoteText(ORIGIN, signer, text);
    expect(verifyNoteSignature(sig, text, signer.publicKey)).toBe(true);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = BigInt(`0x${Buffer.from(sig.bytes.subarray(32)).reverse().toString("hex")}`) + L;
    const malleated = Uint8Array.from(sig.bytes);
    malleated.set(Buffer.from(s.toString(16).padStart(64, "0"), "hex").reverse(), 32);
    expect(verifyNoteSignature({ ...sig, bytes: malleated }, text, signer.publicKey)).toBe(false);
  });
});

function newHubKeyBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(newHubKey().publicJwk.x, "base64url"));
}

describe("checkpoints", () => {
  const hub = newHubKey();

  it("are a tlog-checkpoint body with the hub's plain and timestamped signatures", () => {
    const note = signCheckpoint(hub, head, 1_717_430_400);
    const [body, signatures] = note.split("\n\n");
    expect(body).toBe(`${ORIGIN}\n20852163\n${Buffer.from(head.rootHash).toString("base64")}`);
    expect(signatures!.trimEnd().split("\n")).toHaveLength(2);
    const verified = verifyCheckpoint(note, hub.jwks, { origin: ORIGIN });
    expect(verified).toMatchObject({ origin: ORIGIN, size: 20852163, timestamp: 1_717_430_400, kid: "hub-1" });
    expect(Buffer.from(verified.rootHash).equals(Buffer.from(head.rootHash))).toBe(true);
  });

  it("verify with the published C2SP verifier keys too (what a note-based witness is configured with)", () => {
    const vkeys = logVerifierKeys(ORIGIN, hub.publicJwk);
    expect(vkeys.ed25519.startsWith(`${ORIGIN}+`)).toBe(true);
    const note = parseNote(signCheckpoint(hub, head, 1));
    const [, id, ...material] = vkeys.ed25519.split("+");
    expect(note.signatures[0]!.keyId.toString(16).padStart(8, "0")).toBe(id);
    expect(Buffer.from(material.join("+"), "base64")[0]).toBe(SIGNATURE_TYPE.ed25519);
    expect(verifyNoteSignature(note.signatures[0]!, note.text, new Uint8Array(Buffer.from(material.join("+"), "base64").subarray(1)))).toBe(true);
  });

  it("ignore a witness's cosignature next to the hub's", () => {
    const witness = newHubKey();
    const note = signCheckpoint(hub, head, 5);
    const parsed = parseNote(note);
    const signer = { privateKey: witness.privateKey, publicKey: new Uint8Array(Buffer.from(witness.publicJwk.x, "base64url")) };
    const cosigned = formatNote({ text: parsed.text, signatures: [...parsed.signatures, cosignNoteText("witness.example/w1", signer, parsed.text, 6)] });
    expect(verifyCheckpoint(cosigned, hub.jwks).timestamp).toBe(5);
  });

  it.each([
    ["another tree size", (n: string) => n.replace("\n20852163\n", "\n20852164\n")],
    [
      "another root",
      (n: string) => n.replace(/\n([A-Za-z0-9+/]{43}=)\n/, (_m, r: string) => `\n${Buffer.from(leafHash(Buffer.from(r))).toString("base64")}\n`),
    ],
    ["another origin", (n: string) => n.replaceAll(ORIGIN, "evil.example/log")],
    ["an extension line", (n: string) => n.replace("\n\n", "\nextension\n\n")],
    [
      "the timestamped signature dropped",
      (n: string) =>
        n
          .split("\n")
          .filter((_l, i) => i !== 5)
          .join("\n"),
    ],
    [
      "the plain signature dropped",
      (n: string) =>
        n
          .split("\n")
          .filter((_l, i) => i !== 4)
          .join("\n"),
    ],
    ["a signature line doubled", (n: string) => n + n.split("\n")[4] + "\n"],
    ["a flipped signature byte", (n: string) => n.replace(/(\u2014 \S+ )(\S)/, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A"))],
  ])("refuse %s", (_name, tamper) => {
    const note = signCheckpoint(hub, head, 1_717_430_400);
    expect(() => verifyCheckpoint(tamper(note), hub.jwks, { origin: ORIGIN })).toThrow(InvalidCheckpointError);
  });

  it("refuse a checkpoint signed by a key outside the JWKS", () => {
    const other = newHubKey();
    expect(() => verifyCheckpoint(signCheckpoint(other, head, 1), hub.jwks)).toThrow(/no signature by a key/);
  });

  it.each([
    ["a leading zero", `${ORIGIN}\n01\n${Buffer.from(head.rootHash).toString("base64")}\n`],
    ["a short root", `${ORIGIN}\n1\nAAAA\n`],
    ["a negative size", `${ORIGIN}\n-1\n${Buffer.from(head.rootHash).toString("base64")}\n`],
    ["a size past 2^53", `${ORIGIN}\n9999999999999999\n${Buffer.from(head.rootHash).toString("base64")}\n`],
  ])("refuse a body with %s", (_name, text) => {
    expect(() => parseCheckpointText(text)).toThrow(InvalidCheckpointError);
  });
});
