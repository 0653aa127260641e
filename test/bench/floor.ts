/**
 * The floor: the same hop round trip with bare HTTP and no hub logic. A "hub" server sends a
 * webhook to the next "provider", which reads the hop (GET) and answers it (POST); the answer
 * sends the webhook to the next provider. A chain starts with a POST, as a traceback does. No signatures, no storage, no queue: what is left is
 * loopback HTTP and JSON, the cost no hub can go below.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Floor {
  /** Runs one chain of `hops` hops, resolving with its duration in ms. */
  runChain(): Promise<number>;
  stop(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });

const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

export async function startFloor(hops: number): Promise<Floor> {
  const chains = new Map<string, { done: (at: number) => void }>();
  let providerUrls: string[] = [];
  let counter = 0;
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const settled = p.catch(() => undefined).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };
  const notify = (chainId: string, seq: number) =>
    track(
      fetch(providerUrls[seq - 1]!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "hop_request.created", data: { hopId: `${chainId}_${seq}` } }),
      }).then((r) => r.arrayBuffer()),
    );

  const hub = await listen(async (req, res) => {
    const [, , hopId, action] = (req.url ?? "").split("/");
    const [chainId, seqText] = (hopId ?? "").split("_");
    const chain = chains.get(chainId ?? "");
    const text = await body(req);
    if (!chain) return void (res.writeHead(404), res.end());
    const seq = Number(seqText);
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({
          id: hopId,
          status: "open",
          call: { callingNumber: "+13055550123", calledNumber: "+12025550143", callTimeUtc: "2024-06-03T16:00:00.000Z" },
        }),
      );
    }
    JSON.parse(text);
    if (action === "start") {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: chainId, hops: [{ id: `${chainId}_1` }] }));
      return notify(chainId!, 1);
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: hopId, status: "answered" }));
    if (seq < hops) notify(chainId!, seq + 1);
    else chain.done(performance.now());
  });

  const providers = await Promise.all(
    Array.from({ length: hops }, () =>
      listen(async (req, res) => {
        const { data } = JSON.parse(await body(req)) as { data: { hopId: string } };
        const hop = await (await fetch(`${hub.url}/hops/${data.hopId}`)).json();
        const answer = await fetch(`${hub.url}/hops/${data.hopId}/answer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            type: "upstream_identified",
            upstream: { providerId: "next" },
            evidence: { ingressTrunk: "IN", seen: (hop as { call: unknown }).call },
          }),
        });
        await answer.arrayBuffer();
        res.writeHead(204);
        res.end();
      }),
    ),
  );
  providerUrls = providers.map((p) => `${p.url}/hooks`);

  return {
    runChain: () =>
      new Promise<number>((resolve) => {
        const id = `c${++counter}`;
        const start = performance.now();
        chains.set(id, {
          done: (at) => {
            chains.delete(id);
            resolve(at - start);
          },
        });
        track(
          fetch(`${hub.url}/hops/${id}_0/start`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ callingNumber: "+13055550123" }),
          }).then((r) => r.arrayBuffer()),
        );
      }),
    stop: async () => {
      await Promise.all([...inFlight]);
      for (const s of [hub.server, ...providers.map((p) => p.server)]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
