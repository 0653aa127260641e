/**
 * Verifying RFC 9421 signatures under the Hoptrace profile. The signature base is rebuilt here from
 * the message and the received Signature-Input, so this module decides exactly which bytes a
 * signature covers, for the hub checking a provider's request and for a receiver checking the
 * hub's webhook alike. It is tested against the RFC's vectors and an independent implementation.
 */
import { verify, type KeyObject } from "node:crypto";
import { parseDictionary, serializeInnerList, type BareItem, type Dictionary, type InnerList, type Item } from "structured-headers";
import {
  INTEGER_PARAMS,
  SIGNATURE_ALG,
  STRING_PARAMS,
  SignatureBaseError,
  buildBase,
  checkComponents,
  type MessageView,
  type SignatureParams,
} from "./signature-base.js";

function nodeVerify(base: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  try {
    return verify(null, base, key, signature);
  } catch {
    return false;
  }
}

export type VerifyFailure =
  | "malformed"
  | "missing_component"
  | "wrong_tag"
  | "wrong_alg"
  | "unknown_key"
  | "not_yet_valid"
  | "expired"
  | "lifetime_too_long"
  | "bad_signature";

export type VerifyResult =
  | {
      ok: true;
      keyid: string;
      label: string;
      params: SignatureParams;
      components: string[];
      signatureBase: string;
      signature: Uint8Array;
    }
  | { ok: false; reason: VerifyFailure };

export interface VerifyOptions {
  message: MessageView;
  label?: string;
  resolveKey: (keyid: string) => Promise<KeyObject | undefined>;
  /** Epoch seconds. */
  now: number;
  maxSkewSeconds: number;
  maxLifetimeSeconds: number;
  requiredTag?: string;
  requiredComponents: string[];
  requireExpires?: boolean;
  /** Checks the signature over the base; Node's Ed25519 verify unless the caller is stricter. */
  verifySignature?: (base: Uint8Array, signature: Uint8Array, key: KeyObject) => boolean;
}

interface Candidate {
  label: string;
  components: string[];
  /** The `@signature-params` value, exactly as received. */
  signatureParams: string;
  params: SignatureParams;
  signature: Uint8Array;
}

class Refusal {
  constructor(readonly reason: VerifyFailure) {}
}

function parseHeader(value: string | undefined): Dictionary {
  if (value === undefined) throw new Refusal("malformed");
  try {
    return parseDictionary(value);
  } catch {
    throw new Refusal("malformed");
  }
}

function tagOf(member: Item | InnerList): BareItem | undefined {
  return member[1].get("tag");
}

function chooseLabel(inputs: Dictionary, label: string | undefined, requiredTag: string | undefined): string {
  if (label !== undefined) {
    if (!inputs.has(label)) throw new Refusal("malformed");
    return label;
  }
  const labels = [...inputs.keys()];
  const first = labels[0];
  if (first === undefined) throw new Refusal("malformed");
  if (labels.length === 1 || requiredTag === undefined) return first;
  const tagged = labels.find((candidate) => {
    const member = inputs.get(candidate);
    return member !== undefined && tagOf(member) === requiredTag;
  });
  if (tagged === undefined) throw new Refusal("wrong_tag");
  return tagged;
}

/**
 * The members of a Dictionary field as sent, by key: the field split at the commas that are not
 * inside a String. (Inner lists, tokens and byte sequences contain no comma.) Only used to find a
 * member's own bytes; the parsed dictionary stays the authority on what it means.
 */
function rawMembers(field: string): Map<string, string> {
  const members = new Map<string, string>();
  let start = 0;
  let inString = false;
  for (let i = 0; i <= field.length; i++) {
    const char = field[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "," || char === undefined) {
      const member = field.slice(start, i).replace(/^[ \t]+|[ \t]+$/g, "");
      const equals = member.indexOf("=");
      if (equals > 0) members.set(member.slice(0, equals), member.slice(equals + 1));
      start = i + 1;
    }
  }
  return members;
}

/**
 * The `@signature-params` of the chosen signature: its Signature-Input member exactly as received,
 * which must also be that member's RFC 8941 serialisation. A spelling that parses to the same
 * values but reads differently (`created=1.0`, extra spaces) would let one signature stand for
 * several Signature-Input values, and a base rebuilt from the parsed values would differ from the
 * bytes a third party verifies against; both are refused.
 */
function receivedSignatureParams(field: string, label: string, input: InnerList): string {
  const received = rawMembers(field).get(label);
  let canonical: string;
  try {
    canonical = serializeInnerList(input);
  } catch {
    throw new Refusal("malformed");
  }
  if (received !== canonical) throw new Refusal("malformed");
  return received;
}

