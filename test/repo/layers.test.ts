/**
 * The layer rules of .dependency-cruiser.cjs (run over the tree by `npm run lint:layers`, part of
 * `npm test`) bite:
 * each rule refuses the import it names in a planted tree, a known exception lets through exactly
 * its one import and nothing else from the same file, and every known exception still exists in
 * the real tree, so an entry is removed when the code it excuses has moved.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const configFile = join(root, ".dependency-cruiser.cjs");
const known = (createRequire(import.meta.url)(configFile) as { known: Array<{ rule: string; from: string; to: string; reason: string }> }).known;

const run = async (baseDir: string, entries: string[], extra: Record<string, unknown> = {}): Promise<ICruiseResult> => {
  const options = await extractDepcruiseOptions(configFile);
  const { output } = await cruise(entries, { ...options, baseDir, validate: true, ...extra }, undefined, { tsConfig: extractTSConfig(join(root, "tsconfig.json")) });
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
    await plant("functions/http/app.ts", "export const app = 1;\n");
    await plant("functions/http/middleware/ports.ts", "export interface RequestStore { seen(): void }\n");
    await plant("functions/adapters/ids.ts", "export const ids = 1;\n");
    await plant("functions/adapters/dynamo/cursor-error.ts", "export class InvalidCursorError extends Error {}\n");
    await plant("functions/local/embedded.ts", "export const local = 1;\n");
    await plant("functions/crypto/keys.ts", 'import { rule } from "../domain/rule";\nexport const keys = rule;\n');
    await plant("functions/domain/rule.ts", 'import { Hono } from "hono";\nimport type { HubKey } from "../http/env";\nexport const rule: HubKey | typeof Hono | undefined = undefined;\n');
    await plant("functions/usecases/a.ts", 'import { b } from "./b";\nimport { ids } from "../adapters/ids";\nexport const a = [b, ids];\n');
    await plant("functions/usecases/b.ts", 'import { a } from "./a";\nexport const b = () => a;\n');
    // The known cycle is let through, a cycle through one of its members and another file is not.
    await plant("functions/usecases/ports.ts", 'import type { Shaken } from "./shaken-ports";\nimport type { C } from "./c";\nexport type Ports = Shaken | C;\n');
    await plant("functions/usecases/shaken-ports.ts", 'import type { Ports } from "./ports";\nexport type Shaken = { ports?: Ports };\n');
    await plant("functions/usecases/c.ts", 'import type { Ports } from "./ports";\nexport type C = { ports?: Ports };\n');
    // A file with a known exception: its excused import passes, another one of the same kind does not.
    await plant(
      "functions/adapters/dynamo/request-store.ts",
      'import type { RequestStore } from "../../http/middleware/ports";\nimport { app } from "../../http/app";\nexport const store: RequestStore | typeof app | undefined = undefined;\n',
    );
    await plant("functions/http/problem.ts", 'import { InvalidCursorError } from "../adapters/dynamo/cursor-error";\nimport { local } from "../local/embedded";\nexport const x = [InvalidCursorError, local];\n');
  });
  afterAll(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  it("refuse every import that runs back up, and every cycle outside the known one (each cycle named once)", async () => {
    expect(violations(await run(tree, ["functions"]))).toEqual([
      "adapters-not-http: functions/adapters/dynamo/request-store.ts -> functions/http/app.ts",
      "crypto-not-domain: functions/crypto/keys.ts -> functions/domain/rule.ts",
      "domain-pure: functions/domain/rule.ts -> functions/http/env.ts",
      "domain-pure: functions/domain/rule.ts -> node_modules/hono/index.js",
      "http-not-adapters: functions/http/problem.ts -> functions/local/embedded.ts",
      "no-circular: functions/usecases/a.ts -> functions/usecases/b.ts",
      "no-circular: functions/usecases/c.ts -> functions/usecases/ports.ts",
      "usecases-not-edges: functions/usecases/a.ts -> functions/adapters/ids.ts",
    ]);
  });

  it.each(known.map((k) => [k.rule, k.from, k.to, k.reason]))("%s: the known exception %s -> %s still exists (%s)", async (_rule, from, to) => {
    const result = await run(root, [from], { maxDepth: 1 });
    const source = result.modules.find((m) => m.source === from);
    expect(source?.dependencies.map((d) => d.resolved)).toContain(to);
  });
});
