/**
 * The built @hoptrace/client, through both of its entries: `import` (dist/esm) and `require`
 * (dist/cjs, loaded by Node's own require from a .cjs file). Tests run the same checks on each.
 * The type is the package's source API; the examples' test type-checks the built declarations.
 */
import { createRequire } from "node:module";

export type Client = typeof import("../../../openapi/client/index.js");

export const PACKAGE = "@hoptrace/client";

export async function entries(): Promise<Array<[name: "esm" | "cjs", client: Client]>> {
  // A specifier in a variable: the built file, resolved at run time through the package's exports.
  const esm = (await import(PACKAGE)) as Client;
  const cjs = createRequire(import.meta.url)("./require-entry.cjs") as Client;
  return [
    ["esm", esm],
    ["cjs", cjs],
  ];
}
