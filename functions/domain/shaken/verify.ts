import "reflect-metadata";
import { createHash } from "node:crypto";
import { BasicConstraintsExtension, PemConverter, X509Certificate } from "@peculiar/x509";
import { compactVerify, importX509 } from "jose";
import { finding, type Finding } from "./findings.js";
import { parseIdentityHeader } from "./identity.js";
import { hasTnAuthList, readSpc } from "./tnauthlist.js";

export interface VerifyContext {
  /** When the traced call was placed: the reference for `iat` and for certificate validity. */
  callTime: Date;
  /** E.164 digits with or without `+`; compared after both sides are reduced to digits. */
  callingNumber: string;
  calledNumber: string;
  iatToleranceSeconds: number;
  trustAnchors: X509Certificate[];
  /** Fetches the certificate named by x5u: DER, or PEM possibly followed by intermediates. */
  getCertificate: (x5u: string) => Promise<Uint8Array | undefined>;
}

export interface IdentityVerification {
  signatureValid: boolean;
  chainValid: boolean;
  attest?: string;
  origid?: string;
  iat?: number;
  spc?: string;
  x5u?: string;
  /** Hex SHA-256 of the leaf certificate's DER. */
  certificateSha256?: string;
  /** The fetched certificates as PEM, leaf first, kept because x5u URLs do not last. */
  certificatePem?: string;
  findings: Finding[];
}

const MAX_CHAIN_DEPTH = 4;

function digits(value: string): string {
  return value.replace(/\D/g, "");
}

function parseCertificates(bytes: Uint8Array): X509Certificate[] | undefined {
  try {
    const copy = new Uint8Array(bytes);
    const text = Buffer.from(copy).toString("latin1");
    if (text.includes("-----BEGIN")) {
      const certs = PemConverter.decodeWithHeaders(text)
        .filter((s) => s.type === "CERTIFICATE")
        .map((s) => new X509Certificate(s.rawData));
      return certs.length > 0 ? certs : undefined;
    }
    return [new X509Certificate(copy)];
  } catch {
    return undefined;
  }
}

async function signedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    // Raw SPKI bytes rather than the PublicKey object: anchors may come from another copy of the
    // library (ESM and CJS builds), where instanceof checks inside verify() would fail.
    return await cert.verify({ publicKey: issuer.publicKey.rawData, signatureOnly: true });
  } catch {
    return false;
  }
}

function isCa(cert: X509Certificate): boolean {
  try {
    return cert.getExtension(BasicConstraintsExtension)?.ca === true;
  } catch {
    return false;
  }
}

function validAt(cert: X509Certificate, at: Date): boolean {
  const t = at.getTime();
  return cert.notBefore.getTime() <= t && t <= cert.notAfter.getTime();
}

async function findIssuer(cert: X509Certificate, candidates: readonly X509Certificate[]): Promise<X509Certificate | undefined> {
  for (const candidate of candidates) {
    if (await signedBy(cert, candidate)) return candidate;
  }
  return undefined;
}

async function validateChain(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  at: Date,
): Promise<{ valid: boolean; findings: Finding[] }> {
  const findings: Finding[] = [];
  const path: X509Certificate[] = [leaf];
  let trusted = false;
  let current = leaf;
  for (let depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
    const anchor = await findIssuer(current, anchors);
    if (anchor !== undefined) {
      path.push(anchor);
      trusted = true;
      break;
    }
    const remaining = intermediates.filter((c) => !path.includes(c));
    const next = await findIssuer(current, remaining);
    if (next === undefined) {
      findings.push(
        finding("untrusted_chain", "critical", `no trust anchor or supplied intermediate issued "${current.subject}" (issuer "${current.issuer}")`),
      );
      break;
    }
    if (!isCa(next)) {
      findings.push(finding("untrusted_chain", "critical", `intermediate "${next.subject}" is not a CA certificate`));
      break;
    }
    path.push(next);
    current = next;
  }
  if (!trusted && findings.length === 0) {
    findings.push(finding("untrusted_chain", "critical", `chain longer than ${MAX_CHAIN_DEPTH} intermediates`));
  }

  let allValid = true;
  for (const cert of path) {
    if (!validAt(cert, at)) {
      allValid = false;
      findings.push(
        finding(
          "certificate_expired",
          "critical",
          `"${cert.subject}" valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not at call time ${at.toISOString()}`,
        ),
      );
    }
  }
  return { valid: trusted && allValid, findings };
}

async function verifySignature(compact: string, leafPem: string): Promise<Finding | undefined> {
  let key: Awaited<ReturnType<typeof importX509>>;
  try {
    key = await importX509(leafPem, "ES256");
  } catch {
    return finding("invalid_signature", "critical", "the certificate's key cannot verify ES256 (not a P-256 key)");
  }
  try {
    await compactVerify(compact, key, { algorithms: ["ES256"] });
    return undefined;
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown";
    return finding("invalid_signature", "critical", `PASSporT signature does not verify with the x5u certificate (${code})`);
  }
}

