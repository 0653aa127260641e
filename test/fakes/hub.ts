/**
 * The hub's application over the in-memory ports, asked in process (`app.request`): the same
 * routes, middleware, signatures and problem responses as over HTTP, without a socket or an
 * emulator. Its parties sign with the hub's clock, so a test can move time and still be let in.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../../functions/http/app.js";
import type { AppEnv } from "../../functions/http/env.js";
import { ensureConsortium } from "../../functions/usecases/bootstrap.js";
import { apiFor, initiatorRegistration, newKey, providerRegistration, registerAccount, type Fetcher, type HubParties, type Party } from "../support/api.js";
import { FAKE_PUBLIC_URL, fakeDeps, type FakeDeps, type FakeOptions } from "./deps.js";

export * from "../support/api.js";

export interface FakeHub extends HubParties {
  deps: FakeDeps;
  app: OpenAPIHono<AppEnv>;
  /** The current time on the hub's clock, ms: what its parties sign with. */
  now: () => number;
}

export async function startFakeHub(opts: FakeOptions = {}): Promise<FakeHub> {
  const deps = await fakeDeps(opts);
  const app = createApp(deps);
  const fetch: Fetcher = (url, init) => app.request(url, init);
  const now = () => deps.clock.now().getTime();
  const c = await newKey();
  const { accountId } = await ensureConsortium(deps, c.publicJwk);
  const consortium: Party = { id: accountId, key: c.key, api: apiFor(FAKE_PUBLIC_URL, c.key, now, fetch) };
  return {
    deps,
    app,
    url: FAKE_PUBLIC_URL,
    fetch,
    now,
    consortium,
    registerProvider: (name, extra = {}) => registerAccount(FAKE_PUBLIC_URL, consortium.api, "providers", providerRegistration(name, extra), now, fetch),
    registerInitiator: (name) => registerAccount(FAKE_PUBLIC_URL, consortium.api, "initiators", initiatorRegistration(name), now, fetch),
    apiFor: (key) => apiFor(FAKE_PUBLIC_URL, key, now, fetch),
    // Nothing runs beside the application: no server, no emulator, no background work.
    stop: async () => undefined,
  };
}
