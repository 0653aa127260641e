/** Lambda entry point of the API: build the app once per cold start, then hand each event to it. */
import { handle } from "hono/aws-lambda";
import { createApp } from "../http/app.js";
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { ensureConsortium } from "../usecases/bootstrap.js";

const runtime = await buildRuntime(loadConfig(process.env), { createHubKey: true });
// One GetItem per cold start once the consortium exists; creates it on the very first.
if (runtime.config.CONSORTIUM_PUBLIC_JWK) await ensureConsortium(runtime.deps, JSON.parse(runtime.config.CONSORTIUM_PUBLIC_JWK));

export const handler = handle(createApp(runtime.deps));
