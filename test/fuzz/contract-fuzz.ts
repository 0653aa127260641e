/**
 * A contract-driven fuzzer. Every operation of openapi/openapi.json in turn gets a request drawn
 * by fast-check: mostly well-formed and signed by a registered party, with real ids from a
 * populated hub, but with a share of mutated bodies, wrong types, huge strings, unknown fields,
 * bad path and query parameters, bad or missing signatures and idempotency keys. Each response
 * is held to the contract: never a 5xx, every error problem+json with a `code`, every 2xx body
 * valid against its declared schema. Case `i` of seed `s` is always drawn the same way.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { signRequest, type SigningKey } from "../../openapi/client/signing.js";
import type { Party } from "../support/hub.js";
import type { World } from "../support/world.js";
import { hostile, mutated, valid, type Schema, type SchemaContext } from "./schema-arbitrary.js";

const CONTRACT = JSON.parse(readFileSync(new URL("../../openapi/openapi.json", import.meta.url), "utf8"));
const PROBLEM = "application/problem+json";

interface Operation {
  id: string;
  method: string;
  path: string;
  params: Array<{ name: string; in: "path" | "query" | "header"; schema: Schema; required: boolean }>;
  body?: Schema;
  /** The media type of the body: JSON for all but uploads such as the RMD import's CSV. */
  mediaType: string;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export const OPERATIONS: Operation[] = Object.entries(CONTRACT.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    id: op.operationId as string,
    method: method.toUpperCase(),
    path,
    params: (op.parameters ?? []) as Operation["params"],
    mediaType: op.requestBody ? Object.keys(op.requestBody.content)[0]! : "application/json",
    ...(op.requestBody && { body: (Object.values(op.requestBody.content)[0] as { schema: Schema }).schema }),
    responses: op.responses,
  })),
);

/** Who signs: a registered party, or a key nobody registered. */
type Signer = "consortium" | "providerA" | "providerB" | "initiatorA" | "initiatorB" | "stranger";
type Signing = "valid" | "none" | "tampered" | "expired" | "garbage" | "garbage-input" | "bad-digest" | "other-target";
type Idempotency = "fresh" | "missing" | "invalid" | "reused";

export interface FuzzCase {
  operation: string;
  method: string;
  /** Path and query, ready to append to the hub's URL. */
  target: string;
  body?: string;
  contentType?: string;
  signer: Signer;
  signing: Signing;
  idempotency: Idempotency;
}

export interface FuzzWorld extends World {
  url: string;
  consortium: Party;
  stranger: SigningKey;
  pems: string[];
  /** SIP Identity headers (TEST ONLY fixtures): taken as they are, or with their claims mutated. */
  identities: string[];
}

export interface Finding {
  seed: number;
  index: number;
  problem: string;
  request: FuzzCase;
  status: number;
  response: string;
}

export interface FuzzSummary {
  sent: number;
  byStatus: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
  /** Statuses answered that the contract does not declare for the operation (4xx only; 2xx and 5xx are findings). */
  undeclared: Record<string, number>;
  findings: Finding[];
  ms: number;
}

/** The seed of case `index` of a run seeded with `seed`. */
export const caseSeed = (seed: number, index: number) => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + index * 0x27d4eb2f) | 0;

export function drawCase(world: FuzzWorld, seed: number, index: number): FuzzCase {
  const op = OPERATIONS[index % OPERATIONS.length]!;
  return fc.sample(caseArbitrary(op, world), { seed: caseSeed(seed, index), numRuns: 1 })[0]!;
}