/** Reads the chosen signature and refuses anything outside RFC 9421's syntax or our profile. */
function readCandidate(message: MessageView, label: string | undefined, requiredTag: string | undefined): Candidate {
  const inputField = message.header("signature-input");
  const inputs = parseHeader(inputField);
  const signatures = parseHeader(message.header("signature"));
  const chosen = chooseLabel(inputs, label, requiredTag);
  const input = inputs.get(chosen);
  const signatureMember = signatures.get(chosen);
  if (input === undefined || signatureMember === undefined) throw new Refusal("malformed");
  if (!Array.isArray(input[0])) throw new Refusal("malformed");
  if (Array.isArray(signatureMember[0]) || !(signatureMember[0] instanceof ArrayBuffer)) {
    throw new Refusal("malformed");
  }

  const components: string[] = [];
  for (const [value, itemParams] of input[0]) {
    // Component parameters (;sf, ;key, ;req, ...) are outside the profile.
    if (typeof value !== "string" || itemParams.size > 0) throw new Refusal("malformed");
    components.push(value);
  }
  try {
    checkComponents(components);
  } catch {
    throw new Refusal("malformed");
  }

  const signatureParams = receivedSignatureParams(inputField!, chosen, input as InnerList);
  const params: SignatureParams = {};
  for (const [name, value] of input[1]) {
    if (INTEGER_PARAMS.has(name)) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new Refusal("malformed");
      params[name as "created" | "expires"] = value;
    } else if (STRING_PARAMS.has(name)) {
      if (typeof value !== "string") throw new Refusal("malformed");
      params[name as "keyid" | "alg" | "tag" | "nonce"] = value;
    }
  }
  // The profile needs both: keyid to find the key, created to bound replay and lifetime.
  if (params.keyid === undefined || params.created === undefined) throw new Refusal("malformed");

  return { label: chosen, components, signatureParams, params, signature: new Uint8Array(signatureMember[0]) };
}

function checkProfile(candidate: Candidate, opts: VerifyOptions): void {
  const covered = new Set(candidate.components);
  if (!opts.requiredComponents.every((component) => covered.has(component))) {
    throw new Refusal("missing_component");
  }
  if (opts.requiredTag !== undefined && candidate.params.tag !== opts.requiredTag) {
    throw new Refusal("wrong_tag");
  }
  if (candidate.params.alg !== undefined && candidate.params.alg !== SIGNATURE_ALG) {
    throw new Refusal("wrong_alg");
  }
}

function checkWindow(params: SignatureParams, opts: VerifyOptions): void {
  const { now, maxSkewSeconds: skew, maxLifetimeSeconds: lifetime } = opts;
  const created = params.created as number;
  const { expires } = params;
  if (created > now + skew) throw new Refusal("not_yet_valid");
  if (expires === undefined) {
    // Without expires, the allowed lifetime doubles as the maximum age.
    if (opts.requireExpires) throw new Refusal("lifetime_too_long");
    if (now - created > lifetime + skew) throw new Refusal("expired");
    return;
  }
  if (expires < created) throw new Refusal("malformed");
  if (expires < now - skew) throw new Refusal("expired");
  if (expires - created > lifetime) throw new Refusal("lifetime_too_long");
}

/**
 * Verifies one signature of a request or response. Failures are reported as a stable reason and
 * never thrown; only an exception from `resolveKey` itself (a storage fault, not bad input)
 * propagates. Replay and Content-Digest checks are left to the caller.
 */
export async function verifyMessage(opts: VerifyOptions): Promise<VerifyResult> {
  try {
    const candidate = readCandidate(opts.message, opts.label, opts.requiredTag);
    checkProfile(candidate, opts);
    checkWindow(candidate.params, opts);
    const keyid = candidate.params.keyid as string;
    const key = await opts.resolveKey(keyid);
    if (key === undefined) throw new Refusal("unknown_key");
    if (key.asymmetricKeyType !== "ed25519") throw new Refusal("wrong_alg");
    let base: string;
    try {
      base = buildBase(candidate.components, candidate.signatureParams, opts.message);
    } catch (error) {
      throw new Refusal(error instanceof SignatureBaseError && error.code === "missing_component" ? "missing_component" : "malformed");
    }
    if (!(opts.verifySignature ?? nodeVerify)(new TextEncoder().encode(base), candidate.signature, key)) throw new Refusal("bad_signature");
    return {
      ok: true,
      keyid,
      label: candidate.label,
      params: candidate.params,
      components: candidate.components,
      signatureBase: base,
      signature: candidate.signature,
    };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason };
    throw error;
  }
}
