/**
 * The deployed artefact: each Lambda bundle built with the options CDK uses (infra/bundling.ts),
 * then imported in a fresh Node process, as Lambda does, and invoked with the event shapes AWS
 * sends (an HTTP API event of payload format 2.0, an SQS batch, an EventBridge schedule), against the
 * emulators and a webhook receiver on loopback. The functions run in local mode (keys in files:
 * there is no Secrets Manager emulator); everything else is the code that ships.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../../functions/crypto/keys.js";
import { emulatorSettings, startEmulators, type Emulators } from "../../functions/local/emulators.js";
import { consoleBuildCommand, esbuildBuildOptions, HANDLER_NAMES, NODE_OPTIONS, REPO_ROOT, type HandlerName } from "../../infra/bundling.js";
import { FUNCTION_ACCESS } from "../../infra/stateless-stack.js";
import { keyProof, newAccountId, type SigningKey } from "../../openapi/client/index.js";
import { signRequest } from "../../openapi/client/signing.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

const run = promisify(execFile);
/** A custom domain mapped at its root to the HTTP API's `$default` stage: no base path. */
const PUBLIC_URL = "https://hub.example.org";
/** The bundles other than the API's are kept at or under this many bytes. */
const SMALL_BUNDLE_BYTES = 800 * 1024;

/** Imports the bundle as Lambda's runtime does, then hands it each event in turn with a Lambda context. */
const RUNNER = `
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [bundle, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, "utf8"));
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
const context = { awsRequestId: "c0ffee00-0000-4000-8000-000000000000", functionName: "hoptrace", getRemainingTimeInMillis: () => 55000 };
const results = [];
for (const event of events) results.push(await handler(event, context));
process.stdout.write(JSON.stringify({ initMs, results, reflectMetadataLoaded: typeof Reflect.getMetadata === "function" }));
`;

interface Invocation {
  initMs: number;
  results: any[];
  reflectMetadataLoaded: boolean;
}

let work: string;
let emulators: Emulators;
let receiver: Receiver;
let env: Record<string, string>;
const bundles = new Map<HandlerName, { file: string; bytes: number; metafile: Metafile }>();
let consortium: SigningKey;
let consortiumJwk: Record<string, unknown>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "hoptrace-artefact-"));
  emulators = await startEmulators();
  receiver = await startReceiver();
  const c = await generateSigningKey();
  consortium = { privateKey: c.privateKey, keyId: c.kid };
  consortiumJwk = c.publicJwk as unknown as Record<string, unknown>;
  env = {
    PATH: process.env.PATH ?? "",
    NODE_OPTIONS,
    ...emulatorSettings(emulators),
    PUBLIC_URL,
    HUB_KEY_FILE: join(work, "hub-key.private.jwk.json"),
    WEBHOOK_SECRETS_KEY_FILE: join(work, "webhook-secrets.key.json"),
    ALLOW_LOOPBACK_WEBHOOKS: "true",
    CONSORTIUM_PUBLIC_JWK: JSON.stringify(consortiumJwk),
    LOG_LEVEL: "ERROR",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  writeFileSync(join(work, "runner.mjs"), RUNNER);
  for (const name of HANDLER_NAMES) {
    const file = join(work, name, "index.mjs");
    const { metafile } = await build({ ...esbuildBuildOptions(name, file), metafile: true });
    bundles.set(name, { file, bytes: statSync(file).size, metafile });
  }
  // What the construct's bundling hook puts beside the console's bundle.
  await run("sh", ["-c", consoleBuildCommand(join(work, "console"))], { cwd: REPO_ROOT, timeout: 120_000 });
}, 240_000);

