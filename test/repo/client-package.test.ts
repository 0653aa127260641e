/**
 * @hoptrace/client stands on its own: its modules import one another, Node's built-ins and the
 * dependencies its package.json declares, and nothing of the hub (functions/), the tests or the
 * tooling. The hub imports the shared signing pieces from the package; no second copy is left.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkgDir = join(root, "openapi", "client");
const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
// build.ts is the repository's build tool for the package, not part of it.
const modules = readdirSync(pkgDir).filter((f) => f.endsWith(".ts") && f !== "build.ts");

const importsOf = (file: string) => ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((i) => i.fileName);
const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

describe("the client package", () => {
  it("imports only its own modules, Node's built-ins and its declared dependencies", () => {
    const outside: string[] = [];
    for (const module of modules) {
      for (const specifier of importsOf(join(pkgDir, module))) {
        if (specifier.startsWith(".")) {
          const target = resolve(pkgDir, specifier);
          if (dirname(target) !== pkgDir) outside.push(`${module} -> ${relative(root, target)}`);
        } else if (!specifier.startsWith("node:") && !builtinModules.includes(specifier) && !(packageName(specifier) in manifest.dependencies)) {
          outside.push(`${module} -> ${specifier} (not a dependency of ${manifest.name})`);
        }
      }
    }
    expect(modules.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it("is the only copy of the signing profile: functions/crypto no longer holds its modules", () => {
    const crypto = readdirSync(join(root, "functions", "crypto"));
    for (const moved of ["signature-base.ts", "content-digest-field.ts", "key-proof-statement.ts", "digest.ts"]) expect(crypto).not.toContain(moved);
    expect(modules).toEqual(
      expect.arrayContaining(["signature-base.ts", "signature-verify.ts", "content-digest.ts", "content-digest-field.ts", "key-proof-statement.ts"]),
    );
  });
});