function contextFor(world: FuzzWorld): SchemaContext {
  const accounts = [world.consortium, world.providerA, world.providerB, world.initiatorA, world.initiatorB].map((p) => p.id);
  const providers = [world.providerA.id, world.providerB.id];
  const hops = [world.answeredHopId, world.nextHopId, ...world.openHopIds];
  const times = fc
    .date({ min: new Date(Date.now() - 30 * 86_400_000), max: new Date(Date.now() + 86_400_000), noInvalidDate: true })
    .map((d) => d.toISOString());
  const hints: Record<string, fc.Arbitrary<unknown>> = {
    accountId: fc.constantFrom(...accounts),
    providerId: fc.constantFrom(...providers),
    terminatingProviderId: fc.constantFrom(...providers),
    initiatorId: fc.constantFrom(world.initiatorA.id, world.initiatorB.id),
    recipientId: fc.constantFrom(...accounts),
    hopId: fc.constantFrom(...hops),
    tracebackId: fc.constantFrom(...world.tracebackIds),
    endpointId: fc.constantFrom(...world.endpointIds),
    eventId: fc.constantFrom(...world.eventIds),
    keyId: fc.constant(world.spareKeyId),
    fingerprint: fc.constantFrom(...world.anchorFingerprints),
    callingNumber: fc.constantFrom("+13055550123", "+1 (305) 555-0123", "3055550123", "+442079460958"),
    calledNumber: fc.constantFrom("+12025550143", "12025550143", "2025550143"),
    callTime: times,
    since: times,
    from: times,
    to: times,
    url: fc.constantFrom("http://127.0.0.1:9/fuzz", "https://hooks.carrier.example/x", "http://169.254.169.254/latest"),
    pem: fc.constantFrom(...world.pems),
    identityHeaders: fc.array(identityHeader(world.identities), { minLength: 1, maxLength: 3 }),
  };
  return {
    resolve: (ref) => CONTRACT.components.schemas[ref.replace("#/components/schemas/", "")],
    hint: (name) => (name ? hints[name] : undefined),
  };
}

/** An Identity header as a signer sent it, or with one claim or header field replaced by anything. */
function identityHeader(fixtures: string[]): fc.Arbitrary<string> {
  const reassembled = fc
    .tuple(fc.constantFrom(...fixtures), fc.constantFrom(0, 1), fc.constantFrom("iat", "attest", "orig", "dest", "origid", "x5u", "alg", "ppt"), hostile)
    .map(([raw, part, field, value]) => {
      const semicolon = raw.indexOf(";");
      const segments = raw.slice(0, semicolon).split(".");
      const json = JSON.parse(Buffer.from(segments[part]!, "base64url").toString());
      segments[part] = Buffer.from(JSON.stringify({ ...json, [field]: value })).toString("base64url");
      return segments.join(".") + raw.slice(semicolon);
    });
  return fc.oneof({ weight: 3, arbitrary: reassembled }, { weight: 1, arbitrary: fc.constantFrom(...fixtures) });
}

/** A value as a URL component; a lone surrogate (which no URL can carry) as U+FFFD. */
const encode = (v: unknown) => encodeURIComponent(String(v).replace(/[\ud800-\udfff]/gu, "\ufffd"));

/** Path segments nobody should send, written as they go on the wire. */
const BAD_SEGMENTS = fc.oneof(
  fc.constantFrom(
    "%",
    "%zz",
    "%E0%A4%A",
    "..",
    "%2e%2e",
    "a%2Fb",
    "%00",
    "x".repeat(2_000),
    "%E2%98%83",
    "%20",
    "null",
    "undefined",
    "hop_",
    "hop_x_1",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_0",
    "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_99999999999999999999",
    "tb_",
    "acc_",
  ),
  fc.string({ minLength: 1, maxLength: 100, unit: "binary" }).map(encode),
);

const BAD_QUERY_VALUES = fc.oneof(
  fc.constantFrom("", "0", "-1", "101", "1e9", "2.5", "abc", "%", "x".repeat(3_000), "%E2%98%83", "2024-13-45T99:99:99Z", "null", "[]"),
  fc.string({ maxLength: 60, unit: "binary" }).map(encode),
  fc.stringMatching(/^[A-Za-z0-9_-]{10,200}(\.[A-Za-z0-9_-]{43})?$/),
);

const RAW_BODIES = fc.constantFrom(
  "",
  "{",
  "null",
  "[]",
  "0",
  '"x"',
  '{"a":1,"a":2}',
  "\u0000",
  "{}".repeat(1_000),
  "[".repeat(10_000),
  '{"__proto__":{"admin":true}}',
  "\ufeff{}",
  '{"x":"\\ud800"}',
);

/** What is wrong with a case: nothing, or one part of the request. */
type Fault = "none" | "path" | "query" | "body" | "headers" | "signature";

