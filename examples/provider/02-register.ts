/**
 * Step 2 (the consortium): register the provider from its registration.json. The hub checks the
 * proof, so the key can only be registered to the account its holder named. Signed with the
 * consortium's key (`npm start` writes it to .data/consortium.private.jwk.json).
 *
 *   HOPTRACE_CONSORTIUM_KEY=.data/consortium.private.jwk.json npx tsx examples/provider/02-register.ts "Carrier One" 0012345678
 */
import { createHoptraceClient, signingKeyFromJwk, unwrap, type Registration } from "@hoptrace/client";
import { FILES, HUB_URL, readJson } from "./files.js";

const [name = "Carrier One", frn = "0012345678"] = process.argv.slice(2);
const consortiumKey = await signingKeyFromJwk(await readJson(process.env.HOPTRACE_CONSORTIUM_KEY ?? ".data/consortium.private.jwk.json"));
const registration = await readJson<Registration>(FILES.registration);

const consortium = createHoptraceClient({ baseUrl: HUB_URL, key: consortiumKey });
const created = await unwrap(
  consortium.POST("/v1/providers", {
    body: { ...registration, name, frn, contact: { name: "Traceback desk", email: "traceback@carrier.example" } },
  }),
);
console.log(JSON.stringify({ accountId: created.account.id, name: created.account.name, keys: created.keys.map((k) => k.keyId) }, null, 2));