afterAll(async () => {
  await receiver?.close();
  await emulators?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function invoke(name: HandlerName, events: unknown[]): Promise<Invocation> {
  const eventsFile = join(work, `${name}-${randomUUID()}.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  const { stdout } = await run(process.execPath, [join(work, "runner.mjs"), bundles.get(name)!.file, eventsFile], {
    env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Invocation;
}

interface HttpEventOptions {
  body?: string;
  /** Send the body base64-encoded, as API Gateway does for content it does not take for text. */
  base64?: boolean;
  cookies?: string[];
  /** Header lines as sent, repeated names included; joined by commas as API Gateway joins them. */
  extraHeaders?: Array<[string, string]>;
}

/**
 * An HTTP API event (payload format 2.0) as the `$default` route of the `$default` stage hands it
 * over: the path and query string exactly as sent (`rawPath`, `rawQueryString`), lower-case
 * header names with repeated lines joined by commas, cookies apart from the headers.
 */
function httpEvent(method: string, target: string, headers: Headers, opts: HttpEventOptions = {}) {
  const [rawPath, rawQueryString = ""] = target.split(/\?(.*)/s) as [string, string?];
  const lines: Array<[string, string]> = [
    ["host", "hub.example.org"],
    ["x-forwarded-proto", "https"],
    ["x-forwarded-port", "443"],
    ["x-forwarded-for", "203.0.113.7"],
    ["user-agent", "hoptrace-test"],
  ];
  headers.forEach((value, key) => lines.push([key, value]));
  if (opts.body !== undefined) lines.push(["content-length", String(Buffer.byteLength(opts.body))]);
  lines.push(...(opts.extraHeaders ?? []));
  const joined: Record<string, string> = {};
  for (const [key, value] of lines) joined[key.toLowerCase()] = key.toLowerCase() in joined ? `${joined[key.toLowerCase()]},${value}` : value;
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] = key in query ? `${query[key]},${value}` : value;
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(opts.cookies && { cookies: opts.cookies }),
    headers: joined,
    ...(rawQueryString && { queryStringParameters: query }),
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      domainName: "hub.example.org",
      domainPrefix: "hub",
      http: { method, path: decodeURIComponent(rawPath), protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "hoptrace-test" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(opts.body !== undefined && { body: opts.base64 ? Buffer.from(opts.body).toString("base64") : opts.body }),
    isBase64Encoded: opts.base64 ?? false,
  };
}

/** The headers of a request signed for `PUBLIC_URL` + target, and its body. */
const signedParts = (key: SigningKey, method: string, target: string, body?: unknown) => {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = new Headers(text === undefined ? {} : { "content-type": "application/json", "idempotency-key": randomUUID() });
  const url = `${PUBLIC_URL}${target}`;
  return { headers: signRequest(key, { method, url, headers, ...(text !== undefined && { body: text }) }), ...(text !== undefined && { body: text }) };
};

const signed = (key: SigningKey, method: string, target: string, body?: unknown, opts: Omit<HttpEventOptions, "body"> = {}) => {
  const parts = signedParts(key, method, target, body);
  return httpEvent(method, target, parts.headers, { ...opts, ...(parts.body !== undefined && { body: parts.body }) });
};

interface HttpResult {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
  cookies?: string[];
}

const schedule = () => ({
  version: "0",
  id: randomUUID(),
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString(),
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/hoptrace-schedule"],
  detail: {},
});

const sqsRecord = (body: string) => ({
  messageId: randomUUID(),
  receiptHandle: randomUUID(),
  body,
  attributes: {
    ApproximateReceiveCount: "1",
    SentTimestamp: String(Date.now()),
    SenderId: "AROAEXAMPLE",
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:hoptrace-deliveries",
  awsRegion: "us-east-1",
});

describe("the Lambda bundles, as deployed", () => {
  let providerId: string;

  it("are lean: zod without its translations, no credential chain beyond the environment, SES only where mail is sent, all but the API's under 800 KB", () => {
    for (const [name, b] of bundles) {
      // What reached the output: esbuild reads modules that tree-shaking then leaves out.
      const output = Object.values(b.metafile.outputs).find((o) => o.entryPoint)!;
      const inputs = Object.entries(output.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([f]) => f);
      expect(
        inputs.filter((f) => /zod\/v4\/locales\//.test(f) && !/locales\/en\.js$/.test(f)),
        name,
      ).toEqual([]);
      expect(
        inputs.filter((f) => /credential-provider-(ini|sso|process|web-identity|login)\//.test(f)),
        name,
      ).toEqual([]);
      // The SES client only where the function may send mail.
      expect(
        inputs.some((f) => /client-sesv2\//.test(f)),
        name,
      ).toBe(FUNCTION_ACCESS[name].mail);
      if (name !== "api") expect(b.bytes, name).toBeLessThanOrEqual(SMALL_BUNDLE_BYTES);
    }
  });

  it("api: answers HTTP API events, registers accounts and endpoints, refuses bad input in English, without loading X.509 code", async () => {
    const provider = await generateSigningKey();
    const providerKey: SigningKey = { privateKey: provider.privateKey, keyId: provider.kid };
    providerId = newAccountId();
    const registration = {
      id: providerId,
      name: "Artefact Carrier",
      frn: "0004100001",
      contact: { name: "Traceback desk", email: "traceback@example.net" },
      keys: [{ publicJwk: provider.publicJwk, proof: keyProof(providerKey, providerId) }],
    };
    // Signed over the query as written, `%35` included: a copy re-encoded or decoded on the way would not verify.
    const listing = signedParts(providerKey, "GET", "/v1/hop-requests?status=open&limit=%35");
    const out = await invoke("api", [
      httpEvent("GET", "/.well-known/jwks.json", new Headers(), { cookies: ["theme=dark", "lang=en"] }),
      signed(consortium, "POST", "/v1/providers", registration),
      // Base64 body, two cookies, and a header sent on two lines: what API Gateway may hand over.
      signed(
        providerKey,
        "POST",
        "/v1/webhook-endpoints",
        { url: `${receiver.url}`, eventTypes: ["hop_request.created"] },
        {
          base64: true,
          cookies: ["a=1", "b=2"],
          extraHeaders: [
            ["accept", "application/json"],
            ["accept", "application/problem+json"],
          ],
        },
      ),
      signed(consortium, "POST", "/v1/providers", { ...registration, id: newAccountId(), name: 42 }),
      httpEvent("POST", "/v1/tracebacks", new Headers({ "content-type": "application/json" }), { body: "{}" }),
      httpEvent("GET", "/v1/hop-requests?status=open&limit=5", listing.headers),
      httpEvent("GET", "/v1/hop-requests?status=open&limit=%35", listing.headers),
      httpEvent("GET", "/console/tracebacks", new Headers()),
    ]);
    const [jwks, registered, endpoint, invalid, unsigned, requery, listed, consolePage] = out.results as HttpResult[];
    expect(jwks!.statusCode).toBe(200);
    expect(jwks!.headers["cache-control"]).toBe("public, max-age=300");
    expect((JSON.parse(jwks!.body) as { keys: unknown[] }).keys).toHaveLength(1);
    expect(registered!.statusCode, registered!.body).toBe(201);
    expect(endpoint!.statusCode, endpoint!.body).toBe(201);
    expect(invalid!.statusCode).toBe(422);
    expect(invalid!.headers["content-type"]).toBe("application/problem+json");
    // zod's own message, in English: the translations left out of the bundle are not missed.
    expect(JSON.parse(invalid!.body)).toMatchObject({
      code: "validation_failed",
      errors: [{ pointer: "/name", detail: "Invalid input: expected string, received number" }],
    });
    expect(unsigned!.statusCode).toBe(401);
    // The same signature with the query re-encoded is refused, and does not use the signature up.
    expect(requery!.statusCode).toBe(401);
    expect(listed!.statusCode, listed!.body).toBe(200);
    expect(JSON.parse(listed!.body)).toMatchObject({ items: [] });
    // The console is the console function's: the HTTP API never sends its paths here.
    expect(consolePage!.statusCode).toBe(404);
    expect(out.reflectMetadataLoaded).toBe(false);
  }, 120_000);

  it("console: serves the page rendered for the public URL and the built assets, from a bundle without the API's routes or the SDK", async () => {
    const manifest = JSON.parse(readFileSync(join(work, "console", "dist", "manifest.json"), "utf8")) as { js: { file: string } };
    const out = await invoke("console", [
      httpEvent("GET", "/console/tracebacks", new Headers()),
      httpEvent("GET", `/console/assets/${manifest.js.file}`, new Headers()),
      httpEvent("GET", "/console/assets/missing.js", new Headers()),
    ]);
    const [page, script, missing] = out.results as HttpResult[];
    expect(page!.statusCode).toBe(200);
    expect(page!.headers["content-type"]).toMatch(/^text\/html/);
    expect(page!.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page!.body).toContain('<base href="/console/">');
    expect(page!.body).toContain(PUBLIC_URL);
    expect(script!.statusCode).toBe(200);
    expect(script!.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(script!.headers["cache-control"]).toContain("immutable");
    expect(missing!.statusCode).toBe(404);
    expect(missing!.headers["content-type"]).toBe("application/problem+json");
    const inputs = Object.keys(Object.values(bundles.get("console")!.metafile.outputs).find((o) => o.entryPoint)!.inputs);
    expect(inputs.filter((f) => /@aws-sdk\/|functions\/http\/routes\/(?!console)/.test(f))).toEqual([]);
  }, 120_000);

  it("delivery: a batch with a malformed record and an event reports the one and delivers the other as a signed webhook", async () => {
    const event = {
      id: `evt_${randomUUID()}`,
      type: "hop_request.created",
      createdAt: new Date().toISOString(),
      recipientId: providerId,
      data: {
        hopId: "hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1",
        tracebackId: "tb_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
        path: "/v1/hop-requests/hop_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9_1",
      },
    };
    const bad = sqsRecord("not json at all");
    const good = sqsRecord(JSON.stringify({ kind: "event", event }));
    const out = await invoke("delivery", [{ Records: [bad, good] }]);
    expect(out.results[0]).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    const got = await receiver.waitFor((r) => r.length >= 1, 10_000);
    expect(got[0]!.headers["webhook-id"]).toBeTruthy();
    expect(got[0]!.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(got[0]!.body)).toMatchObject({
      type: "hop_request.created",
      version: 2,
      data: { hopId: event.data.hopId, path: `/v1/hop-requests/${event.data.hopId}` },
    });
  }, 120_000);

  it("integrator: a scheduled run sequences the requests the API logged", async () => {
    const out = await invoke("integrator", [schedule()]);
    const result = out.results[0] as { size: number; sequenced: number };
    expect(result.sequenced).toBeGreaterThanOrEqual(2);
    expect(result.size).toBe(result.sequenced);
  }, 120_000);

  it("reconciler and sweeper: a scheduled run finds nothing left to do", async () => {
    const reconciled = await invoke("reconciler", [schedule()]);
    expect(reconciled.results[0]).toMatchObject({ requeuedEvents: 0, requeuedDeliveries: 0 });
    const swept = await invoke("sweeper", [schedule()]);
    expect(swept.results[0]).toEqual({ due: 0, acted: 0 });
  }, 120_000);
});
