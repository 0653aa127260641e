/**
 * A running embedded hub for tests, with a consortium key and helpers to register accounts and
 * send signed requests over real HTTP.
 */
import type { Clock } from "../../functions/domain/clock.js";
import { startEmbeddedHub, type EmbeddedHub, type EmbeddedOptions } from "../../functions/local/embedded.js";
import { ensureConsortium } from "../../functions/usecases/bootstrap.js";
import { apiFor, initiatorRegistration, newKey, providerRegistration, registerAccount, type HubParties, type Party } from "./api.js";

export * from "./api.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export interface TestHub extends HubParties {
  hub: EmbeddedHub;
}

export async function startTestHub(opts: EmbeddedOptions & { clock?: Clock } = {}): Promise<TestHub> {
  // Tests send bursts from one account on purpose; the rate limit has a test of its own.
  const hub = await startEmbeddedHub({
    background: false,
    ...opts,
    env: {
      RATE_LIMIT_PER_SECOND: "100000",
      RATE_LIMIT_BURST: "100000",
      PUBLIC_RATE_LIMIT_PER_SECOND: "100000",
      PUBLIC_RATE_LIMIT_BURST: "100000",
      ...opts.env,
    },
  });
  const c = await newKey();
  const { accountId } = await ensureConsortium(hub.runtime.deps, c.publicJwk);
  // Clients sign with the hub's clock, so an accelerated hub still accepts their signatures.
  const now = opts.clock ? () => opts.clock!.now().getTime() : undefined;
  const consortium: Party = { id: accountId, key: c.key, api: apiFor(hub.url, c.key, now) };
  return {
    hub,
    url: hub.url,
    deps: hub.runtime.deps,
    consortium,
    apiFor: (key) => apiFor(hub.url, key, now),
    fetch: (url, init) => fetch(url, init),
    registerProvider: (name, extra = {}) => registerAccount(hub.url, consortium.api, "providers", providerRegistration(name, extra), now),
    registerInitiator: (name) => registerAccount(hub.url, consortium.api, "initiators", initiatorRegistration(name), now),
    stop: () => hub.stop(),
  };
}
