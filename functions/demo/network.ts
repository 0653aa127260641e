/**
 * A simulated traceback network on the embedded hub: the consortium, providers and initiators
 * registered through the signed API, each with its own key, and providers running the
 * auto-responder over synthetic call records. Shared by the demo and the benchmark.
 */
import { generateSigningKey } from "../crypto/keys.js";
import { startEmbeddedHub, type EmbeddedHub, type EmbeddedOptions } from "../local/embedded.js";
import { memorySource, type CallRecord, type CallRecordSource } from "../responder/cdr.js";
import { parseResponderConfig, type TrunkMap } from "../responder/config.js";
import { startResponder, type ResponderOptions, type Responder } from "../responder/responder.js";
import { ensureConsortium } from "../usecases/bootstrap.js";
import { createHoptraceClient, keyProof, newAccountId, type HoptraceClient, type SigningKey } from "../../openapi/client/index.js";

export interface Member {
  id: string;
  name: string;
  key: SigningKey;
  client: HoptraceClient;
}

export interface Network {
  hub: EmbeddedHub;
  consortium: Member;
  registerProvider(name: string): Promise<Member>;
  registerInitiator(name: string): Promise<Member>;
  /** Runs the auto-responder for `provider` over `records` (or any source). */
  runResponder(
    provider: Member,
    trunks: TrunkMap,
    records: CallRecord[] | CallRecordSource,
    opts?: Omit<ResponderOptions, "key" | "source">,
  ): Promise<Responder>;
  stop(): Promise<void>;
}

export class RegistrationError extends Error {
  readonly code = "registration_failed";
}

/**
 * Registers providers and initiators through the consortium's signed API, each with a new key
 * it proves it holds; `member` makes the client a registered account signs with.
 */
export function registrar(consortium: Member, member: (id: string, name: string, key: SigningKey) => Member) {
  let frn = 4_100_000;
  return async (kind: "provider" | "initiator", name: string): Promise<Member> => {
    const k = await generateSigningKey();
    const key: SigningKey = { privateKey: k.privateKey, keyId: k.kid };
    const id = newAccountId();
    const keys = [{ publicJwk: { ...k.publicJwk }, proof: keyProof(key, id) }];
    const contact = { name: "Traceback desk", email: "traceback@example.net" };
    const { data, response } =
      kind === "provider"
        ? await consortium.client.POST("/v1/providers", { body: { id, name, frn: String(frn++).padStart(10, "0"), contact, keys } })
        : await consortium.client.POST("/v1/initiators", { body: { id, name, contact, keys } });
    if (!data) throw new RegistrationError(`registering ${kind} ${name} failed with HTTP ${response.status}`);
    return member(data.account.id, name, key);
  };
}

export async function startNetwork(opts: EmbeddedOptions = {}): Promise<Network> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const hub = await startEmbeddedHub(opts);
  const responders: Responder[] = [];
  try {
    const now = opts.clock ? () => opts.clock!.now().getTime() : undefined;
    const member = (id: string, name: string, key: SigningKey): Member => ({
      id,
      name,
      key,
      client: createHoptraceClient({ baseUrl: hub.url, key, ...(now && { now }) }),
    });
    const c = await generateSigningKey();
    const { accountId } = await ensureConsortium(hub.runtime.deps, c.publicJwk);
    const consortium = member(accountId, "Consortium", { privateKey: c.privateKey, keyId: c.kid });
    const register = registrar(consortium, member);
    return {
      hub,
      consortium,
      registerProvider: (name) => register("provider", name),
      registerInitiator: (name) => register("initiator", name),
      runResponder: async (provider, trunks, records, ropts = {}) => {
        const config = parseResponderConfig({
          hubUrl: hub.url,
          keyFile: "in-memory",
          webhook: { port: 0, register: { description: `${provider.name} responder` } },
          trunks,
          sweepIntervalSeconds: 0,
        });
        const r = await startResponder(config, {
          log: () => {},
          ...(now && { now }),
          ...ropts,
          key: provider.key,
          source: Array.isArray(records) ? memorySource(records) : records,
        });
        responders.push(r);
        return r;
      },
      stop: async () => {
        await Promise.all(responders.map((r) => r.stop()));
        await hub.stop();
      },
    };
  } catch (err) {
    await hub.stop();
    throw err;
  }
}
