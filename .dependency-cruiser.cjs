/**
 * The layer rules, checked by `npm run lint:layers` (part of `npm test`). Dependencies point
 * inwards: the domain knows nothing of the use cases, the use cases nothing of the edges (HTTP,
 * adapters, the local stack), and the crypto primitives nothing of the domain. Type-only imports
 * count: a port imported "only as a type" still ties the layers together.
 *
 * There are no exceptions: an import that breaks a rule fails the build, and the fix is to move
 * the code (a port into usecases/, an error into domain/errors.ts), not to excuse the import.
 */

const AWS_OR_HONO = "(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|@smithy|aws-cdk-lib|aws-lambda|hono|@hono)/";

const layerRule = (name, comment, from, to) => ({ name, comment, severity: "error", from: { path: from }, to });

/** @type {import('dependency-cruiser').IConfiguration} */
const config = {
  forbidden: [
    layerRule(
      "domain-pure",
      "functions/domain/ holds the rules alone: no use cases, HTTP, adapters, platform, local stack, AWS SDK or Hono",
      "^functions/domain/",
      { path: ["^functions/(adapters|http|usecases|platform|local|handlers)/", AWS_OR_HONO] },
    ),
    layerRule("usecases-not-edges", "functions/usecases/ works against ports: no adapters, HTTP, local stack or Lambda handlers", "^functions/usecases/", {
      path: "^functions/(adapters|http|local|handlers)/",
    }),
    layerRule("crypto-not-domain", "functions/crypto/ holds standards-level primitives that know nothing of tracebacks", "^functions/crypto/", {
      path: "^functions/domain/",
    }),
    layerRule(
      "adapters-not-http",
      "functions/adapters/ implement ports declared by the use cases, never anything of the HTTP layer, the handlers or the local stack",
      "^functions/adapters/",
      { path: "^functions/(http|handlers|local)/" },
    ),
    layerRule("http-not-adapters", "functions/http/ reaches storage and the outside through ports only", "^functions/http/", {
      path: "^functions/(adapters|local|handlers)/",
    }),
    {
      name: "hub-not-contract-tools",
      comment:
        "functions/ uses openapi/client (the package the hub shares with integrators) and nothing else of openapi/: the scripts there write the contract from the hub",
      severity: "error",
      from: { path: "^functions/" },
      to: { path: "^openapi/", pathNot: "^openapi/client/" },
    },
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
      to: { circular: true },
    },
    {
      name: "not-resolvable",
      comment: "every import resolves (a typo in a path would otherwise hide a dependency from these rules)",
      severity: "error",
      // The CommonJS test entry requires the built package, which exists only once the suite built it.
      from: { pathNot: "^test/openapi/client/require-entry\\.cjs$" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(cdk\\.out|coverage|\\.data|openapi/client/dist|functions/(console|local)/dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".d.ts", ".js", ".json"],
    },
  },
};
module.exports = config;
