/**
 * The contract declares every status a route can answer: those of its own handler and those of
 * the middleware in front of every route (signature, rate, size and media type guards, the
 * idempotency guard, the fault handler), so a generated client is never surprised. The live
 * part provokes each middleware status on a real hub and checks the operation declares it.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_PATH } from "../../openapi/generate.js";
import { startTestHub, type TestHub } from "../support/hub.js";

const doc = JSON.parse(readFileSync(DOCUMENT_PATH, "utf8")) as Record<string, any>;
const METHODS = ["get", "post", "put", "patch", "delete"];
const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ path, method, op })),
);
const deref = (obj: any): any => {
  if (!obj?.$ref) return obj;
  const [, , kind, name] = obj.$ref.split("/");
  return doc.components[kind][name];
};

describe("statuses every operation declares", () => {
  it.each(operations.filter((o) => o.path.startsWith("/v1/")).map((o) => [`${o.method.toUpperCase()} ${o.path}`, o]))("%s", (_name, { method, op }) => {
    const declared = Object.keys(op.responses);
    // An unsigned operation is never refused for its signature.
    const expected = [
      ...(op.security?.length === 0 ? [] : ["401"]),
      "429",
      "431",
      "500",
      ...(op.requestBody ? ["413", "415", "422"] : []),
      ...(method === "post" ? ["400", "409"] : []),
    ];
    expect(expected.filter((s) => !declared.includes(s))).toEqual([]);
    for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
      const r = deref(response);
      if (Number(status) >= 400) expect(Object.keys(r.content ?? {}), `${status} is problem+json`).toEqual(["application/problem+json"]);
      if (/^2/.test(status) && method === "post") expect(Object.keys(r.headers ?? {}), `${status} declares its receipt`).toContain("Hoptrace-Receipt");
    }
    expect(Object.keys(deref(op.responses["429"]).headers ?? {})).toContain("Retry-After");
  });

  it("the chain view declares the signer inquiries and findings it returns", () => {
    const chain = doc.components.schemas.TracebackChain;
    for (const field of ["traceback", "hops", "signerInquiries", "findings", "originatorFirstFoundBy", "pathsAgree"])
      expect(Object.keys(chain.properties)).toContain(field);
  });
});

describe("statuses provoked on a running hub are the ones declared", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "3" } });
  });
  afterAll(() => t.stop());

  const declaredFor = (method: string, path: string, status: number) => Object.keys(doc.paths[path][method].responses).includes(String(status));

  it("415 for a body that is not JSON, 413 for an oversized body, 429 with Retry-After past the rate", async () => {
    const body = { name: "Unit", contact: { name: "Unit", email: "unit@agency.example" } };
    const wrongType = await t.consortium.api.post("/v1/initiators", body, { headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("content-type")).toBe("application/problem+json");
    expect(declaredFor("post", "/v1/initiators", 415)).toBe(true);

    const tooBig = await t.consortium.api.post("/v1/initiators", { ...body, name: "x".repeat(70_000) });
    expect(tooBig.status).toBe(413);
    expect(declaredFor("post", "/v1/initiators", 413)).toBe(true);

    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await t.consortium.api.get("/v1/providers");
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get("retry-after");
    }
    expect(statuses).toContain(429);
    expect(retryAfter).toMatch(/^\d+$/);
    expect(declaredFor("get", "/v1/providers", 429)).toBe(true);
  });
});
