/**
 * Step 3 (the provider): ask the hub who you are, signed with your own key: your account, its
 * role, your keys and your webhook endpoints.
 *
 *   npx tsx examples/provider/03-me.ts
 */
import { createHoptraceClient, unwrap } from "@hoptrace/client";
import { HUB_URL, providerKey } from "./files.js";

const hub = createHoptraceClient({ baseUrl: HUB_URL, key: await providerKey() });
const me = await unwrap(hub.GET("/v1/me"));
console.log(
  JSON.stringify(
    {
      account: me.account,
      signedWith: me.key.keyId,
      keys: me.keys.map((k) => ({ keyId: k.keyId, status: k.status })),
      endpoints: me.endpoints.map((e) => ({ id: e.id, url: e.url, status: e.status })),
    },
    null,
    2,
  ),
);
