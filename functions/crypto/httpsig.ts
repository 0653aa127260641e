/**
 * RFC 9421 HTTP Message Signatures with Ed25519. The signature base is rebuilt here from the
 * message and the received Signature-Input, so this module decides exactly which bytes a
 * provider's signature covers; it is tested against the RFC's vectors and an independent
 * implementation rather than depending on one.
 */
import { sign as edSign, type KeyObject } from "node:crypto";
import {
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeKey,
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  type Parameters,
} from "structured-headers";
import { verifyStrict } from "./ed25519.js";

/** The `tag` of signatures made under the Hoptrace profile. */
export const SIGNATURE_TAG = "hoptrace-v1";

export const SIGNATURE_ALG = "ed25519";

/**
 * The components every request must cover under the profile; a request with a body also covers
 * its type and digest, one with an Idempotency-Key the key.
 */
export function requiredComponents(hasBody: boolean, hasIdempotencyKey: boolean): string[] {
  return [
    "@method",
    "@target-uri",
    ...(hasBody ? ["content-type", "content-digest"] : []),
    ...(hasIdempotencyKey ? ["idempotency-key"] : []),
  ];
}

/** Whether a request counts as having a body (and so must cover its digest): any bytes, or a method that sends one. */
export function carriesBody(method: string, bodyBytes: number): boolean {
  return bodyBytes > 0 || ["POST", "PUT", "PATCH"].includes(method);
}

export interface MessageView {
  method?: string;
  targetUri?: string;
  status?: number;
  header(name: string): string | undefined;
}

export interface SignatureParams {
  created?: number;
  expires?: number;
  keyid?: string;
  alg?: string;
  tag?: string;
  nonce?: string;
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

export class SignatureBaseError extends Error {
  constructor(
    readonly code: "missing_component" | "invalid_component" | "invalid_params",
    message: string,
  ) {
    super(message);
    this.name = "SignatureBaseError";
  }
}

type HeaderValue = string | string[] | undefined;

/**
 * A MessageView over a Fetch `Headers` or a plain record. Record lookups ignore case; array values
 * stand for a field sent several times and are combined as RFC 9421 section 2.1 describes.
 */
export function messageFromHeaders(init: {
  method?: string;
  targetUri?: string;
  status?: number;
  headers: Headers | Record<string, HeaderValue>;
}): MessageView {
  const { headers } = init;
  let header: (name: string) => string | undefined;
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    header = (name) => headers.get(name) ?? undefined;
  } else {
    const byName = new Map<string, string[]>();
    for (const [name, value] of Object.entries(headers as Record<string, HeaderValue>)) {
      if (value === undefined) continue;
      const key = name.toLowerCase();
      const values = byName.get(key) ?? [];
      values.push(...(Array.isArray(value) ? value : [value]));
      byName.set(key, values);
    }
    header = (name) => {
      const values = byName.get(name.toLowerCase());
      return values === undefined ? undefined : values.map(normaliseFieldValue).join(", ");
    };
  }
  const view: MessageView = { header };
  if (init.method !== undefined) view.method = init.method;
  if (init.targetUri !== undefined) view.targetUri = init.targetUri;
  if (init.status !== undefined) view.status = init.status;
  return view;
}

/** RFC 9421 section 2.1: trim, and replace obsolete line folding by a single space. */
function normaliseFieldValue(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, " ").trim();
}

function targetUrl(message: MessageView, component: string): URL {
  if (message.targetUri === undefined) {
    throw new SignatureBaseError("missing_component", `${component} needs the target URI`);
  }
  try {
    return new URL(message.targetUri);
  } catch {
    throw new SignatureBaseError("missing_component", `${component}: the target URI is not absolute`);
  }
}

function requestOnly(message: MessageView, component: string): void {
  if (message.status !== undefined) {
    throw new SignatureBaseError("missing_component", `${component} is not defined for responses`);
  }
}