function caseArbitrary(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const ctx = contextFor(world);
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");

  const goodSegment = (p: Operation["params"][number]) => valid(p.schema, ctx, p.name).map(encode);
  const badSegment = (p: Operation["params"][number]) => fc.oneof(valid(p.schema, ctx).map(encode), BAD_SEGMENTS);
  const path = (faulty: boolean) =>
    fc
      .nat({ max: Math.max(0, pathParams.length - 1) })
      .chain((wrong) => fc.tuple(...pathParams.map((p, i) => (faulty && i === wrong ? badSegment(p) : goodSegment(p)))));

  // A cursor the hub did not issue is always refused: a valid request goes without one.
  const goodQueryValue = (p: Operation["params"][number]) =>
    p.name === "cursor" ? fc.constant(undefined) : fc.option(valid(p.schema, ctx, p.name).map(encode), { nil: undefined, freq: 2 });
  const query = (faulty: boolean) =>
    fc
      .nat({ max: queryParams.length })
      .chain((wrong) =>
        fc.tuple(
          fc.tuple(...queryParams.map((p, i) => (faulty && i === wrong ? BAD_QUERY_VALUES : goodQueryValue(p)))),
          faulty && wrong === queryParams.length
            ? fc.constantFrom("&extra=1", "&limit=1&limit=2", "&cursor=", "&status=", "&%=%", "&__proto__=x")
            : fc.constant(""),
        ),
      );

  const json = op.mediaType === "application/json";
  const encode = (v: unknown): string => (json ? (JSON.stringify(v) ?? "null") : String(v));
  const goodBody: fc.Arbitrary<string | undefined> = op.body
    ? valid(op.body, ctx).map(encode)
    : op.method === "POST"
      ? fc.constant("")
      : fc.constant(undefined);
  const badBody: fc.Arbitrary<string | undefined> = op.body
    ? fc.oneof(
        { weight: 6, arbitrary: valid(op.body, ctx).chain(mutated).map(encode) },
        { weight: 2, arbitrary: RAW_BODIES },
        {
          weight: 1,
          arbitrary: valid(op.body, ctx).map((v) =>
            json ? JSON.stringify({ ...(v as object), padding: "x".repeat(70_000) }) : `${String(v)}\n${"x".repeat(70_000)}`,
          ),
        },
      )
    : op.method === "POST"
      ? hostile.map((v) => JSON.stringify(v) ?? "")
      : fc.constant(undefined);

  const goodHeaders = fc.record({ contentType: fc.constant(op.mediaType), idempotency: fc.constant<Idempotency>("fresh") });
  const badHeaders = fc.oneof(
    fc.record({
      contentType: fc.constantFrom(
        "text/plain",
        "application/json; charset=utf-16",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/problem+json",
        "",
      ),
      idempotency: fc.constant<Idempotency>("fresh"),
    }),
    fc.record({ contentType: fc.constant(op.mediaType), idempotency: fc.constantFrom<Idempotency>("missing", "invalid", "reused") }),
  );

  const goodSigning = fc.record({ signer: signerFor(op), signing: fc.constant<Signing>("valid") });
  const badSigning = fc.oneof(
    fc.record({ signer: fc.constant<Signer>("stranger"), signing: fc.constant<Signing>("valid") }),
    fc.record({
      signer: signerFor(op),
      signing: fc.constantFrom<Signing>("none", "tampered", "expired", "garbage", "garbage-input", "bad-digest", "other-target"),
    }),
  );

  const faults: Array<{ weight: number; arbitrary: fc.Arbitrary<Fault> }> = [
    { weight: 5, arbitrary: fc.constant("none") },
    ...(pathParams.length ? [{ weight: 1, arbitrary: fc.constant<Fault>("path") }] : []),
    { weight: 1, arbitrary: fc.constant<Fault>("query") },
    ...(op.method === "POST" ? [{ weight: op.body ? 3 : 1, arbitrary: fc.constant<Fault>("body") }] : []),
    { weight: 1, arbitrary: fc.constant<Fault>("headers") },
    { weight: 1, arbitrary: fc.constant<Fault>("signature") },
  ];
  return fc
    .oneof(...faults)
    .chain((fault) =>
      fc.record({
        path: path(fault === "path"),
        query: query(fault === "query"),
        body: fault === "body" ? badBody : goodBody,
        headers: fault === "headers" ? badHeaders : goodHeaders,
        signing: fault === "signature" ? badSigning : goodSigning,
      }),
    )
    .map(({ path: values, query: [queryValues, extra], body: b, headers, signing }) => {
      let target = op.path;
      pathParams.forEach((p, i) => (target = target.replace(`{${p.name}}`, values[i]!)));
      const q = queryParams.flatMap((p, i) => (queryValues[i] === undefined ? [] : [`${p.name}=${queryValues[i]}`])).join("&") + extra;
      return {
        operation: op.id,
        method: op.method,
        target: q ? `${target}?${q.replace(/^&/, "")}` : target,
        ...(b !== undefined && { body: b, contentType: headers.contentType }),
        signer: signing.signer,
        signing: signing.signing,
        idempotency: headers.idempotency,
      };
    });
}

