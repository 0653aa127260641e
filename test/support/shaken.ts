import "reflect-metadata";
import { readFileSync } from "node:fs";
import type { webcrypto } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BasicConstraintsExtension, Extension, KeyUsageFlags, KeyUsagesExtension, type X509Certificate, X509CertificateGenerator } from "@peculiar/x509";
import { CompactSign } from "jose";
import { TN_AUTH_LIST_OID } from "../../functions/domain/shaken/tnauthlist.js";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

/** TEST ONLY STIR/SHAKEN material committed with the tests, found from this file, not the working folder. */
export const fixturesDir = fileURLToPath(new URL("../fixtures/shaken/", import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(path.join(fixturesDir, name), "utf8");
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixturesDir, name)));
}

export const CALL = {
  callTime: new Date("2024-06-03T16:00:00Z"),
  callingNumber: "13055550123",
  calledNumber: "12025550143",
};

const EC_ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Issuer {
  cert: X509Certificate;
  keys: CryptoKeyPair;
}

export function tnAuthListDer(spc: string): Uint8Array {
  const ascii = [...Buffer.from(spc, "ascii")];
  return new Uint8Array([0x30, ascii.length + 4, 0xa0, ascii.length + 2, 0x16, ascii.length, ...ascii]);
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"]);
}

let serial = 0x1000;
function nextSerial(): string {
  serial += 1;
  return serial.toString(16).padStart(4, "0");
}

export async function makeRoot(name: string, validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<Issuer> {
  const keys = await generateKeys();
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: validity.notBefore ?? new Date("2024-01-01T00:00:00Z"),
    notAfter: validity.notAfter ?? new Date("2034-01-01T00:00:00Z"),
    keys,
    signingAlgorithm: EC_ALG,
    extensions: [new BasicConstraintsExtension(true, 1, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
  });
  return { cert, keys };
}

export async function makeCertificate(
  issuer: Issuer,
  options: { name: string; spc?: string; ca?: boolean; notBefore?: Date; notAfter?: Date },
): Promise<Issuer> {
  const keys = await generateKeys();
  const extensions: Extension[] = [new BasicConstraintsExtension(options.ca === true, undefined, true)];
  extensions.push(new KeyUsagesExtension(options.ca === true ? KeyUsageFlags.keyCertSign : KeyUsageFlags.digitalSignature, true));
  if (options.spc !== undefined) extensions.push(new Extension(TN_AUTH_LIST_OID, false, tnAuthListDer(options.spc)));
  const cert = await X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${options.name}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date("2024-01-01T00:00:00Z"),
    notAfter: options.notAfter ?? new Date("2034-01-01T00:00:00Z"),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC_ALG,
    extensions,
  });
  return { cert, keys };
}

export const X5U = "https://cert.test-signer.test/shaken/999T.pem";

export interface PassportOptions {
  x5u?: string;
  info?: string;
  attest?: string;
  orig?: string;
  dest?: string[];
  iat?: number;
  origid?: string;
}

export async function signIdentity(privateKey: CryptoKey, options: PassportOptions = {}): Promise<string> {
  const x5u = options.x5u ?? X5U;
  const claims = {
    attest: options.attest ?? "A",
    dest: { tn: options.dest ?? [CALL.calledNumber] },
    iat: options.iat ?? Math.floor(CALL.callTime.getTime() / 1000),
    orig: { tn: options.orig ?? CALL.callingNumber },
    origid: options.origid ?? "3a1f0c52-8d4e-4b6a-9f21-7c0e5d9b8a11",
  };
  const compact = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: "ES256", ppt: "shaken", typ: "passport", x5u })
    .sign(privateKey);
  return `${compact};info=<${options.info ?? x5u}>;alg=ES256;ppt=shaken`;
}

export function pemBytes(...certs: X509Certificate[]): Uint8Array {
  return new TextEncoder().encode(certs.map((c) => c.toString("pem")).join("\n"));
}