function componentValue(component: string, message: MessageView): string {
  switch (component) {
    case "@method":
      requestOnly(message, component);
      if (message.method === undefined) throw new SignatureBaseError("missing_component", "no method");
      return message.method;
    case "@target-uri":
      requestOnly(message, component);
      if (message.targetUri === undefined) throw new SignatureBaseError("missing_component", "no target URI");
      return message.targetUri;
    case "@authority":
      requestOnly(message, component);
      // URL.host is already lowercased and omits the scheme's default port, as section 2.2.3 asks.
      return targetUrl(message, component).host;
    case "@scheme":
      requestOnly(message, component);
      return targetUrl(message, component).protocol.slice(0, -1);
    case "@path":
      requestOnly(message, component);
      return targetUrl(message, component).pathname || "/";
    case "@query":
      requestOnly(message, component);
      return targetUrl(message, component).search || "?";
    case "@request-target": {
      requestOnly(message, component);
      const url = targetUrl(message, component);
      return `${url.pathname || "/"}${url.search}`;
    }
    case "@status":
      if (message.status === undefined) {
        throw new SignatureBaseError("missing_component", "@status is defined only for responses");
      }
      return String(message.status);
    default: {
      if (component.startsWith("@")) {
        throw new SignatureBaseError("invalid_component", `unsupported derived component ${component}`);
      }
      const value = message.header(component);
      if (value === undefined) {
        throw new SignatureBaseError("missing_component", `header ${component} is absent`);
      }
      return normaliseFieldValue(value);
    }
  }
}

const COMPONENT_NAME = /^(@[a-z-]+|[a-z0-9!#$%&'*+.^_`|~-]+)$/;

function checkComponents(components: readonly string[]): void {
  const seen = new Set<string>();
  for (const component of components) {
    if (!COMPONENT_NAME.test(component) || component === "@signature-params") {
      throw new SignatureBaseError("invalid_component", `invalid component name ${JSON.stringify(component)}`);
    }
    if (seen.has(component)) {
      throw new SignatureBaseError("invalid_component", `component ${component} is covered twice`);
    }
    seen.add(component);
  }
}

const INTEGER_PARAMS = new Set(["created", "expires"]);
const STRING_PARAMS = new Set(["keyid", "alg", "tag", "nonce"]);

/** Keeps the object's own key order, which becomes the order on the wire and in the base. */
function paramsToMap(params: SignatureParams): Parameters {
  const map: Parameters = new Map();
  for (const [name, value] of Object.entries(params) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    if (INTEGER_PARAMS.has(name)) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        throw new SignatureBaseError("invalid_params", `${name} must be a non-negative integer`);
      }
    } else if (STRING_PARAMS.has(name)) {
      if (typeof value !== "string") {
        throw new SignatureBaseError("invalid_params", `${name} must be a string`);
      }
    } else {
      throw new SignatureBaseError("invalid_params", `unknown signature parameter ${name}`);
    }
    map.set(name, value);
  }
  return map;
}

function innerListOf(components: readonly string[], params: Parameters): InnerList {
  return [components.map((component): Item => [component, new Map()]), params];
}

function serializeParams(components: readonly string[], params: Parameters): string {
  try {
    return serializeInnerList(innerListOf(components, params));
  } catch (error) {
    throw new SignatureBaseError("invalid_params", `signature parameters cannot be serialised: ${String(error)}`);
  }
}

/** `signatureParams` is the `@signature-params` value: the Signature-Input member as sent. */
function buildBase(components: readonly string[], signatureParams: string, message: MessageView): string {
  checkComponents(components);
  const lines = components.map(
    (component) => `${serializeItem([component, new Map()])}: ${componentValue(component, message)}`,
  );
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join("\n");
}

export function signatureBase(components: string[], params: SignatureParams, message: MessageView): string {
  return buildBase(components, serializeParams(components, paramsToMap(params)), message);
}

export function verifySignatureBase(base: string, signature: Uint8Array, key: KeyObject): boolean {
  return verifyStrict(Buffer.from(base, "utf8"), signature, key);
}

export function signMessage(opts: {
  label?: string;
  components: string[];
  params: SignatureParams;
  privateKey: KeyObject;
  message: MessageView;
}): { signatureInput: string; signature: string } {
  const { privateKey } = opts;
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw new SignatureBaseError("invalid_params", "signing needs an Ed25519 private key");
  }
  const label = opts.label ?? "sig1";
  const signatureParams = serializeParams(opts.components, paramsToMap(opts.params));
  const base = buildBase(opts.components, signatureParams, opts.message);
  const signature = edSign(null, Buffer.from(base, "utf8"), privateKey);
  return {
    signatureInput: `${serializeKey(label)}=${signatureParams}`,
    signature: serializeDictionary(new Map([[label, [signature, new Map()]]])),
  };
}

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
      throw new Refusal(
        error instanceof SignatureBaseError && error.code === "missing_component" ? "missing_component" : "malformed",
      );
    }
    if (!verifySignatureBase(base, candidate.signature, key)) throw new Refusal("bad_signature");
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