/** Who signs, leaning towards the party an operation is for, so that most requests get past the role checks. */
function signerFor(op: Operation): fc.Arbitrary<Signer> {
  const lean = op.path.startsWith("/v1/hop-requests")
    ? fc.constantFrom<Signer>("providerA", "providerB")
    : op.path.startsWith("/v1/webhook-endpoints") || op.path.startsWith("/v1/events")
      ? fc.constant<Signer>("providerA")
      : op.path.startsWith("/v1/tracebacks")
        ? fc.constantFrom<Signer>("initiatorA", "consortium")
        : fc.constant<Signer>("consortium");
  return fc.oneof(
    { weight: 2, arbitrary: lean },
    { weight: 1, arbitrary: fc.constantFrom<Signer>("consortium", "providerA", "providerB", "initiatorA", "initiatorB") },
  );
}

/** Signature-Input values that are not one, or not one Hoptrace takes. */
const GARBAGE_SIGNATURE_INPUTS = [
  "",
  "sig1=",
  "(((",
  'sig1=("@method");created=1.5;expires=2.5;keyid="x";alg="ed25519";tag="hoptrace-v1"',
  'sig1=("@method" "@target-uri");created=-1;expires=99999999999999999;keyid="";alg="rsa";tag="x"',
  `sig1=(${'"x" '.repeat(500)})`,
  'sig1=("@method"), sig2=("@target-uri")',
  'sig1=("@query-param";name="%00")',
];

/** The request a case stands for, signed now as its case says. */
export function requestFor(c: FuzzCase, world: FuzzWorld): Request {
  const url = `${world.url}${c.target}`;
  const headers = new Headers();
  if (c.body !== undefined && c.contentType) headers.set("content-type", c.contentType);
  if (c.method === "POST") {
    if (c.idempotency === "fresh") headers.set("idempotency-key", randomUUID());
    if (c.idempotency === "invalid") headers.set("idempotency-key", "has spaces and is \t odd");
    if (c.idempotency === "reused") headers.set("idempotency-key", "fuzz-reused-key");
  }
  const key = c.signer === "stranger" ? world.stranger : (c.signer === "consortium" ? world.consortium : world[c.signer]).key;
  let signed = headers;
  if (c.signing !== "none") {
    const signedUrl = c.signing === "other-target" ? `${world.url}/v1/providers` : url;
    const signedBody = c.signing === "tampered" ? `${c.body ?? ""} ` : c.body;
    signed = signRequest(
      key,
      { method: c.method, url: signedUrl, headers, ...(signedBody !== undefined && { body: signedBody }) },
      c.signing === "expired" ? { now: () => Date.now() - 3_600_000 } : {},
    );
    if (c.signing === "garbage") signed.set("signature", "sig1=:AAAA:");
    if (c.signing === "garbage-input")
      signed.set("signature-input", GARBAGE_SIGNATURE_INPUTS[Math.abs(caseSeed(c.target.length, 1)) % GARBAGE_SIGNATURE_INPUTS.length]!);
    if (c.signing === "bad-digest") signed.set("content-digest", "sha-256=:AAAA:, sha-512=:=:");
  }
  return new Request(url, { method: c.method, headers: signed, ...(c.body !== undefined && { body: c.body }) });
}

/** Validators for the contract's response schemas, compiled once each. */
function contractValidators(): (schema: Schema) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(CONTRACT, "contract");
  const cache = new Map<string, ValidateFunction>();
  const rebase = (s: unknown): unknown =>
    Array.isArray(s)
      ? s.map(rebase)
      : s && typeof s === "object"
        ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "$ref" && typeof v === "string" ? `contract${v}` : rebase(v)]))
        : s;
  return (schema) => {
    const key = JSON.stringify(schema);
    let v = cache.get(key);
    if (!v) cache.set(key, (v = ajv.compile(rebase(schema) as object)));
    return v;
  };
}

