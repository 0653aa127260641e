/** Who is using the console: the key in this browser, its account, and a client signing with it. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { HoptraceClient } from "../../../openapi/client/client.js";
import { call, createApi, type SignerKey } from "./api.js";
import type { Identity } from "./keystore.js";

/** The hub's fixed id of the consortium's account. */
const CONSORTIUM_ACCOUNT_ID = "acc_consortium";

export interface Session {
  identity: Identity;
  key: SignerKey;
  api: HoptraceClient;
  kind: "consortium" | "provider" | "initiator";
  /** The display name of an account (providers and the caller's own), the id when unknown. */
  accountName(id: string): Promise<string>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

export function openSession(identity: Identity, kind: Session["kind"]): Session {
  const key = { privateKey: identity.privateKey, keyId: identity.keyId };
  const api = createApi(key);
  const names = new Map<string, Promise<string>>();
  if (identity.accountName) names.set(identity.accountId, Promise.resolve(identity.accountName));
  const accountName = (id: string) => {
    let name = names.get(id);
    if (!name) {
      // The provider directory is readable by every participant; anything else is shown by id.
      name = call(api.GET("/v1/providers/{accountId}", { params: { path: { accountId: id } } })).then(
        (a) => a.name,
        () => (id === CONSORTIUM_ACCOUNT_ID ? "the consortium" : id),
      );
      names.set(id, name);
    }
    return name;
  };
  return { identity, key, api, kind, accountName };
}
