/**
 * The layer rules, checked by `npm run lint:layers` (part of `npm test`). Dependencies point
 * inwards: the domain knows nothing of the use cases, the use cases nothing of the edges (HTTP,
 * adapters, the local stack), and the crypto primitives nothing of the domain. Type-only imports
 * count: a port imported "only as a type" still ties the layers together.
 *
 * KNOWN lists the imports that break a rule today, each with the reason it is still there. A
 * known exception covers exactly one import (one file to one file), so anything new breaks the
 * build; remove the entry when the code moves.
 */

/** @type {Array<{ rule: string, from: string, to: string, reason: string }>} */
const KNOWN = [
  {
    rule: "adapters-not-http",
    from: "functions/adapters/dynamo/request-store.ts",
    to: "functions/http/middleware/ports.ts",
    reason: "the RequestStore port (signatures seen, idempotency records) is declared in http/ instead of usecases/",
  },
  {
    rule: "adapters-not-http",
    from: "functions/adapters/keys/hub-key-file.ts",
    to: "functions/http/env.ts",
    reason: "the HubKey port is declared in http/env.ts instead of usecases/",
  },
  {
    rule: "adapters-not-http",
    from: "functions/adapters/keys/hub-key-secret.ts",
    to: "functions/http/env.ts",
    reason: "the HubKey port is declared in http/env.ts instead of usecases/",
  },
  {
    rule: "http-not-adapters",
    from: "functions/http/problem.ts",
    to: "functions/adapters/dynamo/cursor-error.ts",
    reason: "the problem mapping recognises the stores' InvalidCursorError, which belongs to the domain's errors",
  },
  {
    rule: "http-not-adapters",
    from: "functions/http/routes/rmd.ts",
    to: "functions/adapters/rmd/csv-export.ts",
    reason: "the RMD upload route parses the streamed CSV itself; the parser belongs behind a port the composition root provides",
  },
  {
    rule: "no-circular",
    from: "functions/usecases/ports.ts",
    to: "functions/usecases/shaken-ports.ts",
    reason: "ports.ts and shaken-ports.ts import each other's types; shaken-ports.ts is to be merged into ports.ts",
  },
  {
    rule: "no-circular",
    from: "functions/usecases/shaken-ports.ts",
    to: "functions/usecases/ports.ts",
    reason: "the other half of the ports.ts / shaken-ports.ts cycle",
  },
];

const exact = (file) => `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
const AWS_OR_HONO = "(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|@smithy|aws-cdk-lib|aws-lambda|hono|@hono)/";

/**
 * One rule as dependency-cruiser reads it, minus its known exceptions: the general rule skips the
 * files that have one, and each such file gets the same rule with only its known targets allowed.
 */
function layerRule(name, comment, from, to) {
  const known = KNOWN.filter((k) => k.rule === name);
  const sources = [...new Set(known.map((k) => k.from))];
  const general = { name, comment, severity: "error", from: { path: from, ...(sources.length && { pathNot: sources.map(exact) }) }, to };
  const narrowed = sources.map((source) => ({
    name,
    comment: `${comment} (known exceptions of ${source}: ${known.filter((k) => k.from === source).map((k) => k.reason).join("; ")})`,
    severity: "error",
    from: { path: exact(source) },
    to: { ...to, pathNot: known.filter((k) => k.from === source).map((k) => exact(k.to)) },
  }));
  return [general, ...narrowed];
}

const CYCLE_MEMBERS = [...new Set(KNOWN.filter((k) => k.rule === "no-circular").flatMap((k) => [k.from, k.to]))];

/** @type {import('dependency-cruiser').IConfiguration} */
const config = {
  forbidden: [
    ...layerRule(
      "domain-pure",
      "functions/domain/ holds the rules alone: no use cases, HTTP, adapters, platform, local stack, AWS SDK or Hono",
      "^functions/domain/",
      { path: ["^functions/(adapters|http|usecases|platform|local|handlers)/", AWS_OR_HONO] },
    ),
    ...layerRule(
      "usecases-not-edges",
      "functions/usecases/ works against ports: no adapters, HTTP, local stack or Lambda handlers",
      "^functions/usecases/",
      { path: "^functions/(adapters|http|local|handlers)/" },
    ),
    ...layerRule("crypto-not-domain", "functions/crypto/ holds standards-level primitives that know nothing of tracebacks", "^functions/crypto/", {
      path: "^functions/domain/",
    }),
    ...layerRule(
      "adapters-not-http",
      "functions/adapters/ implement ports declared by the use cases, never anything of the HTTP layer, the handlers or the local stack",
      "^functions/adapters/",
      { path: "^functions/(http|handlers|local)/" },
    ),
    ...layerRule("http-not-adapters", "functions/http/ reaches storage and the outside through ports only", "^functions/http/", {
      path: "^functions/(adapters|local|handlers)/",
    }),
    {
      name: "client-self-contained",
      comment: "openapi/client is the @hoptrace/client package: it ships alone, so it imports nothing of the hub, the infra, the tests or the examples",
      severity: "error",
      from: { path: "^openapi/client/", pathNot: "^openapi/client/build\\.ts$" },
      to: { path: "^(functions|infra|test|examples)/" },
    },
    {
      name: "no-circular",
      comment: "no import cycles",
      severity: "error",
      from: {},
      // A cycle made only of known members is allowed; any cycle through another module is not.
      to: { circular: true, ...(CYCLE_MEMBERS.length && { viaSomeNot: CYCLE_MEMBERS.map(exact) }) },
    },
    {
      name: "not-resolvable",
      comment: "every import resolves (a typo in a path would otherwise hide a dependency from these rules)",
      severity: "error",
      // The CommonJS test entry requires the built package, which exists only once the suite built it.
      from: { pathNot: "^test/client/require-entry\\.cjs$" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(cdk\\.out|coverage|\\.data|openapi/client/dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".d.ts", ".js", ".json"] },
  },
};

// Not a dependency-cruiser setting (its schema refuses unknown keys), so not enumerable: the
// layer test reads it to check that every known exception still exists.
Object.defineProperty(config, "known", { value: KNOWN });
module.exports = config;
