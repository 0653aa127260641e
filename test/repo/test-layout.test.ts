/**
 * The test tree mirrors the source tree (test/README.md): a test sits at the path its subject has
 * under functions/ (test/crypto/receipt.test.ts for functions/crypto/receipt.ts), or under infra/
 * or openapi/ by their own names (test/openapi/client/ for openapi/client/). Only the suites that
 * cross the layers have folders of their own, and the list of them is short on purpose.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, posix, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Folders of test/ whose tests cross the layers (or, for fakes/, hold the in-memory ports to their contract). */
const CROSS_CUTTING = ["bench", "chaos", "contract", "e2e", "examples", "fakes", "fuzz", "repo"];

/** Top-level source folders a test folder names by their own name rather than under functions/. */
const OWN_NAMES = ["infra", "openapi"];

const isFolder = (path: string) => existsSync(join(root, path)) && statSync(join(root, path)).isDirectory();

/** The source folder a test folder (relative to test/) mirrors. */
const sourceOf = (folder: string) => (OWN_NAMES.includes(folder.split("/")[0]!) ? folder : `functions/${folder}`);

/** One line for each test file (a path from the repository's root) that is neither cross-cutting nor at a source folder's path. */
function misplacedTests(tests: string[], isSourceFolder: (path: string) => boolean = isFolder): string[] {
  return tests.flatMap((file) => {
    const folder = posix.dirname(file.replace(/^test\//, ""));
    if (folder === ".") return [`${file}: a test at the top of test/ mirrors no source folder`];
    if (CROSS_CUTTING.includes(folder.split("/")[0]!)) return [];
    const source = sourceOf(folder);
    return isSourceFolder(source) ? [] : [`${file}: no ${source}/ to mirror (put it at its subject's path, or in test/{${CROSS_CUTTING.join(",")}}/)`];
  });
}

const testFiles = () =>
  readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" })
    .map((path) => `test/${path.split(sep).join("/")}`)
    .filter((path) => path.endsWith(".test.ts"))
    .sort();

describe("the test tree", () => {
  it("puts every test at its subject's path under functions/, infra/ or openapi/, or in a cross-cutting folder", () => {
    const files = testFiles();
    expect(files).toEqual(expect.arrayContaining(["test/crypto/receipt.test.ts", "test/infra/stacks.test.ts", "test/openapi/client/retry.test.ts"]));
    expect(misplacedTests(files)).toEqual([]);
  });

  it("has only cross-cutting folders that exist, hold tests and mirror no source folder", () => {
    const files = testFiles();
    for (const folder of CROSS_CUTTING) {
      expect(
        files.some((f) => f.startsWith(`test/${folder}/`)),
        folder,
      ).toBe(true);
      expect(isFolder(sourceOf(folder)), folder).toBe(false);
    }
  });

  it("names each test out of place: a new test/unit/, a folder no source has, a test at the top", () => {
    const planted = [
      "test/unit/crypto/receipt.test.ts",
      "test/crypto/receipts/receipt.test.ts",
      "test/infra/stacks/stateful.test.ts",
      "test/support/hub.test.ts",
      "test/receipt.test.ts",
      "test/crypto/receipt.test.ts",
      "test/domain/shaken/verify.test.ts",
      "test/infra/stacks.test.ts",
      "test/openapi/generate.test.ts",
      "test/openapi/client/retry.test.ts",
      "test/e2e/anything/new.test.ts",
      "test/bench/stack/cost.test.ts",
    ];
    const lines = misplacedTests(planted);
    expect(lines.map((line) => line.slice(0, line.indexOf(":")))).toEqual([
      "test/unit/crypto/receipt.test.ts",
      "test/crypto/receipts/receipt.test.ts",
      "test/infra/stacks/stateful.test.ts",
      "test/support/hub.test.ts",
      "test/receipt.test.ts",
    ]);
    expect(lines[0]).toBe(
      "test/unit/crypto/receipt.test.ts: no functions/unit/crypto/ to mirror (put it at its subject's path, or in test/{bench,chaos,contract,e2e,examples,fakes,fuzz,repo}/)",
    );
    expect(lines[2]).toContain("no infra/stacks/ to mirror");
  });
});
