import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_PATH } from "../../openapi/generate.js";
import { startTestHub, type TestHub } from "../support/hub.js";

describe("the contract as the running hub serves it", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("serves at /openapi.json, unsigned, the committed document", async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(readFileSync(DOCUMENT_PATH, "utf8")));
  });

  it("serves an offline documentation page at /docs that its own CSP allows to run", async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("<title>Hoptrace API reference</title>");
    // Offline: nothing is loaded from another origin, and the document is fetched relative to the page.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain('fetch("openapi.json"');

    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(csp).toContain(`script-src ${hash(script!)}`);
    expect(csp).toContain(`style-src ${hash(style!)}`);
  });

  it("keeps /docs outside the signed API", async () => {
    expect((await fetch(`${t.url}/v1/docs`)).status).toBe(401);
    expect((await fetch(`${t.url}/docs`, { method: "POST" })).status).toBe(404);
  });
});
