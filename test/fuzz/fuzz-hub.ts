/**
 * A populated hub for the fuzzer, and how requests reach it: through the app in process (the
 * default: fastest), or over HTTP through the embedded server.
 */
import { readFileSync } from "node:fs";
import { createApp } from "../../functions/http/app.js";
import { newKey, startTestHub, type TestHub } from "../support/hub.js";
import { populate } from "../support/world.js";
import type { FuzzWorld } from "./contract-fuzz.js";

export interface FuzzHub {
  world: FuzzWorld;
  send: (req: Request) => Promise<Response>;
  stop(): Promise<void>;
}

export async function startFuzzHub(opts: { http?: boolean } = {}): Promise<FuzzHub> {
  const t: TestHub = await startTestHub({ env: { LOG_LEVEL: "SILENT" } });
  const world = await populate(t);
  const fixture = (f: string) => readFileSync(new URL(`../fixtures/shaken/${f}`, import.meta.url), "utf8").trim();
  const pems = ["root.pem", "cert-567J.pem", "cert-818H.pem"].map(fixture);
  const identities = ["identity-valid-A-567J.txt", "identity-valid-C-818H.txt", "identity-info-mismatch-567J.txt", "identity-tampered-orig-567J.txt"].map(
    fixture,
  );
  const app = createApp(t.hub.runtime.deps);
  return {
    world: { ...world, url: t.url, consortium: t.consortium, stranger: (await newKey()).key, pems, identities },
    send: opts.http ? (req) => fetch(req, { redirect: "manual" }) : (req) => Promise.resolve(app.fetch(req)),
    stop: () => t.stop(),
  };
}
