/** Who is signed in: what a client (the console) needs to know about its own key and account. */
import type { AccountKind, Principal, SigningKeyRecord } from "../domain/account.js";
import { NotFoundError } from "../domain/errors.js";
import { endpointView, type EndpointView } from "../domain/webhooks/endpoint.js";
import type { WebhookDeps } from "./webhook-ports.js";

export interface Me {
  account: { id: string; kind: AccountKind; name: string };
  key: SigningKeyRecord;
  keys: SigningKeyRecord[];
  endpoints: EndpointView[];
}

export async function whoAmI(deps: WebhookDeps, p: Principal): Promise<Me> {
  const [account, key, keys, endpoints] = await Promise.all([
    deps.accounts.getAccount(p.accountId),
    deps.accounts.getKey(p.keyId),
    deps.accounts.allKeysOf(p.accountId),
    deps.webhooks.allEndpointsOf(p.accountId),
  ]);
  // Both exist for every authenticated caller; nothing ever deletes them.
  if (!account || !key) throw new NotFoundError("the calling key is no longer registered");
  return { account: { id: account.id, kind: account.kind, name: account.name }, key, keys, endpoints: endpoints.map(endpointView) };
}
