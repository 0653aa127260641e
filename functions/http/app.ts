/**
 * The Hono application: the same object runs in Lambda (`handle(app)`), under the local server
 * and in tests (`app.request()`).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { hubJwks } from "./jwks.js";
import type { AppDeps, AppEnv } from "./env.js";
import { authenticate } from "./middleware/authenticate.js";
import { bodyCap } from "./middleware/body-limit.js";
import { idempotency } from "./middleware/idempotency.js";
import { receipts } from "./middleware/receipt.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { useProblemFallbacks, useRequestIds } from "./app-shell.js";
import { accountRoutes } from "./routes/accounts.js";
import { hopRequestRoutes } from "./routes/hop-requests.js";
import { tracebackRoutes } from "./routes/tracebacks.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { evidenceRoutes } from "./routes/evidence.js";
import { invitationRoutes } from "./routes/invitations.js";
import { meRoutes } from "./routes/me.js";
import { logRoutes } from "./routes/log.js";
import { rmdRoutes, rmdUploadRoutes } from "./routes/rmd.js";
import { campaignRoutes } from "./routes/campaigns.js";
import { intelRoutes } from "./routes/intel.js";
import { validationHook } from "./validation.js";
import { documentConfig, registerSecurity } from "./openapi.js";
import { docsPage } from "./docs.js";
import { consoleRoutes } from "./routes/console.js";
import { buildDocument } from "./schemas/document.js";

const ANSWER = /^\/v1\/hop-requests\/[^/]+\/answer$/;
/**
 * Routes that replay from what their own conditional write keeps (see idempotency.ts): answers
 * from their evidence, invitations from the token their Idempotency-Key derives (a stored
 * response would keep the token), enrolments from the key they registered.
 */
const SELF_IDEMPOTENT = [ANSWER, /^\/v1\/invitations$/, /^\/v1\/enrolments\/[^/]+$/];
/**
 * Writes whose replayed signature needs no record of its own (docs/adr/0010): the copy is the
 * same request under the same Idempotency-Key, and gets the stored response and receipt from the
 * write that applied it once. Not the invitation (its replay would hand out the token) nor the
 * enrolment.
 */
const REPLAY_REFUSED_BY_STATE = [ANSWER];
/** Routes whose response holds a new webhook secret: stored for replay sealed, never in the clear. */
const HOLDING_SECRETS = [/^\/v1\/webhook-endpoints$/, /^\/v1\/webhook-endpoints\/[^/]+\/rotate-secret$/];

type Routes = (app: OpenAPIHono<AppEnv>, deps: AppDeps) => void;
const ROUTES: Routes[] = [
  accountRoutes,
  tracebackRoutes,
  hopRequestRoutes,
  webhookRoutes,
  evidenceRoutes,
  logRoutes,
  rmdRoutes,
  campaignRoutes,
  intelRoutes,
  invitationRoutes,
  meRoutes,
];
/** Uploads that stream past the body limit, ahead of the shared middleware with their own. */
const STREAMED: Routes[] = [rmdUploadRoutes];

function newApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  registerSecurity(app);
  return app;
}

export interface AppOptions {
  /**
   * Serve the web console too (the local server does); deployed, the console is a function of its
   * own (console-app.ts) and the API's is built without it.
   */
  console?: boolean;
}

export function createApp(deps: AppDeps, opts: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = newApp();
  useRequestIds(app, deps.ids);
  // Streamed uploads bound their own bodies, so they stand ahead of the general cap.
  for (const routes of STREAMED) routes(app, deps);
  app.use("*", bodyCap(deps.settings.maxBodyBytes));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/.well-known/jwks.json", (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.json(hubJwks(deps));
  });
  app.use(
    "/v1/*",
    authenticate(deps, REPLAY_REFUSED_BY_STATE),
    rateLimit(deps.settings.rateLimit, deps.settings.publicRateLimit),
    idempotency(deps, SELF_IDEMPOTENT, HOLDING_SECRETS),
    receipts(deps),
  );
  for (const routes of ROUTES) routes(app, deps);
  // Built on first request, not at start-up: most cold starts never serve it.
  let contract: ReturnType<typeof buildDocument> | undefined;
  app.get("/openapi.json", (c) => c.json((contract ??= buildDocument(openApiDocument()))));
  app.get("/docs", docsPage);
  if (opts.console ?? true) consoleRoutes(app, { publicUrl: deps.settings.publicUrl });
  useProblemFallbacks(app, (msg, fields) => deps.log.error(msg, fields));
  return app;
}

/** The OpenAPI 3.1 document, generated from the routes alone (no dependencies are touched). */
export function openApiDocument() {
  const app = newApp();
  const unused = new Proxy({} as AppDeps, {
    get() {
      throw new Error("route handlers do not run while generating the document");
    },
  });
  for (const routes of [...ROUTES, ...STREAMED]) routes(app, unused);
  return app.getOpenAPI31Document(documentConfig);
}
