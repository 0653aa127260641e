/**
 * Step 4 (the provider): tell the hub where to deliver your hop requests. The endpoint's secret is
 * shown once: it is kept in a 0600 file for the receiver (step 5) and never printed.
 *
 *   npx tsx examples/provider/04-webhook-endpoint.ts http://127.0.0.1:8788/hoptrace
 */
import { createHoptraceClient, unwrap } from "@hoptrace/client";
import { FILES, HUB_URL, providerKey, writeSecret } from "./files.js";

const url = process.argv[2] ?? "http://127.0.0.1:8788/hoptrace";
const hub = createHoptraceClient({ baseUrl: HUB_URL, key: await providerKey() });
const { endpoint, secret } = await unwrap(
  hub.POST("/v1/webhook-endpoints", { body: { url, eventTypes: ["hop_request.created", "hop_request.reminder"], description: "Quickstart receiver" } }),
);
await writeSecret(FILES.webhookSecret, secret, { overwrite: true });
console.log(JSON.stringify({ endpointId: endpoint.id, url: endpoint.url, secretFile: FILES.webhookSecret }, null, 2));
