/**
 * The Node versions `npm start` runs on, from package.json `engines` (a `>=` bound, the only form
 * it uses). Checked before anything else is loaded: on an older Node the first failure would be
 * some syntax or API deep inside a dependency, far from the cause.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function nodeVersionProblem(version: string, engines = enginesNode()): string | undefined {
  const bound = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(engines.trim())?.[1];
  if (bound === undefined) return undefined;
  const have = parts(version);
  const need = parts(bound);
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!)
      return `Hoptrace needs Node ${bound} or later (package.json engines: "${engines}"); this is Node ${version.replace(/^v/, "")}: install a newer Node (e.g. \`nvm install 20\`)`;
  }
  return undefined;
}

function parts(version: string): number[] {
  const [major = 0, minor = 0, patch = 0] = version
    .replace(/^v/, "")
    .split(".")
    .map((p) => Number.parseInt(p, 10) || 0);
  return [major, minor, patch];
}

/** `engines.node` of the project's package.json, found upwards from here (this file may be bundled elsewhere). */
function enginesNode(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; engines?: { node?: string } };
      if (pkg.name === "hoptrace") return pkg.engines?.node ?? "";
    } catch {
      // No package.json here, or not one that can be read: look further up.
    }
    if (dirname(dir) === dir) return "";
  }
}
