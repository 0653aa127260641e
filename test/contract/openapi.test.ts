import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../functions/domain/events.js";
import { UNREGISTERED_ROUTES } from "../../functions/http/unregistered-routes.js";
import { CLIENT_TYPES_PATH, DOCUMENT_PATH, clientTypesText, documentText } from "../../openapi/generate.js";
import { PROBLEM_CODES } from "../../functions/http/schemas/problems.js";

const ROOT = join(import.meta.dirname, "../..");
const committed = readFileSync(DOCUMENT_PATH, "utf8");
const doc = JSON.parse(committed) as Record<string, any>;
const schemas = doc.components.schemas as Record<string, any>;

type Operation = { where: string; method: string; op: any };
const operations = (group: "paths" | "webhooks"): Operation[] =>
  Object.entries(doc[group] as Record<string, Record<string, any>>).flatMap(([where, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, op]) => ({ where, method, op })),
  );
const resolve = (schema: any): any => (schema?.$ref ? resolve(schemas[schema.$ref.replace("#/components/schemas/", "")]) : schema);

describe("the published contract", () => {
  it("openapi/openapi.json is what the routes generate, byte for byte", () => {
    const generated = documentText();
    expect(generated === committed, "openapi/openapi.json is out of date: run npm run openapi").toBe(true);
  });

  it("openapi/client/schema.d.ts is what openapi-typescript makes of it", async () => {
    const types = await clientTypesText(committed);
    expect(types === readFileSync(CLIENT_TYPES_PATH, "utf8"), "openapi/client/schema.d.ts is out of date: run npm run openapi").toBe(true);
  });

  it("passes the Redocly linter with no errors", async () => {
    const bin = join(ROOT, "node_modules/.bin/redocly");
    const run = promisify(execFile)(bin, ["lint", "openapi/openapi.json", "--format=json"], {
      cwd: ROOT,
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    });
    // A failing lint exits non-zero; its report is on stdout either way.
    const stdout = await run.then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? "",
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ severity: string; ruleId: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const errors = report.problems.filter((p) => p.severity === "error").map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(report.totals.warnings, "warnings need a written reason in redocly.yaml").toBe(0);
  }, 90_000);

  it("has an example for every request body and every response body", () => {
    const missing: string[] = [];
    for (const { where, method, op } of [...operations("paths"), ...operations("webhooks")]) {
      const bodies: Array<[string, any]> = [["request", op.requestBody], ...Object.entries(op.responses as Record<string, any>)];
      for (const [name, body] of bodies) {
        for (const [type, media] of Object.entries((body?.content ?? {}) as Record<string, any>)) {
          if (media.example === undefined && media.examples === undefined && resolve(media.schema)?.example === undefined) {
            missing.push(`${method.toUpperCase()} ${where} ${name} ${type}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("names every operation once, signs every /v1 operation but the listed unregistered ones and asks every POST for an Idempotency-Key", () => {
    const all = [...operations("paths"), ...operations("webhooks")];
    const ids = all.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { where, method, op } of operations("paths").filter((o) => o.where.startsWith("/v1/"))) {
      // Only the routes the authentication middleware lets through without a registered key differ.
      const unregistered = UNREGISTERED_ROUTES.find((r) => r.documented === where && r.method.toLowerCase() === method)?.access;
      const security = { public: [], self_signed: [{ enrolmentSignature: [] }] }[unregistered ?? "public"];
      expect(op.security, `${method} ${where}`).toEqual(unregistered ? security : [{ httpSignature: [] }]);
      if (unregistered !== "public") expect(op.responses["401"], `${method} ${where}`).toBeDefined();
      if (method === "post") {
        expect(op.parameters.find((p: any) => p.in === "header" && p.name.toLowerCase() === "idempotency-key")?.required, `${method} ${where}`).toBe(true);
      }
    }
  });

  it("documents every route let through without a registered key, as it is let through", () => {
    for (const route of UNREGISTERED_ROUTES) {
      const op = doc.paths[route.documented]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.documented}`).toBeDefined();
      expect(route.path.test(route.documented.replace(/\{[^}]+\}/g, "x")), route.documented).toBe(true);
    }
  });

  it("documents one webhook per event type with its headers, payload and delivery rules", () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const post = doc.webhooks[type].post;
      expect(
        post.parameters
          .filter((p: any) => p.in === "header" && p.required)
          .map((p: any) => p.name)
          .sort(),
      ).toEqual(["content-digest", "signature", "signature-input", "webhook-id", "webhook-signature", "webhook-timestamp"]);
      const media = post.requestBody.content["application/json"];
      // The feed's schema: a delivery's body is the event as /v1/events lists it.
      expect(media.schema).toEqual({ $ref: "#/components/schemas/Event" });
      expect(media.example.type).toBe(type);
      expect(post.parameters.find((p: any) => p.name === "webhook-id").schema.example).toBe(media.example.id);
      expect(Object.keys(post.responses).sort()).toEqual(["2XX", "410", "429", "503", "default"]);
      expect(post.responses["429"].headers["Retry-After"]).toBeDefined();
      expect(post.responses["503"].headers["Retry-After"]).toBeDefined();
    }
    expect(schemas.Event.properties.type.enum).toEqual([...EVENT_TYPES]);
    expect(schemas).not.toHaveProperty("WebhookPayload");
  });

  it("explains signatures, idempotency, pagination, problems and webhooks", () => {
    const description = doc.info.description as string;
    for (const heading of ["## Signed requests", "## Idempotency", "## Pagination", "## Problems", "## Webhooks"]) expect(description).toContain(heading);
    expect(doc.components.securitySchemes.httpSignature.description).toContain("RFC 9421");
    expect(doc["x-problem-codes"]).toEqual(PROBLEM_CODES);
    for (const { code } of PROBLEM_CODES) expect(description).toContain(`\`${code}\``);
  });

  it("lists every problem code the code can raise, with its status", () => {
    const raised = new Map<string, number | "any">([
      ["not_found", 404],
      ["forbidden", 403],
      ["invalid_cursor", 400],
    ]);
    const patterns: Array<[RegExp, (m: RegExpMatchArray) => number | "any"]> = [
      [/new ProblemError\(\s*(\d{3}),\s*"([a-z_]+)"/g, (m) => Number(m[1])],
      [/problemResponse\(\s*c,\s*(\d{3}),\s*"([a-z_]+)"/g, (m) => Number(m[1])],
      [/problemResponse\(\s*c,\s*status,\s*"([a-z_]+)"/g, () => "any"],
      [/new ConflictError\(\s*()"([a-z_]+)"/g, () => 409],
      [/new GoneError\(\s*()"([a-z_]+)"/g, () => 410],
      [/new RuleViolationError\(\s*()"([a-z_]+)"/g, () => 422],
      // Refusals written as [status, code, detail] (the local server's parser errors).
      [/\[(\d{3}),\s*"([a-z_]+)",\s*"/g, (m) => Number(m[1])],
    ];
    for (const file of sourceFiles(join(ROOT, "functions"))) {
      const text = readFileSync(file, "utf8");
      for (const [pattern, status] of patterns) {
        for (const m of text.matchAll(pattern)) raised.set(m[2] ?? m[1]!, status(m));
      }
    }
    const documented = new Map(PROBLEM_CODES.map((p) => [p.code, p.status]));
    expect(
      [...raised.keys()].filter((code) => !documented.has(code)),
      "undocumented problem codes: add them to functions/http/schemas/problems.ts",
    ).toEqual([]);
    for (const [code, status] of raised) expect(documented.get(code), code).toBe(status);
    expect(
      [...documented.keys()].filter((code) => !raised.has(code)),
      "documented codes the code never raises",
    ).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}
