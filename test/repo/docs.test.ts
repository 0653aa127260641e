/**
 * The documentation holds together: every relative link in a tracked Markdown file leads to a
 * file of the repository, a link to a heading of a Markdown file to a heading it has, and every
 * document the code cites is one the repository holds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((f) => f && existsSync(join(root, f)));
const markdown = files.filter((f) => f.endsWith(".md") && !f.startsWith("node_modules/"));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");

const headingsOf = (file: string) => new Set([...readFileSync(join(root, file), "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

const linksOf = (file: string) => {
  // Code blocks and inline code hold examples, not links.
  const text = readFileSync(join(root, file), "utf8")
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
};

describe("the documentation", () => {
  it("has Markdown files to check", () => {
    expect(markdown).toEqual(
      expect.arrayContaining(["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/domain.md", "docs/protocol.md", "docs/versioning.md"]),
    );
  });

  it.each(markdown)("%s links only to files and headings that exist", (file) => {
    const broken: string[] = [];
    for (const link of linksOf(file)) {
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
      if (!existsSync(join(root, target))) broken.push(`${link}: no ${target}`);
      else if (anchor && target.endsWith(".md") && !headingsOf(target).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`);
    }
    expect(broken).toEqual([]);
  });

  it("is all the code cites: every Markdown file a source file names exists, from the root or from beside it", () => {
    const code = files.filter((f) => /\.(ts|js|mjs|cjs|json|sh)$/.test(f) && !f.endsWith("package-lock.json"));
    const missing = code.flatMap((f) =>
      [...readFileSync(join(root, f), "utf8").matchAll(/[\w./-]*[\w-]+\.md\b/g)]
        .map((m) => m[0])
        .filter((cited) => !existsSync(join(root, cited)) && !existsSync(join(root, dirname(f), cited)))
        .map((cited) => `${f}: ${cited}`),
    );
    expect(missing).toEqual([]);
  });
});
