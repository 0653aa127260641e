/** The hub's published keys, as `/.well-known/jwks.json` serves them and evidence bundles carry them. */
import { publicJwks } from "../crypto/receipt.js";
import type { AppDeps } from "./env.js";

export function hubJwks(deps: Pick<AppDeps, "hubKeys">): { keys: Array<Record<string, unknown>> } {
  return publicJwks(deps.hubKeys.published.map((k) => ({ publicJwk: k.publicJwk, kid: k.kid }))) as { keys: Array<Record<string, unknown>> };
}
