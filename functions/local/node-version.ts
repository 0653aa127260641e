/**
 * The Node versions `npm start` runs on, from package.json `engines` (a `>=` bound, the only form
 * it uses). Checked before anything else is loaded: on an older Node the first failure would be
 * some syntax or API deep inside a dependency, far from the cause.
 */
import { readFileSync } from "node:fs";

export function nodeVersionProblem(version: string, engines = enginesNode()): string | undefined {
  const bound = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(engines.trim())?.[1];
  if (bound === undefined) return undefined;
  const have = parts(version);
  const need = parts(bound);
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) return `Hoptrace needs Node ${bound} or later (package.json engines: "${engines}"); this is Node ${version.replace(/^v/, "")}: install a newer Node (e.g. \`nvm install 20\`)`;
  }
  return undefined;
}

function parts(version: string): number[] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, "").split(".").map((p) => Number.parseInt(p, 10) || 0);
  return [major, minor, patch];
}

function enginesNode(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { engines?: { node?: string } };
  return pkg.engines?.node ?? "";
}