/** What is wrong with a response, if anything. */
function check(op: Operation, status: number, contentType: string | null, text: string, validator: (s: Schema) => ValidateFunction): string | undefined {
  if (status >= 500) return `server error ${status}`;
  if (status < 200 || (status >= 300 && status < 400)) return `unexpected status ${status}`;
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    return `the body is not JSON: ${text.slice(0, 80)}`;
  }
  if (status >= 400) {
    if (contentType !== PROBLEM) return `error ${status} with content-type ${contentType}`;
    const problem = validator({ $ref: "#/components/schemas/Problem" });
    if (!problem(body)) return `error ${status} is not a problem: ${JSON.stringify(problem.errors)}`;
    if ((body as { status: number }).status !== status) return `problem says status ${(body as { status: number }).status}, response is ${status}`;
    return undefined;
  }
  const declared = op.responses[String(status)];
  if (!declared) return `${status} is not a status the contract declares`;
  const schema = declared.content?.["application/json"]?.schema;
  if (!schema) return undefined;
  if (!contentType?.startsWith("application/json")) return `${status} with content-type ${contentType}`;
  const validate = validator(schema);
  return validate(body) ? undefined : `${status} body does not match the contract: ${JSON.stringify(validate.errors?.slice(0, 3))}`;
}

/**
 * New resources a request created become targets for the cases after it (the newest few of
 * each kind), so the fuzz also answers, amends and closes what it made itself.
 */
function learn(world: FuzzWorld, op: Operation, body: any): void {
  const keep = (list: string[], ...ids: string[]) => {
    list.push(...ids);
    if (list.length > 12) list.splice(0, list.length - 12);
  };
  if (op.id === "createTraceback") {
    keep(world.tracebackIds, body.traceback.id);
    keep(world.openHopIds, ...body.hops.map((h: { id: string }) => h.id));
  }
  if (op.id === "createWebhookEndpoint") keep(world.endpointIds, body.endpoint.id);
}

export interface FuzzOptions {
  seed: number;
  n: number;
  /** The first case to draw (to replay one case of a run). */
  from?: number;
  world: FuzzWorld;
  send: (req: Request) => Promise<Response>;
  onProgress?: (summary: FuzzSummary) => void;
  progressEvery?: number;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const validator = contractValidators();
  const started = Date.now();
  const summary: FuzzSummary = { sent: 0, byStatus: {}, byOperation: {}, undeclared: {}, findings: [], ms: 0 };
  const byId = new Map(OPERATIONS.map((o) => [o.id, o]));
  const from = opts.from ?? 0;
  for (let index = from; index < from + opts.n; index++) {
    const c = drawCase(opts.world, opts.seed, index);
    const op = byId.get(c.operation)!;
    let status: number;
    let text: string;
    let contentType: string | null;
    try {
      const res = await opts.send(requestFor(c, opts.world));
      status = res.status;
      contentType = res.headers.get("content-type");
      text = await res.text();
    } catch (err) {
      status = 0;
      contentType = null;
      text = String(err);
    }
    summary.sent++;
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    const perOp = (summary.byOperation[op.id] ??= {});
    perOp[status] = (perOp[status] ?? 0) + 1;
    if (status >= 400 && status < 500 && !op.responses[String(status)])
      summary.undeclared[`${op.id} ${status}`] = (summary.undeclared[`${op.id} ${status}`] ?? 0) + 1;
    const problem = status === 0 ? `no response: ${text}` : check(op, status, contentType, text, validator);
    if (problem)
      summary.findings.push({
        seed: opts.seed,
        index,
        problem,
        request: { ...c, ...(c.body && { body: c.body.slice(0, 500) }) },
        status,
        response: text.slice(0, 500),
      });
    else if (status >= 200 && status < 300) learn(opts.world, op, JSON.parse(text));
    if (opts.onProgress && summary.sent % (opts.progressEvery ?? 500) === 0) opts.onProgress({ ...summary, ms: Date.now() - started });
  }
  summary.ms = Date.now() - started;
  return summary;
}
