/**
 * The layer rules of .dependency-cruiser.cjs (run over the tree by `npm run lint:layers`, part of
 * `npm test`) bite: each rule refuses the import it names in a planted tree, with no exception,
 * be it an adapter importing a port declared in http/, the problem mapping importing a store's
 * error, or two ports files naming each other's types.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const configFile = join(root, ".dependency-cruiser.cjs");

const run = async (baseDir: string, entries: string[]): Promise<ICruiseResult> => {
  const options = await extractDepcruiseOptions(configFile);
  const { output } = await cruise(entries, { ...options, baseDir, validate: true }, undefined, { tsConfig: extractTSConfig(join(root, "tsconfig.json")) });
  return output as ICruiseResult;
};
const violations = (r: ICruiseResult) => r.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

describe("the layer rules", () => {
  let tree: string;
  const plant = async (file: string, text: string) => {
    await mkdir(dirname(join(tree, file)), { recursive: true });
    await writeFile(join(tree, file), text);
  };

  beforeAll(async () => {
    tree = await mkdtemp(join(tmpdir(), "hoptrace-layers-"));
    await plant("package.json", JSON.stringify({ name: "planted", type: "module", dependencies: { hono: "*" } }));
    await plant("node_modules/hono/package.json", JSON.stringify({ name: "hono", main: "index.js" }));
    await plant("node_modules/hono/index.js", "export const Hono = 1;\n");
    await plant("functions/http/env.ts", "export interface HubKey { kid: string }\n");
    await plant("functions/http/middleware/ports.ts", "export interface RequestStore { seen(): void }\n");
    await plant("functions/adapters/ids.ts", "export const ids = 1;\n");
    await plant("functions/adapters/dynamo/items.ts", "export class InvalidCursorError extends Error {}\n");
    await plant("functions/local/embedded.ts", "export const local = 1;\n");
    await plant("functions/crypto/keys.ts", 'import { rule } from "../domain/rule";\nexport const keys = rule;\n');
    await plant(
      "functions/domain/rule.ts",
      'import { Hono } from "hono";\nimport type { HubKey } from "../http/env";\nexport const rule: HubKey | typeof Hono | undefined = undefined;\n',
    );
    await plant("functions/usecases/a.ts", 'import { b } from "./b";\nimport { ids } from "../adapters/ids";\nexport const a = [b, ids];\n');
    await plant("functions/usecases/b.ts", 'import { a } from "./a";\nexport const b = () => a;\n');
    // Type-only imports count, so two ports files naming each other's types are a cycle.
    await plant("functions/usecases/ports.ts", 'import type { Shaken } from "./shaken-ports";\nexport type Ports = { shaken?: Shaken };\n');
    await plant("functions/usecases/shaken-ports.ts", 'import type { Ports } from "./ports";\nexport type Shaken = { ports?: Ports };\n');
    await plant(
      "functions/adapters/dynamo/request-store.ts",
      'import type { RequestStore } from "../../http/middleware/ports";\nexport const store: RequestStore | undefined = undefined;\n',
    );
    await plant(
      "functions/http/problem.ts",
      'import { InvalidCursorError } from "../adapters/dynamo/items";\nimport { local } from "../local/embedded";\nexport const x = [InvalidCursorError, local];\n',
    );
    // The hub may use the client package, and nothing else of openapi/.
    await plant("openapi/client/content-digest.ts", "export const digest = 1;\n");
    await plant("openapi/document.ts", "export const buildDocument = 1;\n");
    await plant(
      "functions/http/app.ts",
      'import { digest } from "../../openapi/client/content-digest";\nimport { buildDocument } from "../../openapi/document";\nexport const app = [digest, buildDocument];\n',
    );
  });
  afterAll(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  it("refuse every import that runs back up, and every cycle (each cycle named once)", async () => {
    expect(violations(await run(tree, ["functions", "openapi"]))).toEqual([
      "adapters-not-http: functions/adapters/dynamo/request-store.ts -> functions/http/middleware/ports.ts",
      "crypto-not-domain: functions/crypto/keys.ts -> functions/domain/rule.ts",
      "domain-pure: functions/domain/rule.ts -> functions/http/env.ts",
      "domain-pure: functions/domain/rule.ts -> node_modules/hono/index.js",
      "http-not-adapters: functions/http/problem.ts -> functions/adapters/dynamo/items.ts",
      "http-not-adapters: functions/http/problem.ts -> functions/local/embedded.ts",
      "hub-not-contract-tools: functions/http/app.ts -> openapi/document.ts",
      "no-circular: functions/usecases/a.ts -> functions/usecases/b.ts",
      "no-circular: functions/usecases/ports.ts -> functions/usecases/shaken-ports.ts",
      "usecases-not-edges: functions/usecases/a.ts -> functions/adapters/ids.ts",
    ]);
  });
});
