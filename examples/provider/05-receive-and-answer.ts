/**
 * Step 5 (the provider): receive hop requests and answer them. Each delivery is verified (Standard
 * Webhooks, with the secret of step 4) before anything is done, acknowledged at once, and answered
 * from your call records: who handed you this call? `--once` stops after the first answer.
 *
 *   npx tsx examples/provider/05-receive-and-answer.ts [--once]
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createHoptraceClient, unwrap, verifyWebhook, WebhookVerificationError, type components } from "@hoptrace/client";
import { FILES, HUB_URL, providerKey } from "./files.js";

type Call = components["schemas"]["HopRequest"]["call"];
type Answer = components["schemas"]["HopAnswer"];

const PORT = Number(process.env.HOPTRACE_WEBHOOK_PORT ?? 8788);
const once = process.argv.includes("--once");
const secret = (await readFile(FILES.webhookSecret, "utf8")).trim();
const hub = createHoptraceClient({ baseUrl: HUB_URL, key: await providerKey() });

/** Your call records. Here, one customer of ours who originated calls from this number. */
const CALL_RECORDS = [{ callingNumber: "+13055550123", customer: { name: "Example Dialer LLC", accountReference: "CUST-4471" }, ingressTrunk: "CUSTOMER-17" }];

function answerFor(call: Call): Answer {
  const record = CALL_RECORDS.find((r) => r.callingNumber === call.callingNumber);
  if (!record) {
    const at = new Date(call.callTime).getTime();
    return { type: "no_record", windowSearched: { from: new Date(at - 60_000).toISOString(), to: new Date(at + 60_000).toISOString() } };
  }
  return { type: "originator_identified", customer: record.customer, actionTaken: "warned", evidence: { ingressTrunk: record.ingressTrunk } };
}

async function answer(hopId: string): Promise<void> {
  const hop = await unwrap(hub.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId } } }));
  if (hop.status !== "open") return;
  // Retried answers carry the same Idempotency-Key, so the hub records one answer.
  const answered = await unwrap(hub.POST("/v1/hop-requests/{hopId}/answer", { params: { path: { hopId } }, body: answerFor(hop.call) }));
  console.log(JSON.stringify({ answered: hopId, tracebackId: hop.tracebackId, type: answered.answer?.type, status: answered.status }));
}

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let event;
  try {
    event = verifyWebhook({ secret, headers: req.headers, body: Buffer.concat(chunks) });
  } catch (error) {
    res.writeHead(error instanceof WebhookVerificationError ? 401 : 400).end();
    return;
  }
  // Acknowledge within the hub's 10 s, then do the work.
  res.writeHead(204).end();
  if (event.type !== "hop_request.created" || !event.data.hopId) return;
  try {
    await answer(event.data.hopId);
    if (once) server.close();
  } catch (error) {
    // The hop stays open and listed in GET /v1/hop-requests; a reminder will come.
    console.error(`could not answer ${event.data.hopId}: ${(error as Error).message}`);
  }
});
server.listen(PORT, "127.0.0.1", () => console.log(`receiving hop requests on http://127.0.0.1:${PORT}/hoptrace (Ctrl-C to stop)`));