function checkClaims(claims: { orig?: { tn?: string }; dest?: { tn?: string[] }; iat?: number }, ctx: VerifyContext, findings: Finding[]): void {
  const callSeconds = Math.floor(ctx.callTime.getTime() / 1000);
  if (claims.iat === undefined) {
    findings.push(finding("stale_iat", "warning", "PASSporT has no iat"));
  } else if (Math.abs(claims.iat - callSeconds) > ctx.iatToleranceSeconds) {
    findings.push(
      finding("stale_iat", "warning", `iat ${claims.iat} is ${claims.iat - callSeconds} s from the call time (tolerance ${ctx.iatToleranceSeconds} s)`),
    );
  }

  const calling = digits(ctx.callingNumber);
  const origTn = claims.orig?.tn;
  if (origTn === undefined) {
    findings.push(finding("calling_number_mismatch", "critical", "PASSporT has no orig.tn"));
  } else if (digits(origTn) !== calling) {
    findings.push(finding("calling_number_mismatch", "critical", `orig.tn ${origTn} is not the calling number ${ctx.callingNumber}`));
  }

  const called = digits(ctx.calledNumber);
  const destTns = claims.dest?.tn ?? [];
  if (!destTns.some((tn) => digits(tn) === called)) {
    findings.push(
      finding(
        "called_number_mismatch",
        "warning",
        destTns.length === 0 ? "PASSporT has no dest.tn" : `dest.tn ${destTns.join(", ")} does not include the called number ${ctx.calledNumber}`,
      ),
    );
  }
}

async function run(raw: string, ctx: VerifyContext, result: IdentityVerification): Promise<void> {
  const parsed = parseIdentityHeader(raw);
  if (!parsed.ok) {
    result.findings.push(...parsed.findings);
    return;
  }
  const { header, claims, params } = parsed;
  const findings = result.findings;
  findings.push(...parsed.findings);
  result.x5u = header.x5u;
  if (claims.attest !== undefined) result.attest = claims.attest;
  if (claims.origid !== undefined) result.origid = claims.origid;
  if (claims.iat !== undefined) result.iat = claims.iat;

  let algOk = true;
  if (header.alg !== "ES256") {
    algOk = false;
    findings.push(finding("unsupported_alg", "critical", `PASSporT alg ${header.alg} is not ES256`));
  }
  if (params.alg !== undefined && params.alg !== "ES256") {
    findings.push(finding("unsupported_alg", "warning", `Identity header alg parameter ${params.alg} is not ES256`));
  }

  if (params.info === undefined) {
    findings.push(finding("info_x5u_mismatch", "warning", "Identity header has no info parameter"));
  } else if (params.info !== header.x5u) {
    findings.push(finding("info_x5u_mismatch", "warning", `info <${params.info}> differs from x5u ${header.x5u}`));
  }

  checkClaims(claims, ctx, findings);

  let bytes: Uint8Array | undefined;
  try {
    bytes = await ctx.getCertificate(header.x5u);
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length === 0) {
    findings.push(finding("certificate_unavailable", "critical", `no certificate could be fetched from ${header.x5u}`));
    return;
  }
  const certs = parseCertificates(bytes);
  const leaf = certs?.[0];
  if (certs === undefined || leaf === undefined) {
    findings.push(finding("certificate_unavailable", "critical", `the content at ${header.x5u} is not an X.509 certificate`));
    return;
  }

  const leafPem = leaf.toString("pem");
  result.certificateSha256 = createHash("sha256").update(new Uint8Array(leaf.rawData)).digest("hex");
  result.certificatePem = certs.map((c) => c.toString("pem")).join("\n") + "\n";

  const spc = readSpc(leaf);
  if (spc !== undefined) result.spc = spc;
  else {
    findings.push(
      finding("missing_tnauthlist", "warning", hasTnAuthList(leaf) ? "TNAuthList extension holds no readable SPC" : "certificate has no TNAuthList extension"),
    );
  }

  if (algOk) {
    const signatureProblem = await verifySignature(parsed.compact, leafPem);
    if (signatureProblem === undefined) result.signatureValid = true;
    else findings.push(signatureProblem);
  }

  const chain = await validateChain(leaf, certs.slice(1), ctx.trustAnchors, ctx.callTime);
  result.chainValid = chain.valid;
  findings.push(...chain.findings);
}

/**
 * Verifies one Identity header as evidence for a traceback: judged at the call time, keeping the
 * certificate, and recording every problem as a finding. Never throws.
 */
export async function verifyIdentity(raw: string, ctx: VerifyContext): Promise<IdentityVerification> {
  const result: IdentityVerification = { signatureValid: false, chainValid: false, findings: [] };
  try {
    await run(raw, ctx, result);
  } catch (error) {
    result.signatureValid = false;
    result.chainValid = false;
    const reason = error instanceof Error ? error.name : "unknown error";
    result.findings.push(finding("malformed_identity", "critical", `verification could not complete (${reason})`));
  }
  return result;
}
