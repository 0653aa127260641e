/**
 * A clone holds everything the project needs: no file it tracks reaches outside the repository
 * for material (a user's clone has no sibling folders), and tests resolve their fixtures from
 * their own location rather than the folder the runner was started in.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\0");
const code = files.filter((f) => /\.(ts|js|mjs|cjs|json|sh)$|^\.ci\//.test(f) && !f.endsWith("package-lock.json"));

describe("the repository is self-contained", () => {
  it("no tracked file reads a folder beside the repository", () => {
    const outside = /\.\.\/shared\b|process\.cwd\(\),\s*["']\.\.\//;
    const offenders = code.filter((f) => f !== "test/repo/self-contained.test.ts" && outside.test(readFileSync(root + f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the TEST ONLY STIR/SHAKEN fixtures are committed with the tests", () => {
    for (const name of ["root.pem", "cert-567J.pem", "cert-818H.pem", "identity-valid-A-567J.txt", "identity-valid-C-818H.txt"]) {
      expect(files).toContain(`test/fixtures/shaken/${name}`);
    }
  });
});
