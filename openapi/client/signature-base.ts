/**
 * The RFC 9421 signature base: component values, the serialised signature parameters and the
 * Signature-Input and Signature fields. Nothing here signs or verifies, and nothing needs Node:
 * the hub, the generated client and the browser console build the same bytes with this module,
 * each signing them with its own Ed25519 implementation.
 */
import { serializeDictionary, serializeInnerList, serializeItem, serializeKey, type InnerList, type Item, type Parameters } from "structured-headers";

/** The `tag` of signatures made under the Hoptrace profile. */
export const SIGNATURE_TAG = "hoptrace-v1";

export const SIGNATURE_ALG = "ed25519";

/**
 * The components every request must cover under the profile; a request with a body also covers
 * its type and digest, one with an Idempotency-Key the key.
 */
export function requiredComponents(hasBody: boolean, hasIdempotencyKey: boolean): string[] {
  return ["@method", "@target-uri", ...(hasBody ? ["content-type", "content-digest"] : []), ...(hasIdempotencyKey ? ["idempotency-key"] : [])];
}

/** Whether a request counts as having a body (and so must cover its digest): any bytes, or a method that sends one. */
export function carriesBody(method: string, bodyBytes: number): boolean {
  return bodyBytes > 0 || ["POST", "PUT", "PATCH"].includes(method);
}

/** What the hub's own signature on a webhook delivery covers. */
export const WEBHOOK_SIGNATURE_COMPONENTS = ["content-type", "content-digest", "webhook-id", "webhook-timestamp"];

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

export function checkComponents(components: readonly string[]): void {
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

export const INTEGER_PARAMS = new Set(["created", "expires"]);
export const STRING_PARAMS = new Set(["keyid", "alg", "tag", "nonce"]);

/** Keeps the object's own key order, which becomes the order on the wire and in the base. */
export function paramsToMap(params: SignatureParams): Parameters {
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

export function serializeParams(components: readonly string[], params: Parameters): string {
  try {
    return serializeInnerList(innerListOf(components, params));
  } catch (error) {
    throw new SignatureBaseError("invalid_params", `signature parameters cannot be serialised: ${String(error)}`);
  }
}

/** `signatureParams` is the `@signature-params` value: the Signature-Input member as sent. */
export function buildBase(components: readonly string[], signatureParams: string, message: MessageView): string {
  checkComponents(components);
  const lines = components.map((component) => `${serializeItem([component, new Map()])}: ${componentValue(component, message)}`);
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join("\n");
}

export function signatureBase(components: string[], params: SignatureParams, message: MessageView): string {
  return buildBase(components, serializeParams(components, paramsToMap(params)), message);
}

/** The Signature-Input and Signature fields of one signature, `signatureParams` as serialised for the base. */
export function signatureFields(label: string, signatureParams: string, signature: Uint8Array): { signatureInput: string; signature: string } {
  return {
    signatureInput: `${serializeKey(label)}=${signatureParams}`,
    signature: serializeDictionary(new Map([[label, [new Uint8Array(signature).buffer, new Map()]]])),
  };
}
